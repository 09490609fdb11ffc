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

from django.db import transaction
from django.utils import timezone

# The module, not its names: ``tasks`` imports ``services.delivery``, and importing it
# first must not need this module complete (the order is outbox → tasks → delivery).
from algoric.notifications import tasks

from ..models import Notification
from .store import notification_render, notification_store

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
    its attribute ``created`` tells which (``True`` when this call stored it). Its
    ``category`` comes from the event's registration
    (:func:`algoric.core.registries.register_notification_events`); when its recipient
    chose the weekly digest for that category and the event is not mandatory, it is
    stored ``held`` (in the inbox at once, emailed in the next digest) and not queued.
    """
    notification = notification_store(
        email=email, event=event, subject=subject, body=body, body_html=body_html,
        recipient=recipient, language=language, dedupe_key=dedupe_key, in_inbox=in_inbox)
    if not notification.created or notification.status != Notification.Status.PENDING:
        return notification  # a repeat, or held for the weekly digest: nothing to queue
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
    subject, body, language = notification_render(event=event, recipient=recipient,
                                                  context=context, language=language)
    return notification_create(
        email=email or recipient.email,
        event=event,
        subject=subject,
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
