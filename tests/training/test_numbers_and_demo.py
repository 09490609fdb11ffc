"""Training in the centre's numbers (activity report, public statistics) and the demo."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from algoric.core import registries
from projects.reports.centre import centre_report_content
from training.demo import demo_training
from training.models import Course, Event, Registration, Session
from training.selectors.numbers import training_figures

from ..factories import (
    CourseFactory,
    EventFactory,
    RegistrationFactory,
    SessionFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1
ZONE = timezone.get_default_timezone()


@pytest.fixture
def last_year():
    """Last year: two sessions (3 h and 6 h courses), five attendees counted, two school
    visits with 50 pupils and a forum; this year a session that must not count."""
    short = SessionFactory(course=CourseFactory(duration_hours=Decimal(3)),
                           starts_at=dt.datetime(YEAR, 3, 10, 14, tzinfo=ZONE),
                           ends_at=dt.datetime(YEAR, 3, 10, 17, tzinfo=ZONE),
                           registration_deadline=dt.datetime(YEAR, 3, 8, tzinfo=ZONE))
    long = SessionFactory(course=CourseFactory(duration_hours=Decimal(6)),
                          starts_at=dt.datetime(YEAR, 11, 4, 9, tzinfo=ZONE),
                          ends_at=dt.datetime(YEAR, 11, 4, 16, tzinfo=ZONE),
                          registration_deadline=dt.datetime(YEAR, 11, 1, tzinfo=ZONE))
    for _i in range(2):
        RegistrationFactory(session=short, attended=True)
    RegistrationFactory(session=short, attended=False)
    RegistrationFactory(session=short, status=Registration.Status.CANCELLED)
    RegistrationFactory(session=long, attended=True)
    RegistrationFactory(session=long)  # attendance not marked: counted as confirmed
    RegistrationFactory(session=long, attended=True)
    RegistrationFactory(session=long, status=Registration.Status.WAITING)
    for pupils in (20, 30):
        EventFactory(kind="school_visit", participants=pupils,
                     starts_at=dt.datetime(YEAR, 5, 2, 10, tzinfo=ZONE),
                     ends_at=dt.datetime(YEAR, 5, 2, 12, tzinfo=ZONE))
    EventFactory(kind="forum", starts_at=dt.datetime(YEAR, 6, 2, 9, tzinfo=ZONE),
                 ends_at=dt.datetime(YEAR, 6, 2, 17, tzinfo=ZONE))
    RegistrationFactory(session=SessionFactory(), attended=None)


def test_training_figures_of_a_year(last_year):
    assert training_figures(year=YEAR) == {
        "sessions": 2, "attendees": 5, "hours": Decimal(2 * 3 + 3 * 6),
        "school_visits": 2, "pupils": 50, "events": 1}


def test_centre_report_has_the_training_section(last_year):
    content = centre_report_content(year=YEAR, language="en")
    section = next(s for s in content.sections if s.title == "Training and outreach")
    figures = {figure.label: figure.value for figure in section.figures}
    assert figures["Training sessions"] == 2
    assert figures["Attendees"] == 5
    assert figures["Hours of training (attendee-hours)"] == Decimal(24)
    assert figures["School visits"] == 2
    assert section.figures[0].previous == 0


def test_public_statistics_show_training(client, last_year):
    with translation.override("en"):
        response = client.get(reverse("projects:public_statistics"))
    body = response.content.decode()
    assert "Training and outreach" in body and "School visits" in body
    assert "Pupils met in school visits" in body


def test_demo_adds_a_course_with_a_past_and_an_upcoming_session_an_event_and_a_visit():
    staff = StaffFactory(mfa=True)
    for _i in range(6):
        UserFactory(email=f"p{_i}@demo.algoric.org")
    today = timezone.localdate()
    created = demo_training(today=today, staff=staff)
    assert created["sessions"] == 2
    course = Course.objects.get()
    sessions = list(Session.objects.filter(course=course).order_by("starts_at"))
    assert sessions[0].is_past and not sessions[1].is_past
    assert sessions[0].registrations.filter(attended=True).exists()
    kinds = set(Event.objects.values_list("kind", flat=True))
    assert {"school_visit", "forum"} <= kinds
    assert demo_training(today=today, staff=staff) == {}
    assert Session.objects.count() == 2


def test_the_demo_centre_runs_the_training_step():
    assert demo_training in [builder for _name, builder in registries.demo_builders()]
