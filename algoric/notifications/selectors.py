"""Reads of the outbox: the categories people choose the delivery of, their choices, and
who has messages waiting for the weekly digest."""

from __future__ import annotations

from datetime import datetime

from algoric.core.registries import notification_events

from .models import Notification, NotificationCategory, NotificationPreference

Delivery = NotificationPreference.Delivery


def notification_choice_categories() -> list[tuple[str, str]]:
    """The categories a person may receive as a weekly digest, ``[(value, label)]`` in
    :class:`NotificationCategory`'s order: those with at least one registered event that
    is not mandatory (a category of mandatory events only offers no choice)."""
    optional = {kind.category for kind in notification_events().values() if not kind.mandatory}
    return [(value, label) for value, label in NotificationCategory.choices if value in optional]


def notification_preferences_of(*, user) -> dict[str, str]:
    """``user``'s delivery per category, ``{category: Delivery value}``, for every category
    of :func:`notification_choice_categories` (``"immediate"`` where nothing was chosen)."""
    stored = dict(NotificationPreference.objects.filter(user=user)
                  .values_list("category", "delivery"))
    return {value: stored.get(value, Delivery.IMMEDIATE)
            for value, _label in notification_choice_categories()}


def notification_wants_digest(*, user, category: str) -> bool:
    """Whether ``user`` chose the weekly digest for ``category`` (one query)."""
    return NotificationPreference.objects.filter(
        user=user, category=category, delivery=Delivery.WEEKLY).exists()


def notification_digest_recipient_ids(*, until: datetime, after_id: int = 0,
                                      limit: int = 200) -> list[int]:
    """Ids of the people with messages held for the digest and stored at or before
    ``until``, greater than ``after_id``, ascending, at most ``limit`` (for keyset pages)."""
    return list(Notification.objects.held()
                .filter(created_at__lte=until, recipient_id__gt=after_id)
                .order_by("recipient_id").values_list("recipient_id", flat=True)
                .distinct()[:limit])


def notification_personal_data(user) -> list[dict]:
    """``user``'s stored delivery choices for the personal-data export:
    ``[{"category", "delivery", "updated_at"}]`` (categories without a row: every
    message as it comes)."""
    return [{"category": p.category, "delivery": p.delivery,
             "updated_at": p.updated_at.isoformat()}
            for p in NotificationPreference.objects.filter(user=user).order_by("category")]
