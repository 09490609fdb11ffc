"""Staff write courses, sessions and events through the API, and trainers add a session of
a course they teach — with the pages' forms and services: bad input answers 400 field by
field and writes nothing, a course one does not teach is not found, a member is refused
the staff's endpoints, and the lists make a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import json
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from algoric.audit.models import AuditEvent
from training.models import Course, Event, Registration, Session

from ..factories import (
    CourseFactory,
    EventFactory,
    RegistrationFactory,
    SessionFactory,
    TrainerFactory,
)
from .conftest import bearer


def _send(client, method: str, name: str, token, body: dict, **kwargs):
    with translation.override("en"):
        return getattr(client, method)(reverse(f"api:{name}", kwargs=kwargs or None),
                                       data=json.dumps(body),
                                       content_type="application/json", **bearer(token))


@pytest.fixture
def staff_token(world, token):
    return token(world.staff, "read", "write", "staff")


def _day(days: int, hour: int) -> str:
    """A naive ISO 8601 time ``days`` from today at ``hour`` o'clock."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00"


def _session_body(**changes) -> dict:
    return {"starts_at": _day(30, 9), "ends_at": _day(30, 17),
            "registration_deadline": _day(25, 18), "place": "Vannes, salle Kerguelen",
            "capacity": 12, **changes}


COURSE = {"slug": "mpi-avance", "title": "MPI avancé", "summary": "Communications "
          "non bloquantes et topologies.", "level": "advanced", "language": "fr",
          "duration_hours": "6.5", "topics": ["mpi_openmp", "slurm"]}


def test_staff_create_read_and_edit_a_course(client, world, staff_token):
    created = _send(client, "post", "staff_course_list", staff_token, COURSE)
    assert created.status_code == HTTPStatus.CREATED, created.content
    course = Course.objects.get(slug="mpi-avance")
    assert created.json()["id"] == course.pk
    assert course.topics == ["slurm", "mpi_openmp"]
    assert str(course.duration_hours) == "6.5"
    assert AuditEvent.objects.filter(action="training.course_created").exists()
    listed = client.get(reverse("api:staff_course_list"), **bearer(staff_token)).json()
    assert course.pk in {row["id"] for row in listed["results"]}
    edited = _send(client, "patch", "staff_course_detail", staff_token,
                   {"title": "MPI pour aller plus loin"}, pk=course.pk)
    assert edited.status_code == HTTPStatus.OK, edited.content
    course.refresh_from_db()
    assert course.title == "MPI pour aller plus loin"
    assert course.summary == COURSE["summary"] and course.level == "advanced"
    read = client.get(reverse("api:staff_course_detail", kwargs={"pk": course.pk}),
                      **bearer(staff_token)).json()
    assert read["title"] == "MPI pour aller plus loin"


@pytest.mark.parametrize(("change", "field"), [
    ({"duration_hours": "0"}, "duration_hours"),
    ({"topics": ["cooking"]}, "topics"),
    ({"slug": "Pas un slug !"}, "slug"),
    ({"level": "expert"}, "level"),
])
def test_a_bad_course_is_refused_field_by_field_and_nothing_written(client, world,
                                                                    staff_token, change,
                                                                    field):
    response = _send(client, "post", "staff_course_list", staff_token, {**COURSE, **change})
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]
    assert not Course.objects.filter(title=COURSE["title"]).exists()


def test_a_course_cannot_take_another_courses_short_name(client, world, staff_token):
    course = CourseFactory()
    response = _send(client, "patch", "staff_course_detail", staff_token,
                     {"slug": world.session.course.slug, "title": "Autre"}, pk=course.pk)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "slug" in response.json()["error"]["fields"]
    course.refresh_from_db()
    assert course.slug != world.session.course.slug and course.title != "Autre"


def test_staff_add_a_session_with_trainers_and_prices_in_the_centres_time_zone(
        client, world, staff_token):
    trainer = TrainerFactory().user
    course = world.session.course
    response = _send(client, "post", "staff_session_create", staff_token, _session_body(
        trainers=[trainer.pk], prices={"sme": "450", "lab": None},
        members_pay=True, core_hours_per_attendee="20", is_published=False), pk=course.pk)
    assert response.status_code == HTTPStatus.CREATED, response.content
    body = response.json()
    session = Session.objects.get(pk=body["id"])
    assert list(session.trainers.all()) == [trainer] and body["trainers"] == [trainer.pk]
    assert session.prices == {"sme": "450"} and session.members_pay
    assert not session.is_published and str(session.core_hours_per_attendee) == "20.0"
    local = timezone.localtime(session.starts_at, timezone.get_default_timezone())
    assert (local.hour, local.minute) == (9, 0)
    assert body["course"] == course.pk


