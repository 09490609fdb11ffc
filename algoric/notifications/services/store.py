"""Writing a message into the outbox, without queuing it.

:func:`notification_render` renders ``templates/emails/<event>.*`` in the recipient's
language; :func:`notification_store` stores the row, with its category and, for a person
who chose the weekly digest of that category, held for the digest. Queuing the sending is
the caller's: :mod:`.outbox` after commit, or the digest task
(:mod:`algoric.notifications.tasks`), which cannot import :mod:`.outbox` (it imports the
tasks).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from algoric.core.registries import notification_event

from ..models import Notification
from ..selectors import notification_wants_digest


def notification_render(*, event: str, recipient=None, context: dict[str, Any] | None = None,
                        language: str | None = None) -> tuple[str, str, str]:
    """Render ``templates/emails/<event>.subject.txt`` and ``.body.txt``.

    ``context`` gets ``recipient`` and ``site_url``; the language is ``language``, else the
    recipient's, else ``LANGUAGE_CODE``. Returns ``(subject, body, language)``, the
    subject with the site's prefix. Raises ``TemplateDoesNotExist`` for an unknown event.
    """
    language = language or getattr(recipient, "language", None) or settings.LANGUAGE_CODE
    ctx = {"recipient": recipient, "site_url": settings.SITE_URL, **(context or {})}
    with translation.override(language):
        subject = render_to_string(f"emails/{event}.subject.txt", ctx)
        body = render_to_string(f"emails/{event}.body.txt", ctx).strip() + "\n"
    return settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body, language


def notification_hold_for_digest(*, event: str, recipient, in_inbox: bool) -> tuple[str, bool]:
    """``(category, hold)`` for a new message: its registered category (``""`` when the
    event is not registered) and whether it waits for the weekly digest — only for a
    message to an account, shown in the inbox, of a registered event that is not
    mandatory, in a category the person receives as a weekly digest."""
    kind = notification_event(event)
    if kind is None:
        return "", False
    hold = (recipient is not None and in_inbox and not kind.mandatory
            and notification_wants_digest(user=recipient, category=kind.category))
    return kind.category, hold


def notification_store(
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
    """Store a rendered message (arguments: see
    :func:`algoric.notifications.services.outbox.notification_create`); queue nothing.

    Returns the stored notification, or for a ``dedupe_key`` already used the existing
    one; its attribute ``created`` says which. Its ``status`` is ``held`` when it waits
    for the weekly digest (:func:`notification_hold_for_digest`), else ``pending``.
    """
    if dedupe_key:
        existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            existing.created = False
            return existing
    in_inbox = in_inbox and recipient is not None
    category, hold = notification_hold_for_digest(event=event[:64], recipient=recipient,
                                                  in_inbox=in_inbox)
    fields = {
        "recipient": recipient,
        "email": email,
        "event": event[:64],
        "category": category,
        "status": Notification.Status.HELD if hold else Notification.Status.PENDING,
        "subject": " ".join(subject.splitlines()).strip()[:255],
        "body": body,
        "body_html": body_html,
        "language": language or translation.get_language() or settings.LANGUAGE_CODE,
        "in_inbox": in_inbox,
        "dedupe_key": dedupe_key,
    }
    if dedupe_key:
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
    return notification
