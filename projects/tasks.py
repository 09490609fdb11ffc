"""Celery tasks of the projects app: the daily and hourly checks of allocations and
usage, the yearly usage reports, the yearly reminder to report research outputs, the
imports of research outputs from HAL, and the Slurm synchronisation (beat entries in
``settings.CELERY_BEAT_SCHEDULE`` name these tasks by their dotted path).

Tasks are thin: they take ids, and call one service. The enqueue helpers of the
reports and of the HAL imports (queue the task after commit, never raising when the
broker is down) live here, next to their task; the services never import this module.
"""

import logging
from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, transaction

from resources.services.clusters import LOCK_SECONDS, clusters_run_all

from .models import OutputImport, UsageReport
from .outputs.services.imports import output_import_run
from .outputs.services.reminders import outputs_send_reminders
from .reports.selectors import stale_usage_reports
from .reports.services import usage_report_generate, usage_reports_request_year
from .services import allocations, usage
from .services.slurm_sync import SlurmSyncError, slurm_sync

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def expire_allocations() -> int:
    """Mark expired the allocations past their end date (daily)."""
    return allocations.allocations_expire()


@shared_task(acks_late=True)
def send_allocation_expiry_reminders() -> int:
    """Remind PIs and managers 30 days before an allocation ends, once (daily)."""
    return allocations.allocations_send_expiry_reminders()


@shared_task(acks_late=True)
def check_usage_thresholds() -> int:
    """Tell PIs and managers when a CPU or GPU grant of this year reaches 80 % or 100 %,
    once each (hourly: the accounting import does not wake the projects app, this task
    looks at the usage summaries it keeps)."""
    return usage.usage_check_thresholds()


@shared_task(acks_late=True)
def send_outputs_reminders(year: int | None = None) -> int:
    """Ask the PI of each project that computed last year but reported no output of that
    year to add them (each year in January; once per project and year, event
    ``outputs_reminder``). Returns the number of reminders stored."""
    return outputs_send_reminders(year=year)


# --- Research outputs from HAL ----------------------------------------------------------

@shared_task(acks_late=True, reject_on_worker_lost=True)
def import_outputs_from_hal(import_id: int) -> str:
    """Run the HAL import ``import_id`` (see
    ``projects.outputs.services.imports.output_import_run``: claimed by a conditional
    update, so a second delivery does nothing; HAL's errors end it ``failed``). Returns
    its final status, or ``"skipped"``."""
    return output_import_run(import_id=import_id)


def output_import_enqueue(import_id: int) -> bool:
    """Queue :func:`import_outputs_from_hal` for ``import_id``. Never raises; ``False``
    when the broker is unreachable (the import stays ``queued`` and the next request of
    the project, past ``STALE_AFTER``, marks it failed). With eager Celery the import
    runs here, inline."""
    try:
        import_outputs_from_hal.apply_async(args=[import_id])
    except Exception:  # any broker trouble: the queued row is the source of truth
        logger.warning("HAL import %s not queued (broker unavailable)", import_id,
                       exc_info=True)
        return False
    return True


def output_import_enqueue_on_commit(output_import: OutputImport) -> None:
    """Queue the task of ``output_import`` (as returned by
    ``projects.outputs.services.imports.output_import_request``) once the current
    transaction commits (at once outside a transaction)."""
    transaction.on_commit(partial(output_import_enqueue, output_import.pk))


# --- Yearly usage reports ---------------------------------------------------------------

#: Errors worth a retry: the database or the disk may come back.
_TRANSIENT = (OSError,)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=5)
def generate_usage_report(self, report_id: int, generation: int | None = None) -> str:
    """Generate the files of a usage report (idempotent: see
    ``projects.reports.services.usage_report_generate``). Database and file-system
    errors are retried with backoff (30 s, 60 s, … at most 10 min); any other error
    leaves the report ``failed`` with its reason."""
    try:
        return usage_report_generate(report_id=report_id, generation=generation)
    except (DatabaseError, *_TRANSIENT) as error:
        raise self.retry(exc=error, countdown=min(600, 30 * 2 ** self.request.retries)) from error
    except Exception:
        return "failed"


def usage_report_enqueue(report_id: int, generation: int) -> bool:
    """Queue :func:`generate_usage_report` for ``report_id`` at ``generation``. Never
    raises; ``False`` when the broker is unreachable (the report stays ``queued`` and
    :func:`requeue_stale_usage_reports` sends it later). With eager Celery the report is
    generated here, inline."""
    try:
        generate_usage_report.apply_async(args=[report_id, generation])
    except Exception:  # any broker trouble: the queued row is the source of truth
        logger.warning("usage report %s not queued (broker unavailable)", report_id,
                       exc_info=True)
        return False
    return True


def usage_report_enqueue_on_commit(report: UsageReport) -> bool:
    """Queue the generation task of ``report``, as returned by
    ``projects.reports.services.usage_report_request``, once the current transaction
    commits (at once outside a transaction) — only when that call queued it
    (``report.needs_task``): a report already on its way, or a row that did not come
    from the service, is not queued again. Returns whether the task was scheduled."""
    if not getattr(report, "needs_task", False):
        return False
    transaction.on_commit(partial(usage_report_enqueue, report.pk, report.generation))
    return True


@shared_task(acks_late=True)
def generate_yearly_usage_reports(year: int | None = None) -> int:
    """Ask for last year's reports (each 2 January): every project with usage or
    allocations that year, and the centre; readers are told when each is done.
    Returns how many reports were asked for."""
    reports = usage_reports_request_year(year=year, notify_readers=True)
    for report in reports:
        usage_report_enqueue_on_commit(report)
    return len(reports)


@shared_task(acks_late=True)
def requeue_stale_usage_reports() -> int:
    """Queue again reports whose message was lost or whose worker died (every 5 min);
    see ``projects.reports.selectors.stale_usage_reports``. Returns how many were
    queued."""
    return sum(1 for report_id, generation in stale_usage_reports()
               if usage_report_enqueue(report_id, generation))


# --- Slurm synchronisation ---------------------------------------------------------------

@shared_task(acks_late=True)
def sync_slurm_clusters() -> dict:
    """Make every registered cluster's Slurm associations match the portal (hourly).

    Does nothing unless ``SLURM_SYNC`` is on. Each cluster's outcome is recorded on it
    (``last_sync_*``, shown on the staff dashboard) and each applied change is in the
    audit trail; a cluster whose sync is still running is left alone. Idempotent:
    a second run finds no difference. Returns ``{cluster: changes applied, or the
    error}``.
    """
    if not settings.SLURM_SYNC:
        return {}
    return clusters_run_all(
        work="sync", run=lambda cluster: slurm_sync(cluster=cluster).applied,
        errors=(SlurmSyncError,), lock_seconds=LOCK_SECONDS, logger=logger,
        label="Slurm sync")
