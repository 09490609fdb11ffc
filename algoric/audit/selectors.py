"""Reads of the audit trail."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from .models import AuditEvent


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_event_list(*, category: str | None = None, action: str | None = None,
                     actor: str | None = None, date_from: dt.date | None = None,
                     date_to: dt.date | None = None, ip: str | None = None,
                     user=None) -> QuerySet[AuditEvent]:
    """Audit events, newest first, filtered by what is given.

    ``category``: an :class:`AuditEvent.Category` value; ``action``: beginning of the
    action name (``agreement.`` gives every agreement action); ``actor``: part of the
    recorded email (case-insensitive); ``date_from`` / ``date_to``: days in
    ``TIME_ZONE``, both included; ``ip``: exact client address; ``user``: events whose
    actor is this user.
    """
    events = AuditEvent.objects.select_related("actor")
    if category:
        events = events.filter(category=category)
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(actor_label__icontains=actor)
    if date_from:
        events = events.filter(created_at__gte=_start_of(date_from))
    if date_to:
        events = events.filter(created_at__lt=_start_of(date_to + dt.timedelta(days=1)))
    if ip:
        events = events.filter(ip=ip)
    if user is not None:
        events = events.filter(actor=user)
    return events.order_by("-created_at", "-id")


def audit_actions() -> list[str]:
    """The distinct action names recorded so far, sorted (for the filter's suggestions)."""
    return sorted(AuditEvent.objects.values_list("action", flat=True).distinct())
