"""The staff's and trainers' pages, the beat timetable and the personal-data export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from http import HTTPStatus

import pytest
from celery import current_app
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from algoric.core import registries
from training.models import Registration, Trainer

from ..factories import (
    OrganisationFactory,
    RegistrationFactory,
    ResourceFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_staff_make_a_trainer_by_address_and_take_the_role_back(staff_client):
    person = UserFactory(email="erwan@example.org")
    response = staff_client.post(reverse("training:staff_training"),
                                 {"email": "ERWAN@example.org"})
    assert response.status_code == HTTPStatus.FOUND
    assert Trainer.objects.filter(user=person).exists()
    response = staff_client.post(reverse("training:staff_training"),
                                 {"email": "nobody@example.org"})
    assert response.status_code in {HTTPStatus.OK, HTTPStatus.BAD_REQUEST}
    assert Trainer.objects.count() == 1
    staff_client.post(reverse("training:staff_trainer_revoke", args=[person.pk]))
    assert not Trainer.objects.exists()


def test_staff_open_a_course_account_from_the_page(staff_client):
    session = SessionFactory(core_hours_per_attendee=Decimal(2))
    organisation = OrganisationFactory()
    resource = ResourceFactory(kind="cpu", slurm_cluster="algoric")
    response = staff_client.post(reverse("training:staff_course_account", args=[session.pk]),
                                 {"organisation": organisation.pk, "resource": resource.pk})
    assert response.status_code == HTTPStatus.FOUND
    session.refresh_from_db()
    assert session.project.organisation == organisation
    page = staff_client.get(reverse("training:staff_training")).content.decode()
    assert session.project.slurm_account in page


def test_trainer_changes_the_capacity_and_the_waiting_list_moves_up(client):
    session = SessionFactory(capacity=1, trainer=True)
    RegistrationFactory(session=session)
    waiting = RegistrationFactory(session=session, status=Registration.Status.WAITING)
    client.force_login(session.trainer)
    deadline = timezone.localtime(session.registration_deadline).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("training:trainer_session_edit", args=[session.pk]), {
        "place": "Vannes", "online_url": "", "capacity": "2",
        "registration_deadline": deadline})
    assert response.status_code == HTTPStatus.FOUND
    assert Registration.objects.get(pk=waiting.pk).status == "confirmed"
    response = client.post(reverse("training:trainer_session_edit", args=[session.pk]), {
        "place": "Vannes", "online_url": "", "capacity": "-3",
        "registration_deadline": deadline})
    assert response.status_code == HTTPStatus.FOUND
    session.refresh_from_db()
    assert (session.capacity, session.place) == (2, "Vannes")


def test_session_page_shows_prices_by_kind_and_free_for_members(client):
    session = SessionFactory(prices={"sme": "90"})
    body = client.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    assert "90 €" in body


def test_the_beat_runs_training_tasks():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    names = {"training.tasks.send_session_reminders", "training.tasks.send_feedback_requests",
             "training.tasks.expire_course_logins"}
    assert names <= scheduled
    current_app.loader.import_default_modules()
    assert names <= set(current_app.tasks)


def test_registrations_are_in_the_personal_data_export():
    registration = RegistrationFactory(session=SessionFactory(
        starts_at=timezone.now() + dt.timedelta(days=3)))
    section = registries.personal_data_sections()["training_registrations"](registration.user)
    assert section == [{"course": registration.session.course.title,
                        "starts_at": timezone.localtime(
                            registration.session.starts_at).isoformat(),
                        "status": "confirmed", "attended": None, "feedback_rating": None}]
