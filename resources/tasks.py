"""Celery tasks of the resources app: running accounting imports, collecting accounting.

An import is created (and its file stored) by the upload page or the push API, which
then queue it with :func:`accounting_import_enqueue_on_commit`;
:func:`run_accounting_import` runs it in a worker. The task is a thin interface: it
re-reads the import, returns quietly when it has already finished, and calls the
import service, which is idempotent (a job is unique by cluster, raw job id and
submit time), so a task run again after its worker died (``acks_late``,
``reject_on_worker_lost``) adds nothing twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .accounting.models import FINISHED_STATUSES
from .accounting.services.collect import CollectError, accounting_collect
from .accounting.services.imports import accounting_import_run
from .models import AccountingImport
from .services.clusters import LOCK_SECONDS, clusters_run_all

logger = logging.getLogger(__name__)

#: An import still ``queued`` this long after it was created is queued again by
#: :func:`requeue_stale_accounting_imports` (its message was lost: broker down at commit).
REQUEUE_AFTER = timedelta(minutes=10)

#: An import still ``running`` this long after it started, whose cluster's import lock no
#: transaction holds, was left by a worker that died (SIGKILL, out of memory, host lost):
#: :func:`requeue_stale_accounting_imports` queues it again. The claim (``running``) and
#: the lock are taken milliseconds apart; a live run holds the lock until it ends.
ORPHANED_AFTER = timedelta(minutes=2)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_accounting_import(import_id: int) -> str:
    """Run the accounting import ``import_id`` from its stored file.

    Returns ``"missing"`` when the import does not exist, ``"skipped"`` when it has
    already finished (done, done with errors or failed), ``"no-file"`` when its file
    is not in storage, else the import's final status. An import left ``running`` by
    a worker that died is run again from the start; the service adds each job once.
    Bad content never raises (the import is marked failed by the service).
    """
    accounting_import = AccountingImport.objects.filter(pk=import_id).first()
    if accounting_import is None:
        logger.warning("accounting import %s: not found", import_id)
        return "missing"
    if accounting_import.status in FINISHED_STATUSES:
        return "skipped"
    if accounting_import.status == AccountingImport.Status.RUNNING:
        logger.warning("accounting import %s was left running (worker lost?): running it "
                       "again", import_id)
    if not accounting_import.file:
        logger.error("accounting import %s has no stored file", import_id)
        return "no-file"
    try:
        stream = accounting_import.file.open("rb")
    except FileNotFoundError:
        logger.error("accounting import %s: file %s is missing from storage", import_id,
                     accounting_import.file.name)
        return "no-file"
    with stream:
        # No progress callback: the service writes the progress to the row itself,
        # through a connection of its own (PostgreSQL), outside the import's transaction.
        result = accounting_import_run(accounting_import=accounting_import, stream=stream)
    logger.info("accounting import %s: %s, %s lines read, %s jobs added", import_id,
                result.status, result.lines_read, result.jobs_added)
    return result.status


def accounting_import_enqueue(import_id: int) -> bool:
    """Queue :func:`run_accounting_import` for ``import_id``. Never raises.

    Meant for ``transaction.on_commit``. Returns ``False`` when the broker could not
    be reached (the import stays ``queued``; :func:`requeue_stale_accounting_imports`
    queues it again later), ``True`` otherwise. With ``CELERY_TASK_ALWAYS_EAGER`` the
    import runs here, inline.
    """
    try:
        run_accounting_import.apply_async(args=[import_id])
    except Exception:  # any broker trouble: the queued row is the source of truth
        logger.warning("accounting import %s not queued (broker unavailable); it will be "
                       "queued again later", import_id, exc_info=True)
        return False
    return True


def accounting_import_enqueue_on_commit(import_id: int) -> None:
    """Queue :func:`run_accounting_import` for ``import_id`` once the current
    transaction commits (at once outside a transaction): after
    :func:`resources.accounting.services.intake.accounting_intake` has returned, so the
    worker finds the row and the file. With ``CELERY_TASK_ALWAYS_EAGER`` the import
    runs then, inline."""
    transaction.on_commit(partial(accounting_import_enqueue, import_id))


def _nobody_runs_imports_of(cluster: str) -> bool:
    """Whether no transaction holds the import lock of ``cluster`` (PostgreSQL: the
    transaction-level advisory lock taken by ``accounting_import_run`` for the whole
    run). Tried and released at once. ``False`` on other databases (no such lock)."""
    if connection.vendor != "postgresql":
        return False
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext('accounting_import'), "
                       "hashtext(%s))", [cluster])
        return bool(cursor.fetchone()[0])


@shared_task(acks_late=True)
def requeue_stale_accounting_imports() -> int:
    """Queue again the imports whose message or worker was lost.

    - still ``queued`` :data:`REQUEUE_AFTER` after their creation (the broker was down
      at commit time);
    - ``running`` for :data:`ORPHANED_AFTER` with no run holding their cluster's import
      lock (the worker died; Redis would hand the unacknowledged message to another
      worker only after its visibility timeout, an hour). The task runs it again from
      the start; each job is added once.

    For a periodic (beat) schedule. Returns how many imports were queued.
    """
    now = timezone.now()
    ids = list(AccountingImport.objects.filter(
        status=AccountingImport.Status.QUEUED, created_at__lt=now - REQUEUE_AFTER
    ).values_list("pk", flat=True)[:100])
    for pk, cluster in AccountingImport.objects.filter(
            status=AccountingImport.Status.RUNNING, started_at__lt=now - ORPHANED_AFTER
    ).values_list("pk", "cluster")[:100]:
        if _nobody_runs_imports_of(cluster):
            logger.warning("accounting import %s was left running by a lost worker: "
                           "queued again", pk)
            ids.append(pk)
    return sum(1 for import_id in ids if accounting_import_enqueue(import_id))


@shared_task(acks_late=True)
def collect_accounting_clusters() -> dict:
    """Run ``sacct`` and import the new jobs of every registered cluster (every 15 min).

    Does nothing unless ``ACCOUNTING_COLLECT`` is on. Each cluster's outcome is
    recorded on it (``last_collect_*``, shown on the staff dashboard); a cluster whose
    collection is still running is left alone. Returns ``{cluster: jobs added, or the
    error}``.
    """
    if not settings.ACCOUNTING_COLLECT:
        return {}
    return clusters_run_all(
        work="collect", run=lambda cluster: accounting_collect(cluster=cluster).jobs_added,
        errors=(CollectError,), lock_seconds=LOCK_SECONDS, logger=logger,
        label="accounting collection")
