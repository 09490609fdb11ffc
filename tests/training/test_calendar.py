"""The agenda pages and the iCalendar feed (RFC 5545, read back with ``icalendar``)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from http import HTTPStatus

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from training.selectors.agenda import all_agenda_entries
from training.services.calendar import agenda_ical

from ..factories import EventFactory, SessionFactory

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def test_sessions_keep_their_local_hour_across_the_daylight_saving_change():
    """Saturday 27 March 2027 is in winter time (UTC+1), Monday 29 March in summer time
    (UTC+2, the change is on Sunday 28): both sessions at 09:30 in Paris."""
    before = SessionFactory(starts_at=dt.datetime(2027, 3, 27, 9, 30, tzinfo=PARIS),
                            ends_at=dt.datetime(2027, 3, 27, 12, 30, tzinfo=PARIS),
                            registration_deadline=dt.datetime(2027, 3, 25, tzinfo=PARIS))
    after = SessionFactory(starts_at=dt.datetime(2027, 3, 29, 9, 30, tzinfo=PARIS),
                           ends_at=dt.datetime(2027, 3, 29, 12, 30, tzinfo=PARIS),
                           registration_deadline=dt.datetime(2027, 3, 27, tzinfo=PARIS))
    calendar = parse(agenda_ical(entries=all_agenda_entries()))
    events = {event["UID"]: event for event in calendar.walk("VEVENT")}
    assert len(events) == 2
    for session, offset in ((before, dt.timedelta(hours=1)), (after, dt.timedelta(hours=2))):
        event = events[f"session-{session.pk}@algoric"]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert start == session.starts_at and end == session.ends_at
        assert start.utcoffset() == offset
        assert (start.astimezone(PARIS).hour, start.astimezone(PARIS).minute) == (9, 30)
        assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    # The zone's definition travels with the feed, first, with both of its rules.
    zones = calendar.walk("VTIMEZONE")
    assert [zone["TZID"] for zone in zones] == ["Europe/Paris"]
    assert calendar.subcomponents[0].name == "VTIMEZONE"
    assert {component.name for component in zones[0].subcomponents} == {"STANDARD",
                                                                         "DAYLIGHT"}
    assert zones[0].to_tz().utcoffset(dt.datetime(2027, 3, 29, 9, 30)) == dt.timedelta(hours=2)


def test_feed_is_valid_icalendar_with_sessions_and_events():
    session = SessionFactory()
    event = EventFactory(kind="school_visit", title="Visite <b>du lycée</b>")
    response_body = agenda_ical(entries=all_agenda_entries())
    assert response_body.startswith(b"BEGIN:VCALENDAR\r\n")
    calendar = parse(response_body)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    summaries = {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}
    assert summaries == {session.course.title, event.title}
    for vevent in calendar.walk("VEVENT"):
        assert vevent["UID"] and vevent["DTSTAMP"] and vevent["URL"].startswith("http")


def test_unpublished_entries_stay_out_of_the_feed(client):
    SessionFactory(is_published=False)
    EventFactory(is_published=False)
    response = client.get(reverse("training:agenda_ics"))
    assert parse(response.content).walk("VEVENT") == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_feed_url_in_both_languages(client, language):
    session = SessionFactory()
    with translation.override(language):
        url = reverse("training:agenda_ics")
        page = reverse("training:session_detail", args=[session.pk])
    assert url == ("/agenda.ics" if language == "fr" else "/en/agenda.ics")
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/calendar")
    vevent = parse(response.content).walk("VEVENT")[0]
    assert str(vevent["URL"]).endswith(page)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_agenda_page_lists_upcoming_and_past(client, language):
    upcoming = SessionFactory()
    past_start = timezone.now() - dt.timedelta(days=30)
    past = EventFactory(title="Journée portes ouvertes", kind="open_day",
                        starts_at=past_start, ends_at=past_start + dt.timedelta(hours=4))
    with translation.override(language):
        url = reverse("training:agenda")
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert upcoming.course.title in body and past.title in body
    assert body.index(upcoming.course.title) < body.index(past.title)
    assert f'lang="{language}"' in body


def test_event_page_escapes_its_text(client):
    event = EventFactory(description="<script>alert(1)</script>")
    response = client.get(reverse("training:event_detail", args=[event.pk]))
    assert "<script>alert(1)</script>" not in response.content.decode()
