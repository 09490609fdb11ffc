"""The agenda and training through the API: only published, upcoming entries for anyone;
the online link only for a confirmed seat; registering and cancelling through the page's
services (waiting list, deadline, one place each); a fixed number of queries whatever the
number of rows."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from training.models import Registration

from ..factories import EventFactory, RegistrationFactory, SessionFactory
from .conftest import bearer


def test_the_agenda_shows_published_upcoming_entries_to_anyone(client, world):
    hidden = SessionFactory(is_published=False)
    past = EventFactory(starts_at=timezone.now() - dt.timedelta(days=3),
                        ends_at=timezone.now() - dt.timedelta(days=3, hours=-2))
    response = client.get(reverse("api:agenda"))
    assert response.status_code == HTTPStatus.OK
    rows = response.json()["results"]
    assert {(row["kind"], row["session"] or row["event"]) for row in rows} == {
        ("session", world.session.pk), ("session", world.registration.session_id),
        ("seminar", world.event.pk)}
    assert hidden.pk not in {row["session"] for row in rows}
    assert past.pk not in {row["event"] for row in rows}
    assert [row["starts_at"] for row in rows] == sorted(row["starts_at"] for row in rows)
    only = client.get(reverse("api:agenda") + "?kind=seminar").json()["results"]
    assert [row["event"] for row in only] == [world.event.pk]
    bad = client.get(reverse("api:agenda") + "?kind=party")
    assert bad.status_code == HTTPStatus.BAD_REQUEST
    assert "kind" in bad.json()["error"]["fields"]


def test_an_unpublished_session_is_not_found(client, world):
    hidden = SessionFactory(is_published=False)
    response = client.get(reverse("api:session_detail", kwargs={"pk": hidden.pk}))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_the_online_link_is_given_only_to_a_confirmed_seat(client, world, token):
    session = SessionFactory(online_url="https://visio.example.org/slurm", capacity=1)
    url = reverse("api:session_detail", kwargs={"pk": session.pk})
    anonymous = client.get(url).json()
    assert anonymous["online_url"] == ""
    assert anonymous["my_registration"] is None
    RegistrationFactory(session=session, user=world.pi)
    mine = client.get(url, **bearer(token(world.pi))).json()
    assert mine["online_url"] == "https://visio.example.org/slurm"
    assert mine["my_registration"]["status"] == "confirmed"
    assert mine["seats_left"] == 0
    waiting = RegistrationFactory(session=session, user=world.outsider,
                                  status=Registration.Status.WAITING)
    theirs = client.get(url, **bearer(token(world.outsider))).json()
    assert theirs["online_url"] == ""
    assert theirs["my_registration"] == {
        "id": waiting.pk, "status": "waiting", "waiting_position": 1,
        "created_at": theirs["my_registration"]["created_at"]}


def test_register_a_seat_then_the_waiting_list_and_only_once(client, world, token):
    session = SessionFactory(capacity=1)
    url = reverse("api:session_register", kwargs={"pk": session.pk})
    first = client.post(url, **bearer(token(world.pi, "write")))
    assert first.status_code == HTTPStatus.CREATED
    assert first.json()["status"] == "confirmed"
    again = client.post(url, **bearer(token(world.pi, "write")))
    assert again.status_code == HTTPStatus.BAD_REQUEST
    assert again.json()["error"]["code"] == "invalid"
    second = client.post(url, **bearer(token(world.outsider, "write")))
    assert second.json()["status"] == "waiting"
    assert Registration.objects.filter(session=session).count() == 2


def test_registering_after_the_deadline_is_refused(client, world, token):
    session = SessionFactory(registration_deadline=timezone.now() - dt.timedelta(hours=1))
    response = client.post(reverse("api:session_register", kwargs={"pk": session.pk}),
                           **bearer(token(world.pi, "write")))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not Registration.objects.filter(session=session).exists()


def test_cancel_frees_the_seat_for_the_waiting_list(client, world, token):
    session = SessionFactory(capacity=1)
    mine = RegistrationFactory(session=session, user=world.pi)
    waiting = RegistrationFactory(session=session, status=Registration.Status.WAITING)
    url = reverse("api:registration_cancel", kwargs={"pk": mine.pk})
    response = client.post(url, **bearer(token(world.pi, "write")))
    assert response.status_code == HTTPStatus.OK
    assert response.json()["status"] == "cancelled"
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    again = client.post(url, **bearer(token(world.pi, "write")))
    assert again.status_code == HTTPStatus.BAD_REQUEST


def test_someone_elses_registration_cannot_be_cancelled(client, world, token):
    response = client.post(
        reverse("api:registration_cancel", kwargs={"pk": world.registration.pk}),
        **bearer(token(world.outsider, "write")))
    assert response.status_code == HTTPStatus.NOT_FOUND
    world.registration.refresh_from_db()
    assert world.registration.status == Registration.Status.CONFIRMED


def test_my_registrations_are_mine_only(client, world, token):
    RegistrationFactory()
    rows = client.get(reverse("api:registration_list"),
                      **bearer(token(world.pi))).json()["results"]
    assert [row["id"] for row in rows] == [world.registration.pk]
    assert client.get(reverse("api:registration_list") + "?status=waiting",
                      **bearer(token(world.pi))).json()["count"] == 0


def _rows(name, world, count):
    if name == "api:agenda":
        SessionFactory.create_batch(count // 2)
        EventFactory.create_batch(count - count // 2)
    else:
        RegistrationFactory.create_batch(count, user=world.pi)


@pytest.mark.parametrize("name", ["api:agenda", "api:registration_list"])
def test_training_lists_make_the_same_number_of_queries_for_10_and_300_rows(
        client, world, token, name):
    url = reverse(name) + "?page_size=200"
    given = bearer(token(world.pi))
    _rows(name, world, 10 - client.get(url, **given).json()["count"])
    client.get(url, **given)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, **given).json()["count"] == 10
    _rows(name, world, 290)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, **given)
    assert response.json()["count"] == 300
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
