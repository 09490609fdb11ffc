"""Periodic tasks of the projects app (beat)."""

from celery import shared_task

from .services import allocations, usage


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