def test_an_aware_time_keeps_its_offset(client, world, staff_token):
    day = (timezone.localdate() + dt.timedelta(days=40)).isoformat()
    response = _send(client, "post", "staff_session_create", staff_token, _session_body(
        starts_at=f"{day}T08:00:00Z", ends_at=f"{day}T12:00:00Z"),
        pk=world.session.course_id)
    assert response.status_code == HTTPStatus.CREATED, response.content
    session = Session.objects.get(pk=response.json()["id"])
    assert session.starts_at == dt.datetime.fromisoformat(f"{day}T08:00:00+00:00")


@pytest.mark.parametrize(("change", "field"), [
    ({"ends_at": _day(30, 8)}, "ends_at"),
    ({"registration_deadline": _day(31, 9)}, "registration_deadline"),
    ({"place": "", "online_url": ""}, "place"),
    ({"capacity": 0}, "capacity"),
    ({"prices": {"pirates": "10"}}, "prices"),
    ({"online_url": "pas une adresse"}, "online_url"),
    ({"starts_at": "demain matin"}, "starts_at"),
])
def test_a_bad_session_is_refused_field_by_field_and_nothing_written(client, world,
                                                                     staff_token, change,
                                                                     field):
    before = Session.objects.count()
    response = _send(client, "post", "staff_session_create", staff_token,
                     _session_body(**change), pk=world.session.course_id)
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert field in response.json()["error"]["fields"]
    assert Session.objects.count() == before


def test_a_session_is_taught_only_by_people_holding_the_trainer_role(client, world,
                                                                    staff_token):
    response = _send(client, "post", "staff_session_create", staff_token,
                     _session_body(trainers=[world.newcomer.pk]),
                     pk=world.session.course_id)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "trainers" in response.json()["error"]["fields"]
    assert not Session.objects.filter(place="Vannes, salle Kerguelen").exists()


def test_staff_change_a_session_and_the_waiting_list_gets_the_new_seats(client, world,
                                                                       staff_token):
    session = SessionFactory(capacity=1, prices={"sme": "90"})
    RegistrationFactory(session=session)
    waiting = RegistrationFactory(session=session, status=Registration.Status.WAITING)
    response = _send(client, "patch", "staff_session_detail", staff_token,
                     {"capacity": 2, "place": "Lorient"}, pk=session.pk)
    assert response.status_code == HTTPStatus.OK, response.content
    session.refresh_from_db()
    assert (session.capacity, session.place, session.prices) == (2, "Lorient",
                                                                 {"sme": "90"})
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    smaller = _send(client, "patch", "staff_session_detail", staff_token, {"capacity": 1},
                    pk=session.pk)
    assert smaller.status_code == HTTPStatus.BAD_REQUEST
    assert "capacity" in smaller.json()["error"]["fields"]
    session.refresh_from_db()
    assert session.capacity == 2


EVENT = {"kind": "school_visit", "title": "Visite du lycée Dupuy de Lôme",
         "starts_at": _day(15, 9), "ends_at": _day(15, 12), "place": "Vannes",
         "audience": "Terminale NSI"}


def test_staff_add_list_and_edit_an_event(client, world, staff_token):
    created = _send(client, "post", "staff_event_list", staff_token, EVENT)
    assert created.status_code == HTTPStatus.CREATED, created.content
    event = Event.objects.get(pk=created.json()["id"])
    assert event.is_published and event.kind == "school_visit"
    listed = client.get(reverse("api:staff_event_list") + "?kind=school_visit",
                        **bearer(staff_token)).json()
    assert [row["id"] for row in listed["results"]] == [event.pk]
    edited = _send(client, "patch", "staff_event_detail", staff_token, {"participants": 28},
                   pk=event.pk)
    assert edited.status_code == HTTPStatus.OK, edited.content
    event.refresh_from_db()
    assert event.participants == 28 and event.title == EVENT["title"]


