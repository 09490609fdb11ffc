"""Two people registering for the last seat at once, on two real connections.

PostgreSQL only: the seat count is taken under ``SELECT … FOR UPDATE`` on the session's
row, which SQLite does not have (it serialises whole writes, which proves nothing about the
lock). Runs when the suite runs on PostgreSQL (``DATABASE_URL``)."""

from __future__ import annotations

import pytest
from django.db import connection

from algoric.notifications.models import Notification
from training.models import Registration
from training.services.registrations import registration_cancel, registration_create

from ..factories import RegistrationFactory, SessionFactory, UserFactory
from ..members.test_concurrency import run_at_once

POSTGRES = connection.vendor == "postgresql"

pytestmark = pytest.mark.skipif(not POSTGRES, reason="needs DATABASE_URL on PostgreSQL")


@pytest.mark.parametrize("attempt", range(5))
def test_two_people_racing_for_the_last_seat_one_gets_it_one_waits(transactional_db,
                                                                     attempt):
    session = SessionFactory(capacity=3)
    for _i in range(2):
        RegistrationFactory(session=session)
    first, second = UserFactory(), UserFactory()
    results = run_at_once(
        lambda: registration_create(session=session, user=first, actor=first),
        lambda: registration_create(session=session, user=second, actor=second),
    )
    assert [kind for kind, _value in results] == ["ok", "ok"], results
    assert sorted(value.status for _kind, value in results) == ["confirmed", "waiting"]
    assert Registration.objects.confirmed().filter(session=session).count() == 3
    assert Notification.objects.filter(event="training_registration_confirmed",
                                       recipient__in=[first, second]).count() == 1
    assert Notification.objects.filter(event="training_registration_waiting").count() == 1


def test_a_cancellation_racing_a_registration_never_overbooks(transactional_db):
    session = SessionFactory(capacity=1)
    seated = RegistrationFactory(session=session)
    waiting = RegistrationFactory(session=session, status="waiting")
    newcomer = UserFactory()
    results = run_at_once(
        lambda: registration_cancel(registration=seated, actor=seated.user),
        lambda: registration_create(session=session, user=newcomer, actor=newcomer),
    )
    assert [kind for kind, _value in results] == ["ok", "ok"], results
    assert Registration.objects.confirmed().filter(session=session).count() == 1
    # The seat goes to the one who waited first, whoever ran first.
    assert Registration.objects.get(pk=waiting.pk).status == "confirmed"
    assert Registration.objects.get(user=newcomer).status == "waiting"
