"""The training figures of a year: sessions, attendees, hours of training, school visits.

Read by the centre's activity report and the public statistics through
``algoric.core.registries.register_centre_report_section`` (``projects`` cannot import
``training``, the layer above it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Event, Registration, Session


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_default_timezone()
    return dt.datetime(year, 1, 1, tzinfo=zone), dt.datetime(year + 1, 1, 1, tzinfo=zone)


def training_figures(*, year: int) -> dict[str, int | Decimal]:
    """What the centre taught in ``year`` (sessions that started that year, in
    ``TIME_ZONE``): ``sessions`` held; ``attendees``: registrations marked present, or
    confirmed where attendance was not marked; ``hours``: attendee-hours of training
    (attendees × the course's ``duration_hours``); ``school_visits`` and ``pupils``
    (their ``participants``); ``events`` (every other event). Three queries."""
    start, end = _year_bounds(year)
    now = timezone.now()
    end = min(end, now)
    counted = Registration.objects.filter(
        session__starts_at__gte=start, session__starts_at__lt=end,
    ).filter(Q(attended=True) | Q(attended__isnull=True, status=Registration.Status.CONFIRMED))
    totals = counted.aggregate(attendees=Count("pk"),
                               hours=Sum(F("session__course__duration_hours")))
    sessions = Session.objects.filter(starts_at__gte=start, starts_at__lt=end).count()
    events = Event.objects.filter(starts_at__gte=start, starts_at__lt=end).aggregate(
        visits=Count("pk", filter=Q(kind=Event.Kind.SCHOOL_VISIT)),
        pupils=Sum("participants", filter=Q(kind=Event.Kind.SCHOOL_VISIT)),
        others=Count("pk", filter=~Q(kind=Event.Kind.SCHOOL_VISIT)))
    return {"sessions": sessions, "attendees": totals["attendees"] or 0,
            "hours": totals["hours"] or Decimal(0), "school_visits": events["visits"] or 0,
            "pupils": events["pupils"] or 0, "events": events["others"] or 0}


def training_report_section(*, year: int) -> dict:
    """The section of the centre report (and the public statistics): ``{"title": …,
    "rows": [(label, value), …]}`` in the active language."""
    figures = training_figures(year=year)
    return {"title": _("Training and outreach"), "rows": [
        (_("Training sessions"), figures["sessions"]),
        (_("Attendees"), figures["attendees"]),
        (_("Hours of training (attendee-hours)"), figures["hours"]),
        (_("School visits"), figures["school_visits"]),
        (_("Pupils met in school visits"), figures["pupils"]),
        (_("Conferences, forums, seminars and open days"), figures["events"]),
    ]}
