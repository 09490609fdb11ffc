"""Celery tasks of the outbox, and the helpers that queue them.

:func:`notification_enqueue` queues the sending of one stored notification (called after
commit by :func:`algoric.notifications.services.notify`); :func:`notification_sweep`
queues again what the broker lost (beat, every minute); :func:`send_weekly_digests`
builds each person's weekly digest and queues it (beat, Monday 07:00). The tasks call the
services.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Notification
from .services.delivery import TRANSIENT_SEND_ERRORS, notification_send
from .services.digest import notification_digests_build

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_SEND_ERRORS,
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
    return notification_send(notification_id=notification_id)


@shared_task(acks_late=True)
def sweep_notifications() -> int:
    """Queue again the pending notifications the broker lost (beat, every minute)."""
    return notification_sweep()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_weekly_digests() -> int:
    """Build and queue every person's weekly digest (beat, Monday 07:00, ``TIME_ZONE``).

    Safe to run twice or again after a worker died: a digest is stored at most once per
    person and week, with its messages marked in the same transaction; a digest stored
    but not queued is sent by the sweeper. Returns how many digests were stored.
    """
    built = notification_digests_build()
    for notification_id in built:
        notification_enqueue(notification_id=notification_id)
    return len(built)


#: After the broker failed to take a message, requests skip publishing for this many
#: seconds (the rows wait in the outbox for the sweeper), so that a frozen broker
#: costs one request one socket timeout, not every request.
BROKER_BACKOFF_SECONDS = 10.0
_broker_down_until = 0.0


def notification_enqueue(*, notification_id: int, honour_backoff: bool = True) -> bool:
    """Queue the sending task for one notification. Never raises, never waits on SMTP.

    Returns ``True`` when the broker took the message (or when a worker is sending the
    notification right now: nothing to queue), ``False`` when the broker could not be
    reached (the row stays pending with no ``queued_at``; the sweeper queues it again).
    After a failure, calls within :data:`BROKER_BACKOFF_SECONDS` return ``False`` at
    once unless ``honour_backoff`` is false (the sweeper's case).

    ``queued_at`` is written before the message is published, under
    ``SELECT … FOR UPDATE SKIP LOCKED``: ``notification_send`` holds the row while it
    talks to SMTP (up to ``EMAIL_TIMEOUT``), and a request must never wait for that; once
    published, the row is left to the worker.
    """
    global _broker_down_until
    if honour_backoff and time.monotonic() < _broker_down_until:
        return False
    stamp = timezone.now()
    with transaction.atomic():
        status = (Notification.objects.select_for_update(skip_locked=True)
                  .filter(pk=notification_id).values_list("status", flat=True).first())
        if status is None and Notification.objects.filter(pk=notification_id).exists():
            return True  # locked: a worker is sending it at this moment
        if status == Notification.Status.PENDING:
            Notification.objects.filter(pk=notification_id).update(queued_at=stamp)
    try:
        send_notification.apply_async(args=[notification_id])
    except Exception:  # any broker trouble: the outbox row is the source of truth
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.warning("notification %s not queued (broker unavailable); the sweeper will "
                       "retry", notification_id, exc_info=True)
        with transaction.atomic():
            mine = list(Notification.objects.select_for_update(skip_locked=True)
                        .filter(pk=notification_id, status=Notification.Status.PENDING,
                                queued_at=stamp).values_list("pk", flat=True))
            Notification.objects.filter(pk__in=mine).update(queued_at=None)
        return False
    _broker_down_until = 0.0
    return True


def notification_sweep(*, now=None, limit: int = 500) -> int:
    """Queue again the pending notifications the broker lost or never received.

    A pending row is swept when it was never queued, or was queued more than
    ``NOTIFICATION_SWEEP_AFTER`` seconds ago, and is at least 5 s old (so a
    request's own after-commit queuing is not raced). At most ``limit`` rows per
    call. Returns how many were queued.
    """
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.NOTIFICATION_SWEEP_AFTER)
    ids = list(
        Notification.objects.pending()
        .filter(created_at__lte=now - timedelta(seconds=5))
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=stale))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    queued = 0
    for notification_id in ids:
        if notification_enqueue(notification_id=notification_id, honour_backoff=False):
            queued += 1
        else:
            break  # broker down: try again at the next sweep
    return queued
