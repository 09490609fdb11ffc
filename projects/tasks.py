"""Daily tasks of the projects app (beat)."""

from celery import shared_task

from .services import allocations


@shared_task(acks_late=True)
def expire_allocations() -> int:
    """Mark expired the allocations past their end date (daily)."""
    return allocations.allocations_expire()


@shared_task(acks_late=True)
def send_allocation_expiry_reminders() -> int:
    """Remind PIs and managers 30 days before an allocation ends, once (daily)."""
    return allocations.allocations_send_expiry_reminders()
