"""Staff write courses, sessions and events on portal pages; trainers add sessions of the
courses they teach; the public agenda shows a new session at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from algoric.audit.models import AuditEvent
from training.models import Course, Event, Session
from training.services.sessions import session_create, session_update

from ..factories import (
    CourseFactory,
    EventFactory,
    RegistrationFactory,
    SessionFactory,
    TrainerFactory,
    UserFactory,
)

#: Refusals are compared in English (the portal's default is French).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PARIS = dt.timezone(dt.timedelta(hours=1))  # the centre's offset in winter (Europe/Paris)


def typed(moment: dt.datetime) -> str:
    """``moment`` as typed in a datetime-local field, in the centre's time zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def course_post(**overrides) -> dict:
    data = {"slug": "mpi-intro", "title": "Introduction to MPI",
            "summary": "Point-to-point and collective communication.", "level": "intermediate",
            "language": "en", "duration_hours": "6", "prerequisites": "C or Fortran",
            "topics": ["mpi_openmp", "slurm"]}
    return {**data, **overrides}


def session_post(**overrides) -> dict:
    data = {"starts_at": "2027-01-12T09:30", "ends_at": "2027-01-12T17:00",
            "registration_deadline": "2027-01-10T18:00", "place": "La Fabrique du Loch",
            "online_url": "", "capacity": "12", "price_sme": "120", "price_individual": "25.5",
            "members_pay": "", "is_published": "on", "core_hours_per_attendee": "50"}
    return {**data, **overrides}


def event_post(**overrides) -> dict:
    data = {"kind": "open_day", "title": "Open day at the fablab", "description": "Visits.",
            "starts_at": "2027-02-06T10:00", "ends_at": "2027-02-06T17:00", "place": "Auray",
            "audience": "Everyone", "registration_url": "", "participants": "0",
            "is_published": "on"}
    return {**data, **overrides}


def test_staff_pages_link_and_show_the_forms(staff_client):
    session = SessionFactory()
    event = EventFactory()
    page = staff_client.get(reverse("training:staff_training")).content.decode()
    urls = [reverse("training:staff_course_create"), reverse("training:staff_event_create"),
            reverse("training:staff_course_edit", args=[session.course_id]),
            reverse("training:staff_session_create", args=[session.course_id]),
            reverse("training:staff_session_edit", args=[session.pk]),
            reverse("training:staff_event_edit", args=[event.pk])]
    for url in urls:
        assert url in page
        assert staff_client.get(url).status_code == HTTPStatus.OK, url


# --- Courses -------------------------------------------------------------------------------

def test_staff_create_a_course_with_its_topics_then_edit_it(staff_client):
    response = staff_client.post(reverse("training:staff_course_create"), course_post())
    assert response.status_code == HTTPStatus.FOUND
    course = Course.objects.get(slug="mpi-intro")
    assert (course.level, course.language, course.duration_hours) == (
        "intermediate", "en", Decimal("6"))
    assert course.topics == ["slurm", "mpi_openmp"]
    assert AuditEvent.objects.filter(action="training.course_created").exists()

    page = staff_client.get(reverse("training:staff_course_edit", args=[course.pk]))
    assert page.status_code == HTTPStatus.OK and "Introduction to MPI" in page.content.decode()
    response = staff_client.post(reverse("training:staff_course_edit", args=[course.pk]),
                                 course_post(title="MPI in practice", topics=["gpu"]))
    assert response.status_code == HTTPStatus.FOUND
    course.refresh_from_db()
    assert (course.title, course.topics) == ("MPI in practice", ["gpu"])


def test_a_course_with_a_short_name_taken_or_no_duration_is_refused_and_not_written(
        staff_client):
    CourseFactory(slug="mpi-intro", title="Existing")
    response = staff_client.post(reverse("training:staff_course_create"), course_post())
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "already exists" in response.content.decode()
    response = staff_client.post(reverse("training:staff_course_create"),
                                 course_post(slug="other", duration_hours="0"))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "more than zero hours" in response.content.decode()
    assert list(Course.objects.values_list("title", flat=True)) == ["Existing"]


# --- Sessions --------------------------------------------------------------------------------

def test_staff_add_a_session_in_the_centres_time_zone_with_trainers_and_prices(staff_client):
    course = CourseFactory()
    trainer = TrainerFactory().user
    response = staff_client.post(reverse("training:staff_session_create", args=[course.pk]),
                                 session_post(trainers=[trainer.pk]))
    assert response.status_code == HTTPStatus.FOUND
    session = Session.objects.get(course=course)
    assert session.starts_at == dt.datetime(2027, 1, 12, 9, 30, tzinfo=PARIS)
    assert session.ends_at == dt.datetime(2027, 1, 12, 17, 0, tzinfo=PARIS)
    assert list(session.trainers.all()) == [trainer]
    assert session.prices == {"sme": "120", "individual": "25.5"}
    assert (session.capacity, session.core_hours_per_attendee, session.is_published) == (
        12, Decimal("50"), True)
    assert AuditEvent.objects.filter(action="training.session_created").exists()


