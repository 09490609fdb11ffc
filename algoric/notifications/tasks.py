"""Celery tasks of the outbox: thin wrappers around the services."""

from celery import shared_task

from . import services


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=services.TRANSIENT_SEND_ERRORS,
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def send_notification(self, notification_id: int) -> str:
    """Send notification ``notification_id``; safe to run twice (see ``notification_send``).

    SMTP and network errors are retried with exponential backoff (5 s, 10 s, … capped
    at 10 min); beyond the task's retries the sweeper queues the row again.
    """
    return services.notification_send(notification_id=notification_id)


@shared_task(acks_late=True)
def sweep_notifications() -> int:
    """Queue again the pending notifications the broker lost (beat, every minute)."""
    return services.notification_sweep()
