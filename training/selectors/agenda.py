"""The public agenda: published sessions and events, upcoming or past."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ..models import Event, Registration, Session


@dataclass
class AgendaEntry:
    """One line of the agenda: a course ``session`` or an ``event`` (one of them is set).

    ``kind``: ``"session"`` or the event's kind; ``starts_at``/``ends_at``: aware datetimes.
    """

    kind: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    session: Session | None = None
    event: Event | None = None

    @property
    def seats_left(self) -> int | None:
        """Free seats of a session (``None`` for an event)."""
        if self.session is None:
            return None
        return max(self.session.capacity - getattr(self.session, "seats_taken", 0), 0)

    @property
    def uid(self) -> str:
        """A stable identifier (the iCalendar ``UID``)."""
        if self.session is not None:
            return f"session-{self.session.pk}@algoric"
        return f"event-{self.event.pk}@algoric"


def sessions_with_seats():
    """Published sessions with ``seats_taken`` (confirmed registrations) annotated."""
    return (Session.objects.published().select_related("course")
            .annotate(seats_taken=Count("registrations", filter=Q(
                registrations__status=Registration.Status.CONFIRMED))))


def agenda_entries(*, past: bool = False, now: dt.datetime | None = None,
                   limit: int | None = None) -> list[AgendaEntry]:
    """Published sessions and events in time order: those not yet ended (``past=False``,
    soonest first) or those ended (``past=True``, latest first). Two queries."""
    now = now or timezone.now()
    ended = Q(ends_at__lte=now)
    sessions = sessions_with_seats().filter(ended if past else ~ended)
    events = Event.objects.published().filter(ended if past else ~ended)
    entries = [AgendaEntry(kind="session", title=s.course.title, starts_at=s.starts_at,
                           ends_at=s.ends_at, place=s.place, session=s) for s in sessions]
    entries += [AgendaEntry(kind=e.kind, title=e.title, starts_at=e.starts_at,
                            ends_at=e.ends_at, place=e.place, event=e) for e in events]
    entries.sort(key=lambda entry: (entry.starts_at, entry.uid), reverse=past)
    return entries[:limit] if limit else entries


def all_agenda_entries() -> list[AgendaEntry]:
    """Every published entry, upcoming and past (the iCalendar feed)."""
    return sorted(agenda_entries(past=True) + agenda_entries(past=False),
                  key=lambda entry: (entry.starts_at, entry.uid))


def public_session(*, pk: int) -> Session:
    """A published session with ``seats_taken``; ``Http404`` otherwise."""
    return get_object_or_404(sessions_with_seats(), pk=pk)


def public_event(*, pk: int) -> Event:
    """A published event; ``Http404`` otherwise."""
    return get_object_or_404(Event.objects.published(), pk=pk)