def test_staff_edit_a_session_and_the_form_shows_local_times(staff_client):
    session = SessionFactory(starts_at=dt.datetime(2027, 1, 12, 9, 30, tzinfo=PARIS),
                             ends_at=dt.datetime(2027, 1, 12, 12, 0, tzinfo=PARIS),
                             registration_deadline=dt.datetime(2027, 1, 10, tzinfo=PARIS),
                             prices={"sme": "90"})
    page = staff_client.get(reverse("training:staff_session_edit", args=[session.pk]))
    assert 'value="2027-01-12T09:30"' in page.content.decode()
    response = staff_client.post(reverse("training:staff_session_edit", args=[session.pk]),
                                 session_post(place="", online_url="https://visio.example.org/x",
                                              price_sme="", is_published=""))
    assert response.status_code == HTTPStatus.FOUND
    session.refresh_from_db()
    assert (session.place, session.online_url, session.is_published) == (
        "", "https://visio.example.org/x", False)
    assert session.prices == {"individual": "25.5"}


@pytest.mark.parametrize(("overrides", "message"), [
    ({"ends_at": "2027-01-12T09:00"}, "The session must end after it starts."),
    ({"registration_deadline": "2027-01-12T10:00"},
     "The registration deadline cannot come after the start of the session."),
    ({"place": "", "online_url": ""}, "Give a place or an online link."),
    ({"capacity": "0"}, "A session has at least one seat."),
    ({"price_sme": "-3"}, "greater than or equal to 0"),
])
def test_a_bad_new_session_is_refused_with_its_reason_and_not_written(staff_client, overrides,
                                                                      message):
    course = CourseFactory()
    response = staff_client.post(reverse("training:staff_session_create", args=[course.pk]),
                                 session_post(**overrides))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.content.decode()
    assert not Session.objects.exists()
    assert not AuditEvent.objects.filter(action="training.session_created").exists()


def test_capacity_cannot_go_below_the_confirmed_registrations(staff_client):
    session = SessionFactory(capacity=5, starts_at=dt.datetime(2027, 1, 12, 9, 30, tzinfo=PARIS),
                             ends_at=dt.datetime(2027, 1, 12, 17, 0, tzinfo=PARIS),
                             registration_deadline=dt.datetime(2027, 1, 10, 18, tzinfo=PARIS))
    RegistrationFactory.create_batch(3, session=session)
    response = staff_client.post(reverse("training:staff_session_edit", args=[session.pk]),
                                 session_post(capacity="2", place="Vannes"))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "3 seats are taken already" in response.content.decode()
    session.refresh_from_db()
    assert (session.capacity, session.place) == (5, "La Fabrique du Loch, Auray")


def test_an_older_deadline_after_the_start_is_kept_until_the_deadline_or_start_changes():
    session = SessionFactory(trainer=True)
    Session.objects.filter(pk=session.pk).update(
        registration_deadline=session.starts_at + dt.timedelta(hours=1))
    session.refresh_from_db()
    session_update(session=session, data={"place": "Vannes",
                                          "registration_deadline": session.registration_deadline},
                   actor=session.trainer)
    with pytest.raises(ValidationError) as refused:
        session_update(session=session, data={
            "registration_deadline": session.starts_at + dt.timedelta(hours=2)},
            actor=session.trainer)
    assert "registration_deadline" in refused.value.message_dict
    session.refresh_from_db()
    assert session.place == "Vannes"


def test_only_people_holding_the_trainer_role_can_be_chosen(staff_client):
    course = CourseFactory()
    stranger = UserFactory()
    response = staff_client.post(reverse("training:staff_session_create", args=[course.pk]),
                                 session_post(trainers=[stranger.pk]))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not Session.objects.exists()


# --- Events ----------------------------------------------------------------------------------

def test_staff_create_and_edit_an_event(staff_client):
    response = staff_client.post(reverse("training:staff_event_create"), event_post())
    assert response.status_code == HTTPStatus.FOUND
    event = Event.objects.get()
    assert event.starts_at == dt.datetime(2027, 2, 6, 10, tzinfo=PARIS)
    response = staff_client.post(reverse("training:staff_event_edit", args=[event.pk]),
                                 event_post(participants="140"))
    assert response.status_code == HTTPStatus.FOUND
    event.refresh_from_db()
    assert event.participants == 140
    assert AuditEvent.objects.filter(action="training.event_updated").exists()


