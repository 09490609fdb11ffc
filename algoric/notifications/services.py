"""Writes of the notification outbox: create, queue, send, sweep.

The rule (CONVENTIONS.md, habit 6): nothing is sent inside a request. ``notify``
stores a row in the caller's transaction and queues its sending after commit.
Queuing never raises: when the broker is down the row stays ``pending`` and
:func:`notification_sweep` queues it again later.
"""

from __future__ import annotations

import logging
import smtplib
import time
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification

logger = logging.getLogger(__name__)

#: Errors worth another try later: SMTP refusals and network trouble.
TRANSIENT_SEND_ERRORS: tuple[type[BaseException], ...] = (
    smtplib.SMTPException,
    ConnectionError,
    TimeoutError,
    OSError,
)


def notification_create(
    *,
    email: str,
    event: str,
    subject: str,
    body: str,
    body_html: str = "",
    recipient=None,
    language: str | None = None,
    dedupe_key: str | None = None,
    in_inbox: bool = True,
) -> Notification:
    """Store an already rendered message and queue its sending after commit.

    Args:
        email: address to send to.
        event: short event name, e.g. ``"agreement_approved"``.
        subject, body, body_html: the rendered message (``body_html`` optional).
        recipient: the ``members.User`` it is for, or ``None`` for a bare address.
        language: language code the message is written in (default: active language).
        dedupe_key: when given, a second call with the same key returns the first
            notification and queues nothing.
        in_inbox: whether the recipient sees it in their portal inbox.

    Returns the stored (or, for a repeated ``dedupe_key``, the existing) notification;
    its attribute ``created`` tells which (``True`` when this call stored it).
    """
    fields = {
        "recipient": recipient,
        "email": email,
        "event": event[:64],
        "subject": " ".join(subject.splitlines()).strip()[:255],
        "body": body,
        "body_html": body_html,
        "language": language or translation.get_language() or settings.LANGUAGE_CODE,
        "in_inbox": in_inbox and recipient is not None,
        "dedupe_key": dedupe_key,
    }
    if dedupe_key:
        existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            existing.created = False
            return existing
        try:
            with transaction.atomic():
                notification = Notification.objects.create(**fields)
        except IntegrityError:
            existing = Notification.objects.get(dedupe_key=dedupe_key)
            existing.created = False
            return existing
    else:
        notification = Notification.objects.create(**fields)
    notification.created = True
    transaction.on_commit(partial(notification_enqueue, notification_id=notification.pk))
    return notification


def notify(
    *,
    event: str,
    recipient=None,
    email: str | None = None,
    context: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    language: str | None = None,
    in_inbox: bool = True,
) -> Notification:
    """Render ``templates/emails/<event>.*`` for one person and store it in the outbox.

    Args:
        event: template name under ``templates/emails/``: ``<event>.subject.txt`` and
            ``<event>.body.txt`` are required, ``<event>.body.html`` is optional.
        recipient: a ``members.User``; its email and language are used unless given.
        email: address for a message to someone without an account.
        context: template context; ``recipient`` and ``site_url`` are added.
        dedupe_key: see :func:`notification_create`.
        language: overrides the recipient's language.

    Raises ``ValueError`` when neither ``recipient`` nor ``email`` is given and
    ``TemplateDoesNotExist`` when the event has no subject or body template.
    """
    if recipient is None and not email:
        raise ValueError("notify() needs a recipient or an email address.")
    address = email or recipient.email
    language = language or getattr(recipient, "language", None) or settings.LANGUAGE_CODE
    ctx = {"recipient": recipient, "site_url": settings.SITE_URL, **(context or {})}
    with translation.override(language):
        subject = render_to_string(f"emails/{event}.subject.txt", ctx)
        body = render_to_string(f"emails/{event}.body.txt", ctx).strip() + "\n"
    return notification_create(
        email=address,
        event=event,
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=body,
        recipient=recipient,
        language=language,
        dedupe_key=dedupe_key,
        in_inbox=in_inbox,
    )


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
    from .tasks import send_notification

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


def notification_send(*, notification_id: int) -> str:
    """Send one pending notification by email, at most once.

    The row is locked while it is sent (``SELECT … FOR UPDATE SKIP LOCKED`` on
    PostgreSQL), so two workers given the same id send it once. Returns
    ``"sent"``, ``"skipped"`` (already sent, failed, being sent, or gone) or
    ``"retry"``; raises the SMTP or network error after recording it, so the
    task can retry with backoff. After ``NOTIFICATION_MAX_ATTEMPTS`` tries the
    notification is marked failed and no error is raised.
    """
    error: BaseException | None = None
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, status=Notification.Status.PENDING)
            .first()
        )
        if notification is None:
            return "skipped"
        notification.attempts += 1
        message = EmailMultiAlternatives(
            subject=notification.subject,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.email],
            connection=get_connection(timeout=settings.EMAIL_TIMEOUT)
            if "smtp" in settings.EMAIL_BACKEND
            else get_connection(),
        )
        if notification.body_html:
            message.attach_alternative(notification.body_html, "text/html")
        try:
            message.send()
        except TRANSIENT_SEND_ERRORS as exc:
            error = exc
            notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                notification.status = Notification.Status.FAILED
                logger.error("notification %s failed after %s attempts: %s",
                             notification.pk, notification.attempts, notification.last_error)
        else:
            notification.status = Notification.Status.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
        notification.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    if error is not None and notification.status == Notification.Status.PENDING:
        raise error
    return "sent" if notification.status == Notification.Status.SENT else "skipped"


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


def notification_mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    """Mark the user's unread inbox notifications read (all, or only ``notification_ids``).

    Returns how many rows changed. Ids of other people's notifications are ignored.
    """
    qs = Notification.objects.filter(recipient=user, in_inbox=True, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())
