"""Registering for a session: seats, the waiting list, deadlines, cancellation, messages."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from algoric.notifications.models import Notification
from training.models import Registration
from training.services.registrations import (
    feedback_requests_send,
    registration_cancel,
    registration_create,
    session_reminders_send,
)
from training.services.sessions import session_update

from ..factories import RegistrationFactory, SessionFactory, UserFactory

#: Refusals are compared in English (the portal's default is French).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def register(session, user=None):
    user = user or UserFactory()
    return registration_create(session=session, user=user, actor=user)


def test_seats_go_to_the_first_then_the_waiting_list_fills():
    session = SessionFactory(capacity=2)
    statuses = [register(session).status for _i in range(4)]
    assert statuses == ["confirmed", "confirmed", "waiting", "waiting"]
    events = list(Notification.objects.order_by("pk").values_list("event", flat=True))
    assert events == ["training_registration_confirmed"] * 2 + [
        "training_registration_waiting"] * 2


def test_a_freed_seat_goes_to_the_first_on_the_waiting_list_who_is_told():
    session = SessionFactory(capacity=1)
    seated = register(session)
    first, second = register(session), register(session)
    registration_cancel(registration=seated, actor=seated.user)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Registration.Status.CONFIRMED and first.promoted_at
    assert second.status == Registration.Status.WAITING
    promoted = Notification.objects.get(event="training_registration_promoted")
    assert promoted.recipient == first.user
    assert session.course.title in promoted.subject


def test_a_larger_capacity_promotes_the_waiting_list_in_order():
    session = SessionFactory(capacity=1, trainer=True)
    register(session)
    waiting = [register(session) for _i in range(3)]
    session_update(session=session, data={"capacity": 3}, actor=session.trainer)
    assert [Registration.objects.get(pk=r.pk).status for r in waiting] == [
        "confirmed", "confirmed", "waiting"]


def test_capacity_cannot_drop_below_the_seats_taken():
    session = SessionFactory(capacity=3, trainer=True)
    register(session)
    register(session)
    with pytest.raises(ValidationError):
        session_update(session=session, data={"capacity": 1}, actor=session.trainer)


def test_registration_is_refused_after_the_deadline():
    session = SessionFactory(registration_deadline=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(ValidationError, match="closed"):
        register(session)
    assert not Registration.objects.exists()


def test_registering_twice_is_refused_but_after_cancelling_one_may_come_back():
    session = SessionFactory()
    user = UserFactory()
    first = register(session, user)
    with pytest.raises(ValidationError, match="already"):
        register(session, user)
    registration_cancel(registration=first, actor=user)
    assert register(session, user).status == Registration.Status.CONFIRMED


def test_an_unverified_account_cannot_register():
    with pytest.raises(ValidationError, match="Verify"):
        register(SessionFactory(), UserFactory(verified=False))


def test_one_registers_only_oneself():
    session, user = SessionFactory(), UserFactory()
    with pytest.raises(PermissionDenied):
        registration_create(session=session, user=user, actor=UserFactory())


def test_the_attendee_cannot_cancel_after_the_deadline_but_the_trainer_can():
    session = SessionFactory(trainer=True)
    registration = RegistrationFactory(session=session)
    session.registration_deadline = timezone.now() - dt.timedelta(hours=1)
    session.save()
    registration.session.refresh_from_db()
    with pytest.raises(ValidationError, match="deadline"):
        registration_cancel(registration=registration, actor=registration.user)
    registration_cancel(registration=registration, actor=session.trainer)
    assert Registration.objects.get(pk=registration.pk).status == "cancelled"


def test_someone_else_cannot_cancel_a_registration():
    registration = RegistrationFactory()
    with pytest.raises(PermissionDenied):
        registration_cancel(registration=registration, actor=UserFactory())


def test_the_reminder_goes_once_the_day_before_to_confirmed_attendees_only():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    starts = dt.datetime.combine(tomorrow, dt.time(9), tzinfo=timezone.get_default_timezone())
    session = SessionFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=3),
                             registration_deadline=starts - dt.timedelta(hours=1), capacity=1)
    confirmed = RegistrationFactory(session=session)
    RegistrationFactory(session=session, status=Registration.Status.WAITING)
    SessionFactory()  # in ten days: no reminder
    assert session_reminders_send() == 1
    assert session_reminders_send() == 0
    reminder = Notification.objects.get(event="training_session_reminder")
    assert reminder.recipient == confirmed.user


def test_feedback_is_asked_once_after_the_session_not_of_the_absent():
    starts = timezone.now() - dt.timedelta(hours=5)
    session = SessionFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=3),
                             registration_deadline=starts - dt.timedelta(days=1))
    present = RegistrationFactory(session=session, attended=True)
    RegistrationFactory(session=session, attended=False)
    assert feedback_requests_send() == 1
    assert feedback_requests_send() == 0
    assert Notification.objects.get(event="training_feedback_request").recipient == present.user


def test_register_view_registers_and_says_so(client):
    session = SessionFactory()
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("training:session_register", args=[session.pk]),
                           follow=True)
    assert response.status_code == HTTPStatus.OK
    assert Registration.objects.get(user=user).status == "confirmed"
    assert "You are registered" in response.content.decode()


def test_register_view_refuses_a_get(client):
    client.force_login(UserFactory())
    response = client.get(reverse("training:session_register", args=[SessionFactory().pk]))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_closed_registration_shows_the_reason_not_an_error(client):
    session = SessionFactory(registration_deadline=timezone.now() - dt.timedelta(minutes=5))
    client.force_login(UserFactory())
    response = client.post(reverse("training:session_register", args=[session.pk]),
                           follow=True)
    assert response.status_code == HTTPStatus.OK
    assert not Registration.objects.exists()


def test_cancel_view_of_another_persons_registration_is_404(client):
    registration = RegistrationFactory()
    client.force_login(UserFactory())
    response = client.post(reverse("training:registration_cancel", args=[registration.pk]))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert Registration.objects.get(pk=registration.pk).status == "confirmed"


def test_an_unpublished_session_is_not_shown(client):
    session = SessionFactory(is_published=False)
    response = client.get(reverse("training:session_detail", args=[session.pk]))
    assert response.status_code == HTTPStatus.NOT_FOUND
