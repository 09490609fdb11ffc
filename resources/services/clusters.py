"""Writes on clusters: adding one, its API token, the record of its runs, the cluster loop.

A cluster pushes its nightly ``sacct`` export to ``POST /api/accounting/`` with
``Authorization: Bearer <token>``. The token is made here with
:func:`secrets.token_urlsafe` (32 random bytes, 43 characters), shown once to staff
and stored only as its SHA-256 (hex) in ``Cluster.api_token_hash``: a copy of the
database does not let anyone push accounting.

The Slurm synchronisation (``projects``) and the accounting collection run against
every cluster, or one, through :func:`clusters_run` (select, lock, run) and record
each run on the cluster (:func:`cluster_sync_record`, :func:`cluster_collect_record`);
staff see the failures on their dashboard and the health endpoint reads them through
:func:`resources.selectors.clusters.cluster_failures`.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record

from ..accounting.parsing.sacct import ENERGY_FIELD
from ..accounting.parsing.sacct import SACCT_FIELDS as SACCT_COLUMNS
from ..models import Cluster
from ..models.clusters import token_hash
from ..selectors.clusters import cluster_for_name, clusters_by_name
from ..slurm_cli import SlurmBusy, cluster_lock

security_log = logging.getLogger("algoric.security")

#: Random bytes in a new token (``secrets.token_urlsafe``; 32 bytes = 256 bits).
TOKEN_BYTES = 32

#: A cluster name as Slurm writes it in the ``Cluster`` field of ``sacct`` (and as it is
#: put in the push URL): letters, digits, ``-``, ``_`` and ``.``; 1 to 64 characters.
CLUSTER_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def cluster_create(*, name: str, actor) -> Cluster:
    """Add the cluster ``name`` (without a token: see :func:`cluster_rotate_token`).

    Args:
        name: the cluster's name as Slurm knows it (surrounding spaces are removed).
        actor: the staff user adding it (logged).

    Raises:
        ValidationError: ``{"name": …}`` when the name is empty, has characters other
            than letters, digits, ``.``, ``_`` and ``-``, is longer than 64 characters
            or is already taken.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the cluster's name.")})
    if not CLUSTER_NAME_RE.match(name):
        raise ValidationError({"name": _(
            "A cluster name has 1 to 64 letters, digits, dots, dashes or underscores, "
            "as Slurm writes it.")})
    if cluster_for_name(name=name) is not None:
        raise ValidationError({"name": _("A cluster named “%(name)s” already exists.")
                               % {"name": name}})
    try:
        with transaction.atomic():
            cluster = Cluster.objects.create(name=name)
            audit_record(action="cluster.created", actor=actor, target=cluster)
    except IntegrityError:  # created by someone else in the meantime
        raise ValidationError({"name": _("A cluster named “%(name)s” already exists.")
                               % {"name": name}}) from None
    security_log.info("cluster created: cluster=%s by user=%s", cluster.name,
                      getattr(actor, "pk", None))
    return cluster


def cluster_rotate_token(*, cluster: Cluster, actor) -> str:
    """Give ``cluster`` a new API token and return it; the previous token stops working.

    Only the token's SHA-256 is stored (with the time it was made): the returned
    value is the one and only time the token can be shown.

    Args:
        cluster: the cluster to give a token to.
        actor: the staff user asking for it (logged, as a security event).

    Returns:
        The new token (43 URL-safe characters).
    """
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    with transaction.atomic():
        Cluster.objects.filter(pk=cluster.pk).update(api_token_hash=token_hash(token),
                                                     api_token_created_at=now)
        audit_record(action="cluster.token_rotated", actor=actor, target=cluster)
    cluster.api_token_hash = token_hash(token)
    cluster.api_token_created_at = now
    security_log.warning("cluster API token rotated: cluster=%s by user=%s", cluster.name,
                         getattr(actor, "pk", None))
    return token


#: The ``sacct`` fields of the nightly push and of a collection, comma-separated: the
#: columns the import expects without a header (the 26 fields of Open XDMoD, PRODUCT.md)
#: plus the optional ``ConsumedEnergyRaw`` (joules).
SACCT_FIELDS = ",".join((*SACCT_COLUMNS, ENERGY_FIELD))


def push_url(*, cluster_name: str) -> str:
    """The absolute URL a cluster pushes its ``sacct`` export to (from ``SITE_URL``)."""
    return (f"{settings.SITE_URL.rstrip('/')}{reverse('accounting_api')}"
            f"?cluster={quote(cluster_name, safe='')}&format=sacct")


def push_cron_line(*, cluster_name: str, token: str) -> str:
    """The crontab line that pushes yesterday's jobs of ``cluster_name`` every night at 02:00.

    ``sacct`` runs in UTC (the import reads UTC times) over the previous day,
    allocations only (steps are not sent), and ``curl`` posts its output with the
    cluster's token. ``%`` is escaped (``\\%``) because cron turns a bare ``%`` into
    a newline. Overlapping windows are harmless: each job is imported once.
    """
    return (
        "0 2 * * * TZ=UTC sacct --allusers --parsable2 --noheader --allocations --duplicates "
        r"--starttime $(date -d yesterday +\%F) --endtime $(date +\%F) "
        f"--format {SACCT_FIELDS} | "
        f'curl --fail --silent --show-error -H "Authorization: Bearer {token}" '
        f'-H "Content-Type: text/plain" --data-binary @- "{push_url(cluster_name=cluster_name)}"'
    )


# --- The record of each sync and collection ----------------------------------------------

