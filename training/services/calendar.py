"""The agenda as an iCalendar feed (RFC 5545), built with the ``icalendar`` library.

Times are written in the centre's zone (``TIME_ZONE``, ``DTSTART;TZID=Europe/Paris``)
with its ``VTIMEZONE`` definition (``Calendar.add_missing_timezones``), so a calendar
program shows a session at the hour announced, on either side of a daylight-saving
change.
"""

from __future__ import annotations

import datetime as dt

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..selectors.agenda import AgendaEntry

#: ``PRODID`` of the feed (RFC 5545, 3.7.3).
PRODID = "-//Algoric//Agenda//FR"


def _url(entry: AgendaEntry, language: str) -> str:
    with translation.override(language):
        if entry.session is not None:
            path = reverse("training:session_detail", kwargs={"pk": entry.session.pk})
        else:
            path = reverse("training:event_detail", kwargs={"pk": entry.event.pk})
    return settings.SITE_URL.rstrip("/") + path


def agenda_ical(*, entries: list[AgendaEntry], language: str = "fr",
                now: dt.datetime | None = None) -> bytes:
    """The iCalendar text (bytes, UTF-8, CRLF lines) of ``entries``: one ``VEVENT`` each
    (``UID`` stable, ``DTSTART``/``DTEND`` in ``TIME_ZONE``, summary, place, a link to its
    page in ``language``), then the ``VTIMEZONE`` of the zone, placed first."""
    zone = timezone.get_default_timezone()
    stamp = now or timezone.now()
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    with translation.override(language):
        calendar.add("x-wr-calname", _("Algoric agenda"))
        calendar.add("x-wr-timezone", settings.TIME_ZONE)
        for entry in entries:
            event = icalendar.Event()
            event.add("uid", entry.uid)
            event.add("dtstamp", stamp)
            event.add("dtstart", timezone.localtime(entry.starts_at, zone))
            event.add("dtend", timezone.localtime(entry.ends_at, zone))
            event.add("summary", entry.title)
            if entry.place:
                event.add("location", entry.place)
            event.add("url", _url(entry, language))
            if entry.session is not None:
                event.add("categories", [_("Training")])
                event.add("description", entry.session.course.summary)
            else:
                event.add("categories", [entry.event.get_kind_display()])
                event.add("description", entry.event.description)
            calendar.add_component(event)
    calendar.add_missing_timezones()
    calendar.subcomponents.sort(key=lambda component: component.name != "VTIMEZONE")
    return calendar.to_ical()
