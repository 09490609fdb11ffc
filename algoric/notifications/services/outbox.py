"""The outbox: a notification is a row stored in the caller's transaction.

The rule (CONVENTIONS.md, habit 6): nothing is sent inside a request. :func:`notify`
renders the message and stores it with the change it reports; its sending is queued
after commit (:func:`algoric.notifications.tasks.notification_enqueue`). Queuing never
raises: when the broker is down the row stays ``pending`` and the sweeper queues it again.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

# The module, not its names: ``tasks`` imports ``services.delivery``, and importing it
# first must not need this module complete (the order is outbox → tasks → delivery).
from algoric.notifications import tasks

from ..models import Notification

logger = logging.getLogger(__name__)


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
    transaction.on_commit(partial(tasks.notification_enqueue, notification_id=notification.pk))
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


def notification_mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    """Mark the user's unread inbox notifications read (all, or only ``notification_ids``).

    Returns how many rows changed. Ids of other people's notifications are ignored.
    """
    qs = Notification.objects.filter(recipient=user, in_inbox=True, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())
