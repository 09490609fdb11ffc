"""Clusters whose accounting the portal imports, and their API tokens.

A cluster pushes its nightly ``sacct`` export to ``POST /api/accounting/`` with
``Authorization: Bearer <token>``. The token is made here with
:func:`secrets.token_urlsafe` (32 random bytes, 43 characters), shown once to staff
and stored only as its SHA-256 (hex) in ``Cluster.api_token_hash``: a copy of the
database does not let anyone push accounting.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record

from .models import Cluster

security_log = logging.getLogger("algoric.security")

#: Random bytes in a new token (``secrets.token_urlsafe``; 32 bytes = 256 bits).
TOKEN_BYTES = 32

#: A cluster name as Slurm writes it in the ``Cluster`` field of ``sacct`` (and as it is
#: put in the push URL): letters, digits, ``-``, ``_`` and ``.``; 1 to 64 characters.
CLUSTER_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def token_hash(token: str) -> str:
    """The SHA-256 of ``token`` (UTF-8), as 64 lowercase hexadecimal digits."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


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
    if Cluster.objects.filter(name__iexact=name).exists():
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


def cluster_for_token(token: str) -> Cluster | None:
    """The cluster whose API token is ``token``, or ``None``.

    The lookup is by the token's SHA-256; the stored and computed hashes are then
    compared with :func:`hmac.compare_digest` (constant time). An empty token, or a
    cluster without a token, never matches.
    """
    if not token:
        return None
    digest = token_hash(token)
    cluster = Cluster.objects.filter(api_token_hash=digest).first()
    if cluster is None or not cluster.api_token_hash:
        return None
    if not hmac.compare_digest(cluster.api_token_hash.encode("ascii"), digest.encode("ascii")):
        return None
    return cluster


#: The ``sacct`` fields of the nightly push, in the order the import expects (the 26
#: fields of Open XDMoD, PRODUCT.md) plus the optional ``ConsumedEnergyRaw`` (joules).
SACCT_FIELDS = (
    "jobid,jobidraw,cluster,partition,qos,account,group,gid,user,uid,submit,eligible,start,"
    "end,elapsed,exitcode,state,nnodes,ncpus,reqcpus,reqmem,reqtres,alloctres,timelimit,"
    "nodelist,jobname,consumedenergyraw"
)


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