def test_an_event_ending_before_it_starts_is_refused_and_not_written(staff_client):
    event = EventFactory(title="Seminar")
    response = staff_client.post(reverse("training:staff_event_create"),
                                 event_post(ends_at="2027-02-06T09:00"))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "The event must end after it starts." in response.content.decode()
    response = staff_client.post(reverse("training:staff_event_edit", args=[event.pk]),
                                 event_post(kind="party"))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert list(Event.objects.values_list("title", "kind")) == [("Seminar", "seminar")]


# --- Trainers --------------------------------------------------------------------------------

def test_trainer_adds_a_session_of_a_course_they_teach_and_becomes_its_trainer(client):
    taught = SessionFactory(trainer=True, prices={"sme": "90"}, members_pay=True,
                            core_hours_per_attendee=Decimal(20))
    client.force_login(taught.trainer)
    page = client.get(reverse("training:trainer_sessions")).content.decode()
    assert reverse("training:trainer_session_create", args=[taught.course_id]) in page
    form = client.get(reverse("training:trainer_session_create", args=[taught.course_id]))
    assert form.status_code == HTTPStatus.OK and 'name="price_sme"' not in form.content.decode()
    response = client.post(reverse("training:trainer_session_create", args=[taught.course_id]),
                           session_post(price_sme="0", core_hours_per_attendee="999"))
    assert response.status_code == HTTPStatus.FOUND
    session = Session.objects.exclude(pk=taught.pk).get()
    assert response["Location"] == reverse("training:trainer_session", args=[session.pk])
    assert list(session.trainers.all()) == [taught.trainer]
    # The money and the computing come from the course's latest session, not the form.
    assert (session.prices, session.members_pay, session.core_hours_per_attendee) == (
        {"sme": "90"}, True, Decimal(20))


def test_trainer_bad_session_is_refused_with_400(client):
    taught = SessionFactory(trainer=True)
    client.force_login(taught.trainer)
    response = client.post(reverse("training:trainer_session_create", args=[taught.course_id]),
                           session_post(ends_at="2027-01-11T09:00"))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "The session must end after it starts." in response.content.decode()
    assert Session.objects.count() == 1


def test_trainer_cannot_add_a_session_of_a_course_they_do_not_teach(client):
    taught = SessionFactory(trainer=True)
    other = CourseFactory()
    client.force_login(taught.trainer)
    url = reverse("training:trainer_session_create", args=[other.pk])
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND
    assert client.post(url, session_post()).status_code == HTTPStatus.NOT_FOUND
    assert not Session.objects.filter(course=other).exists()
    with pytest.raises(PermissionDenied):
        session_create(course=other, data={}, actor=taught.trainer)


def test_trainer_cannot_write_courses_events_or_other_sessions(client):
    taught = SessionFactory(trainer=True)
    event = EventFactory()
    client.force_login(taught.trainer)
    for url, data in [
        (reverse("training:staff_course_create"), course_post()),
        (reverse("training:staff_course_edit", args=[taught.course_id]), course_post()),
        (reverse("training:staff_session_create", args=[taught.course_id]), session_post()),
        (reverse("training:staff_session_edit", args=[taught.pk]), session_post()),
        (reverse("training:staff_event_create"), event_post()),
        (reverse("training:staff_event_edit", args=[event.pk]), event_post()),
    ]:
        assert client.post(url, data).status_code == HTTPStatus.FORBIDDEN, url
    assert Course.objects.count() == 1 and Session.objects.count() == 1
    assert Event.objects.get().title == event.title


def test_member_without_the_trainer_role_cannot_add_sessions(client):
    taught = SessionFactory(trainer=True)
    member = UserFactory()
    taught.trainers.add(member)  # listed on a session, but without the role
    client.force_login(member)
    url = reverse("training:trainer_session_create", args=[taught.course_id])
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND
    assert client.post(url, session_post()).status_code == HTTPStatus.NOT_FOUND
    assert client.post(reverse("training:staff_course_create"),
                       course_post()).status_code == HTTPStatus.FORBIDDEN
    assert Session.objects.count() == 1


# --- The public agenda -----------------------------------------------------------------------

def test_a_new_session_shows_at_once_on_the_cached_agenda(staff_client):
    course = CourseFactory(title="Parallel Python")
    visitor = Client()
    first = visitor.get(reverse("training:agenda"))
    assert first.status_code == HTTPStatus.OK and "Parallel Python" not in first.content.decode()
    starts = timezone.now() + dt.timedelta(days=30)
    response = staff_client.post(
        reverse("training:staff_session_create", args=[course.pk]),
        session_post(starts_at=typed(starts), ends_at=typed(starts + dt.timedelta(hours=3)),
                     registration_deadline=typed(starts - dt.timedelta(days=1))))
    assert response.status_code == HTTPStatus.FOUND
    assert "Parallel Python" in visitor.get(reverse("training:agenda")).content.decode()
