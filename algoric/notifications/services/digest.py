"""The weekly digest: one email per person listing the messages held for it.

A message of a category its recipient receives as a weekly digest is stored ``held``
(:func:`.store.notification_hold_for_digest`). Every Monday morning the beat task
(:func:`algoric.notifications.tasks.send_weekly_digests`) calls
:func:`notification_digests_build`: for each person, in one transaction, their held
messages are locked, listed in one ``notification_digest`` notification (deduplicated per
person and ISO week, so a second run that week stores nothing), and marked ``digested``.
A message stored while a digest is being built is not among the locked rows: it waits for
the next digest. The digest rows are then queued by the task (the sweeper sends them
otherwise), like every message of the outbox.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from ..models import Notification, NotificationCategory
from ..selectors import notification_digest_recipient_ids
from .store import notification_render, notification_store

#: The event (``templates/emails/notification_digest.*``) of the digest itself.
DIGEST_EVENT = "notification_digest"
#: Messages listed in one digest; beyond, the digest counts the others (all are marked).
DIGEST_MAX_LISTED = 50
#: Length of a message's text in the digest, in characters (links are listed apart).
SUMMARY_CHARS = 280

_URL = re.compile(r"https?://\S+")


@dataclass
class DigestItem:
    """One message as the digest lists it: its subject (without the site's prefix), when
    it was stored, a short text, and its links as ``[(label, url)]``."""

    subject: str
    created_at: datetime
    text: str
    links: list[tuple[str, str]] = field(default_factory=list)


def digest_week(when: datetime) -> str:
    """The ISO week of ``when`` in the portal's time zone, e.g. ``"2026-W50"`` (the
    digest's deduplication key: at most one digest per person and week)."""
    year, week, _day = timezone.localtime(when).isocalendar()
    return f"{year}-W{week:02d}"


def notification_summary(body: str, *, language: str) -> tuple[str, list[tuple[str, str]]]:
    """A message's short text and links, for the digest.

    ``body``: the message's plain text. The greeting (a first one-line paragraph ending
    with a comma) and the signature ("The Algoric team", in ``language``) are dropped;
    each line holding a web address becomes a link ``(label, url)``, its label the text
    before the address; the rest is joined and cut to :data:`SUMMARY_CHARS` characters.
    """
    with translation.override(language):
        signature = _("The Algoric team")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    if len(paragraphs) > 1 and "\n" not in paragraphs[0] and paragraphs[0].endswith(","):
        paragraphs = paragraphs[1:]
    if paragraphs and paragraphs[-1] == signature:
        paragraphs = paragraphs[:-1]
    texts, links = [], []
    for line in "\n".join(paragraphs).splitlines():
        match = _URL.search(line)
        if match:
            label = line[:match.start()].strip().rstrip(":").strip()
            links.append((label, match.group(0)))
        elif line.strip():
            texts.append(line.strip())
    return Truncator(" ".join(texts)).chars(SUMMARY_CHARS), links


def _groups(messages: list[Notification]) -> list[dict]:
    """The listed messages by category, in the categories' order (uncategorised last)."""
    prefix = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
    order = [value for value, _label in NotificationCategory.choices] + [""]
    labels = dict(NotificationCategory.choices)
    groups: dict[str, list[DigestItem]] = {}
    for message in messages:
        text, links = notification_summary(message.body, language=message.language)
        subject = message.subject.removeprefix(prefix) if prefix else message.subject
        groups.setdefault(message.category or "", []).append(
            DigestItem(subject=subject, created_at=message.created_at, text=text, links=links))
    return [{"label": labels.get(category) or _("Other messages"), "items": groups[category]}
            for category in order if category in groups]


def notification_digest_build(*, user, until: datetime) -> Notification | None:
    """Store ``user``'s weekly digest of the messages held for it up to ``until``.

    In one transaction: the held messages stored at or before ``until`` are locked
    (``SELECT … FOR UPDATE SKIP LOCKED``: rows another worker holds are left to it), the
    digest is stored with the deduplication key ``notification_digest:<user id>:<ISO
    week of until>``, and those messages — only those — are marked ``digested`` with a
    link to it. The first :data:`DIGEST_MAX_LISTED` are listed, the others counted.

    Returns the new digest (pending: the caller queues it), or ``None`` when nothing is
    held or the week's digest already exists (the held messages then wait for the next).
    """
    key = f"{DIGEST_EVENT}:{user.pk}:{digest_week(until)}"
    with transaction.atomic():
        if Notification.objects.filter(dedupe_key=key).exists():
            return None
        ids = list(Notification.objects.held().select_for_update(skip_locked=True)
                   .filter(recipient=user, created_at__lte=until)
                   .order_by("created_at", "pk").values_list("pk", flat=True))
        if not ids:
            return None
        listed = list(Notification.objects.filter(pk__in=ids[:DIGEST_MAX_LISTED])
                      .order_by("created_at", "pk"))
        subject, body, language = notification_render(
            event=DIGEST_EVENT, recipient=user,
            context={"groups": _groups(listed), "total": len(ids),
                     "more": len(ids) - len(listed)})
        digest = notification_store(email=user.email, event=DIGEST_EVENT, subject=subject,
                                    body=body, recipient=user, language=language,
                                    dedupe_key=key, in_inbox=False)
        if not digest.created:
            return None
        Notification.objects.filter(pk__in=ids, status=Notification.Status.HELD).update(
            status=Notification.Status.DIGESTED, digest=digest)
    return digest


def notification_digests_build(*, now: datetime | None = None, batch: int = 200) -> list[int]:
    """Build the weekly digest of every person with held messages (the beat task's work).

    ``now``: the cut-off (default: the current time); messages stored after it wait for
    the next digest. People are read ``batch`` at a time by ascending id, so the loop
    ends after one pass even when some digests already existed. Returns the ids of the
    digests stored, for the caller to queue.
    """
    now = now or timezone.now()
    built: list[int] = []
    after = 0
    while ids := notification_digest_recipient_ids(until=now, after_id=after, limit=batch):
        for user in get_user_model().objects.filter(pk__in=ids).order_by("pk"):
            digest = notification_digest_build(user=user, until=now)
            if digest is not None:
                built.append(digest.pk)
        after = ids[-1]
    return built