#: Longest failure message kept, characters.
ERROR_LENGTH = 2000


def cluster_sync_record(*, cluster: Cluster, ok: bool, error: str = "", changes: int = 0) -> None:
    """Record a Slurm synchronisation of ``cluster`` that just ended.

    ``ok``: it read and applied everything; ``error``: why not (cut to
    :data:`ERROR_LENGTH` characters); ``changes``: how many ``sacctmgr`` changes it
    applied (also on failure: those applied before it stopped).
    """
    now = timezone.now()
    values = {"last_sync_at": now, "last_sync_ok": ok, "last_sync_error": error[:ERROR_LENGTH],
              "last_sync_changes": changes}
    Cluster.objects.filter(pk=cluster.pk).update(**values)
    for field, value in values.items():
        setattr(cluster, field, value)


def cluster_collect_record(*, cluster: Cluster, ok: bool, error: str = "", jobs: int = 0) -> None:
    """Record an accounting collection of ``cluster`` that just ended.

    ``ok``: ``sacct`` ran and its output was imported; ``error``: why not;
    ``jobs``: how many job records the collection added.
    """
    now = timezone.now()
    values = {"last_collect_at": now, "last_collect_ok": ok,
              "last_collect_error": error[:ERROR_LENGTH], "last_collect_jobs": jobs}
    Cluster.objects.filter(pk=cluster.pk).update(**values)
    for field, value in values.items():
        setattr(cluster, field, value)


# --- The cluster loop --------------------------------------------------------------------

#: Longest a sync or a collection may hold its cluster's lock, seconds (the lock expires
#: then, so a worker that died does not keep it).
LOCK_SECONDS = 3600

class ClusterSelectionError(Exception):
    """There is no cluster to run on; ``str(exc)`` says why and what to do."""


class UnknownCluster(ClusterSelectionError):
    """No registered cluster has the name asked for."""


class NoCluster(ClusterSelectionError):
    """No cluster is registered at all."""


@dataclass(frozen=True)
class ClusterOutcome[T]:
    """How one cluster's run ended: ``result`` (what ``run`` returned) when it worked,
    else ``error`` (one of the expected errors, or :class:`~resources.slurm_cli.SlurmBusy`
    when another run of the same work held the cluster's lock)."""

    cluster: Cluster
    result: T | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        """Whether the run ended without an expected error."""
        return self.error is None


def clusters_run[T](*, work: str, run: Callable[[Cluster], T],
                    errors: tuple[type[Exception], ...], name: str | None = None,
                    lock_seconds: int) -> list[ClusterOutcome[T]]:
    """Run ``run`` on the cluster called ``name``, or on every registered cluster, each
    under its lock: the one loop of the Slurm sync and the accounting collection (beat
    tasks and commands alike).

    Args:
        work: what is run, the lock's name (``"sync"``, ``"collect"``): a second run of
            the same work on the same cluster (the beat task and a command started by
            hand) is refused, not run alongside (:func:`resources.slurm_cli.cluster_lock`).
        run: called with each :class:`~resources.models.Cluster`, inside its lock; it
            records its own outcome on the cluster (``cluster_*_record``).
        errors: the exceptions of ``run`` that end one cluster's run and not the loop;
            any other exception is raised at once.
        name: one cluster's name (case-insensitive, surrounding spaces ignored), or
            ``None`` (or empty) for every cluster, by name.
        lock_seconds: longest the lock is held, seconds (:data:`LOCK_SECONDS`).

    Returns one :class:`ClusterOutcome` per cluster, in the order they ran.

    Raises:
        UnknownCluster: no registered cluster is called ``name``.
        NoCluster: no cluster is registered (``name`` not given).
    """
    if name:
        found = cluster_for_name(name=name)
        if found is None:
            raise UnknownCluster(_("Unknown cluster “%(name)s”: add it on the staff "
                                   "clusters page first.") % {"name": name})
        clusters = [found]
    else:
        clusters = clusters_by_name()
        if not clusters:
            raise NoCluster(_("No cluster is registered: add one on the staff clusters "
                              "page first."))
    outcomes: list[ClusterOutcome[T]] = []
    for cluster in clusters:
        try:
            with cluster_lock(work=work, cluster=cluster.name, seconds=lock_seconds):
                result = run(cluster)
        except (*errors, SlurmBusy) as exc:
            outcomes.append(ClusterOutcome(cluster=cluster, error=exc))
        else:
            outcomes.append(ClusterOutcome(cluster=cluster, result=result))
    return outcomes


def clusters_run_all(*, work: str, run: Callable[[Cluster], object],
                     errors: tuple[type[Exception], ...], lock_seconds: int,
                     logger: logging.Logger, label: str) -> dict[str, object]:
    """:func:`clusters_run` on every cluster, for a beat task: nothing to do without a
    cluster, each failure logged and kept as text.

    ``logger``, ``label``: each failed run is logged as a warning
    ``"<label> of <cluster>: <error>"`` (e.g. ``label="Slurm sync"``); the other
    arguments are those of :func:`clusters_run`.

    Returns ``{cluster name: what run returned, or the error's text}`` (``{}`` when
    no cluster is registered).
    """
    try:
        outcomes = clusters_run(work=work, run=run, errors=errors, lock_seconds=lock_seconds)
    except NoCluster:
        return {}
    summary: dict[str, object] = {}
    for item in outcomes:
        if item.ok:
            summary[item.cluster.name] = item.result
        else:
            logger.warning("%s of %s: %s", label, item.cluster.name, item.error)
            summary[item.cluster.name] = str(item.error)
    return summary
