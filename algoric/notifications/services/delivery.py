"""Sending one stored notification by email, at most once (run by the worker)."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from ..models import Notification

logger = logging.getLogger(__name__)

#: Errors worth another try later: SMTP refusals and network trouble.
TRANSIENT_SEND_ERRORS: tuple[type[BaseException], ...] = (
    smtplib.SMTPException,
    ConnectionError,
    TimeoutError,
    OSError,
)


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