@pytest.mark.parametrize(("change", "field"), [
    ({"ends_at": _day(15, 8)}, "ends_at"),
    ({"kind": "party"}, "kind"),
    ({"registration_url": "inscription chez nous"}, "registration_url"),
    ({"participants": -3}, "participants"),
])
def test_a_bad_event_is_refused_and_nothing_written(client, world, staff_token, change,
                                                    field):
    response = _send(client, "patch", "staff_event_detail", staff_token, change,
                     pk=world.event.pk)
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert field in response.json()["error"]["fields"]
    saved = Event.objects.get(pk=world.event.pk)
    assert (saved.kind, saved.ends_at, saved.participants) == (
        world.event.kind, world.event.ends_at, world.event.participants)


def test_a_trainer_adds_a_session_of_a_course_they_teach(client, world, token):
    taught = SessionFactory(trainer=world.pi, prices={"sme": "300"}, members_pay=True)
    response = _send(client, "post", "trainer_session_create", token(world.pi, "write"),
                     _session_body(prices={"sme": "1"}, trainers=[world.newcomer.pk]),
                     pk=taught.course_id)
    assert response.status_code == HTTPStatus.CREATED, response.content
    session = Session.objects.get(pk=response.json()["id"])
    assert list(session.trainers.all()) == [world.pi]
    assert session.prices == {"sme": "300"} and session.members_pay
    assert session.is_published


def test_a_trainers_bad_session_is_refused_and_nothing_written(client, world, token):
    taught = SessionFactory(trainer=world.pi)
    response = _send(client, "post", "trainer_session_create", token(world.pi, "write"),
                     _session_body(ends_at=_day(29, 9)), pk=taught.course_id)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "ends_at" in response.json()["error"]["fields"]
    assert Session.objects.filter(course=taught.course).count() == 1


def test_a_course_one_does_not_teach_is_not_found(client, world, token):
    TrainerFactory(user=world.outsider)
    SessionFactory(trainer=world.outsider)
    for user in [world.outsider, world.newcomer]:
        response = _send(client, "post", "trainer_session_create", token(user, "write"),
                         _session_body(), pk=world.session.course_id)
        assert response.status_code == HTTPStatus.NOT_FOUND
    assert Session.objects.filter(course=world.session.course).count() == 1


def test_a_trainer_is_refused_the_staffs_endpoints(client, world, token):
    taught = SessionFactory(trainer=world.pi)
    given = token(world.pi, "read", "write", "staff")
    response = _send(client, "patch", "staff_session_detail", given, {"capacity": 50},
                     pk=taught.pk)
    assert response.status_code == HTTPStatus.FORBIDDEN
    response = _send(client, "post", "staff_course_list", given, COURSE)
    assert response.status_code == HTTPStatus.FORBIDDEN
    taught.refresh_from_db()
    assert taught.capacity == 10 and not Course.objects.filter(slug="mpi-avance").exists()


def _rows(name, count):
    if name == "api:staff_course_list":
        CourseFactory.create_batch(count)
    else:
        EventFactory.create_batch(count)


@pytest.mark.parametrize("name", ["api:staff_course_list", "api:staff_event_list"])
def test_staff_training_lists_make_the_same_number_of_queries_for_10_and_300_rows(
        client, world, staff_token, name):
    url = reverse(name) + "?page_size=200"
    given = bearer(staff_token)
    _rows(name, 10 - client.get(url, **given).json()["count"])
    client.get(url, **given)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, **given).json()["count"] == 10
    _rows(name, 290)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, **given)
    assert response.json()["count"] == 300
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def test_a_bad_price_is_named_by_its_kind_of_organisation(client, world, staff_token):
    response = _send(client, "post", "staff_session_create", staff_token,
                     _session_body(prices={"sme": "-1"}), pk=world.session.course_id)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    [text] = response.json()["error"]["fields"]["prices"]
    assert text.startswith("sme: ") and "ErrorDetail" not in text


def test_prices_sent_on_a_patch_replace_the_whole_list(client, world, staff_token):
    session = SessionFactory(prices={"sme": "90", "lab": "40"})
    response = _send(client, "patch", "staff_session_detail", staff_token,
                     {"prices": {"sme": "120", "lab": None}}, pk=session.pk)
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["prices"] == {"sme": "120"}
    session.refresh_from_db()
    assert session.prices == {"sme": "120"}
