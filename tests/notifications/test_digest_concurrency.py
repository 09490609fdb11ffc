"""Two workers building the weekly digests at once, on two real connections: one digest,
each held message in it once, one email."""

import pytest
from django.core import mail
from django.db import OperationalError, connection

from algoric.notifications.models import Notification
from algoric.notifications.services import notification_create, notification_digests_build
from algoric.notifications.tasks import notification_enqueue

from ..factories import NotificationPreferenceFactory, UserFactory
from ..members.test_concurrency import run_at_once


@pytest.mark.django_db(transaction=True)
def test_two_workers_building_the_digests_at_once_store_and_send_one():
    pi = UserFactory()
    NotificationPreferenceFactory(user=pi, category="requests")
    held = [notification_create(email=pi.email, event="request_comment",
                                subject=f"[Algoric] Commentaire {n}", body="Un texte.\n",
                                recipient=pi).pk for n in range(5)]
    results = run_at_once(notification_digests_build, notification_digests_build)
    built = [value for kind, value in results if kind == "ok"]
    errors = [value for kind, value in results if kind == "error"]
    if connection.vendor == "postgresql":
        assert errors == []  # the second worker skips the locked rows, or finds the digest
    else:  # SQLite serialises writers: the second may find the database locked
        assert all(isinstance(error, OperationalError) for error in errors), errors
    assert sorted(len(ids) for ids in built)[-1] == 1 and sum(len(ids) for ids in built) == 1
    digest = Notification.objects.get(event="notification_digest")
    assert set(Notification.objects.filter(pk__in=held).values_list("status", "digest")) == {
        (Notification.Status.DIGESTED, digest.pk)}
    notification_enqueue(notification_id=digest.pk)
    notification_enqueue(notification_id=digest.pk)
    assert len(mail.outbox) == 1
