"""Collecting accounting by running ``sacct`` on the portal's machine.

For a portal installed next to its cluster (with Slurm's client commands and munge
access to slurmdbd): ``collect_accounting`` runs ``sacct`` itself with the format of
the nightly push (``resources.services.clusters.SACCT_FIELDS``: the 26 fields of
PRODUCT.md plus ``ConsumedEnergyRaw``; UTC; ``--parsable2 --noheader --allocations
--duplicates``) from the last collected end time, and imports the output through the
same import service as uploads and pushes (``accounting_import_create`` and
``accounting_import_run``), so each job is stored once however windows overlap.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ...models import AccountingImport, Cluster
from ...services.clusters import SACCT_FIELDS, cluster_collect_record
from ...slurm_cli import SlurmCommandError, run_slurm
from ..selectors import collect_since, duplicate_of
from .imports import accounting_import_create, accounting_import_run
from .intake import sha256_of

#: ``sacct`` time format (local time of the command, which runs with ``TZ=UTC``).
SACCT_TIME = "%Y-%m-%dT%H:%M:%S"


class CollectError(Exception):
    """The collection failed (``sacct`` or the import); ``str(exc)`` says why."""


@dataclass(frozen=True)
class CollectResult:
    """What one collection did.

    ``since``: start of the ``sacct`` window (UTC); ``import_id``: the import it
    created, ``None`` when ``sacct`` printed nothing or exactly what an earlier
    collection imported; ``jobs_added``, ``duplicates``, ``unfinished``: the import's
    counts (jobs stored, jobs already stored, jobs still pending or running).
    """

    cluster: str
    since: datetime.datetime
    import_id: int | None
    jobs_added: int = 0
    duplicates: int = 0
    unfinished: int = 0
    lines: int = 0


def sacct_arguments(*, cluster: str, since: datetime.datetime) -> list[str]:
    """The ``sacct`` arguments of a collection of ``cluster`` from ``since`` (aware) to now.

    Every user's allocations (job steps are not listed: the import counts jobs),
    requeued jobs kept (``--duplicates``), one cluster (``--clusters``), in the
    push format (:data:`SACCT_FIELDS`). ``sacct`` lists the jobs that were pending,
    running or ended within the window.
    """
    start = since.astimezone(datetime.UTC).strftime(SACCT_TIME)
    return ["--allusers", "--parsable2", "--noheader", "--allocations", "--duplicates",
            "--clusters", cluster, "--starttime", start, "--endtime", "now",
            "--format", SACCT_FIELDS]


def accounting_collect(*, cluster: Cluster, since: datetime.datetime | None = None,
                       actor=None) -> CollectResult:
    """Run ``sacct`` for ``cluster`` and import what it prints; record the run on the cluster.

    Args:
        cluster: a registered cluster (its name is the one Slurm knows).
        since: start of the window, aware (default:
            :func:`resources.accounting.selectors.collect_since`).
        actor: the user who asked (``None``: the beat task).

    The output goes to a temporary file (large windows are not held in memory). An
    empty output, or the same bytes as an earlier collection, adds nothing and is
    not an error. Raises :class:`CollectError` when ``sacct`` is missing, fails or
    times out (nothing is imported), or when the import fails; the failure is
    recorded on the cluster (``last_collect_*``) either way.
    """
    since = since or collect_since(cluster=cluster)
    if timezone.is_naive(since):
        since = since.replace(tzinfo=datetime.UTC)
    try:
        result = _collect(cluster=cluster, since=since, actor=actor)
    except CollectError as exc:
        cluster_collect_record(cluster=cluster, ok=False, error=str(exc))
        raise
    cluster_collect_record(cluster=cluster, ok=True, jobs=result.jobs_added)
    return result


def _collect(*, cluster: Cluster, since: datetime.datetime, actor) -> CollectResult:
    with tempfile.TemporaryFile(prefix="algoric-sacct-") as output:
        try:
            run_slurm("sacct", sacct_arguments(cluster=cluster.name, since=since),
                      timeout=settings.SLURM_SACCT_TIMEOUT, stdout=output)
        except SlurmCommandError as exc:
            raise CollectError(str(exc)) from exc
        size = output.seek(0, os.SEEK_END)
        output.seek(0)
        if size == 0:
            return CollectResult(cluster=cluster.name, since=since, import_id=None)
        now = timezone.now().astimezone(datetime.UTC)
        name = (f"sacct-{cluster.name}-{since.astimezone(datetime.UTC):%Y%m%dT%H%M%S}-"
                f"{now:%Y%m%dT%H%M%S}.txt")
        try:
            accounting_import = accounting_import_create(
                file_name=name, size_bytes=size, sha256=sha256_of(output),
                format=AccountingImport.Format.SACCT, cluster=cluster.name,
                source=AccountingImport.Source.COLLECT, actor=actor)
        except ValidationError as exc:
            if exc.code == "duplicate" or _is_duplicate(output):
                # The same output as an earlier collection: nothing new ended.
                return CollectResult(cluster=cluster.name, since=since, import_id=None)
            raise CollectError(" ".join(exc.messages)) from exc
        output.seek(0)
        accounting_import = accounting_import_run(accounting_import=accounting_import,
                                                  stream=output)
    if accounting_import.status == AccountingImport.Status.FAILED:
        raise CollectError(_("The import of sacct's output failed (import #%(id)d): "
                             "%(failure)s")
                           % {"id": accounting_import.pk, "failure": accounting_import.failure})
    return CollectResult(
        cluster=cluster.name, since=since, import_id=accounting_import.pk,
        jobs_added=accounting_import.jobs_added,
        duplicates=accounting_import.duplicates_skipped,
        unfinished=accounting_import.unfinished_skipped, lines=accounting_import.lines_read)


def _is_duplicate(output) -> bool:
    output.seek(0)
    return duplicate_of(sha256_of(output)) is not None
