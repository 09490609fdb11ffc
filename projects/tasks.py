"""Periodic tasks of the projects app (beat)."""

from celery import shared_task

from resources.services.clusters import LOCK_SECONDS, clusters_run_all

from .services import allocations, usage
from .services.slurm_sync import SlurmSyncError, slurm_sync


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


# --- Yearly usage reports ---------------------------------------------------------------

#: Errors worth a retry: the database or the disk may come back.
_TRANSIENT = (OSError,)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=5)
def generate_usage_report(self, report_id: int, generation: int | None = None) -> str:
    """Generate the files of a usage report (idempotent: see
    ``projects.services.reports.usage_report_generate``). Database and file-system
    errors are retried with backoff (30 s, 60 s, … at most 10 min); any other error
    leaves the report ``failed`` with its reason."""
    from django.db import DatabaseError

    from .services.reports import usage_report_generate

    try:
        return usage_report_generate(report_id=report_id, generation=generation)
    except (DatabaseError, *_TRANSIENT) as error:
        raise self.retry(exc=error, countdown=min(600, 30 * 2 ** self.request.retries)) from error
    except Exception:
        return "failed"


@shared_task(acks_late=True)
def generate_yearly_usage_reports(year: int | None = None) -> int:
    """Ask for last year's reports (each 2 January): every project with usage or
    allocations that year, and the centre; readers are told when each is done.
    Returns how many reports were asked for."""
    from .services.reports import usage_reports_request_year

    return usage_reports_request_year(year=year, notify_readers=True)


@shared_task(acks_late=True)
def requeue_stale_usage_reports() -> int:
    """Queue again reports whose message was lost or whose worker died (every 5 min)."""
    from .services.reports import usage_reports_requeue_stale

    return usage_reports_requeue_stale()


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
    import logging

    from django.conf import settings

    if not settings.SLURM_SYNC:
        return {}
    return clusters_run_all(
        work="sync", run=lambda cluster: slurm_sync(cluster=cluster).applied,
        errors=(SlurmSyncError,), lock_seconds=LOCK_SECONDS,
        logger=logging.getLogger(__name__), label="Slurm sync")
