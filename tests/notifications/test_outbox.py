"""The notification outbox on the embedded defaults (eager Celery, in-memory email)."""

import smtplib
from datetime import timedelta
from http import HTTPStatus
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from algoric.notifications import tasks
from algoric.notifications.models import Notification
from algoric.notifications.services import notification_send, notify
from algoric.notifications.tasks import notification_sweep, send_notification

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def later(seconds=120):
    return timezone.now() + timedelta(seconds=seconds)


def test_notify_stores_then_sends_after_commit(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = notify(event="welcome", recipient=member)
        assert notification.status == Notification.Status.PENDING
        assert mail.outbox == []  # nothing sent inside the transaction
    assert len(callbacks) == 1
    callbacks[0]()
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.sent_at is not None and notification.attempts == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member.email]


def test_notify_inside_rolled_back_transaction_leaves_nothing(member,
                                                              django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(event="welcome", recipient=member)
        raise RuntimeError("the business change failed")
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_notification_is_written_in_the_recipients_language(django_capture_on_commit_callbacks):
    french, english = UserFactory(language="fr"), UserFactory(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        notify(event="welcome", recipient=french)
        notify(event="welcome", recipient=english)
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[french.email] == "[Algoric] Bienvenue chez Algoric"
    assert subjects[english.email] == "[Algoric] Welcome to Algoric"
    assert Notification.objects.get(recipient=english).language == "en"


def test_dedupe_key_notifies_once(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(event="welcome", recipient=member, dedupe_key="welcome:x")
        second = notify(event="welcome", recipient=member, dedupe_key="welcome:x")
    assert first.pk == second.pk
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_sending_twice_delivers_once(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(event="welcome", recipient=member)
    assert notification_send(notification_id=notification.pk) == "skipped"
    send_notification.apply(args=[notification.pk])
    assert len(mail.outbox) == 1


def test_broker_down_at_submit_keeps_notification_and_sweeper_delivers_once(
    client, django_capture_on_commit_callbacks
):
    """A sign-up while the broker refuses connections: the request succeeds, the message
    waits in the outbox, and the sweeper delivers it exactly once when the broker is back."""
    broken = mock.patch.object(send_notification, "apply_async",
                               side_effect=OperationalError("Error 111 connecting"))
    with broken, django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), {
            "first_name": "Loïc", "last_name": "Guégan", "email": "down@example.org",
            "password1": "Ty-Kreiz-Loch-2026-calcul", "password2": "Ty-Kreiz-Loch-2026-calcul",
        })
    assert response.status_code == HTTPStatus.FOUND
    notification = Notification.objects.get(email="down@example.org")
    assert notification.status == Notification.Status.PENDING
    assert notification.queued_at is None
    assert mail.outbox == []

    # Broker still down: the sweep queues nothing and loses nothing.
    with broken:
        assert notification_sweep(now=later()) == 0
    assert Notification.objects.get(pk=notification.pk).status == Notification.Status.PENDING

    # Broker back: delivered once, and a second sweep sends nothing more.
    assert notification_sweep(now=later()) == 1
    assert notification_sweep(now=later(240)) == 0
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert [m.to for m in mail.outbox] == [["down@example.org"]]


def test_after_a_broker_failure_requests_skip_publishing_for_a_while(member):
    broken = mock.patch.object(send_notification, "apply_async",
                               side_effect=OperationalError("Timeout reading from socket"))
    ids = [Notification.objects.create(recipient=member, email=member.email, event="e",
                                       subject="s", body="b").pk for _ in range(3)]
    with broken as apply_async:
        assert not tasks.notification_enqueue(notification_id=ids[0])
        assert not tasks.notification_enqueue(notification_id=ids[1])
        assert apply_async.call_count == 1  # the second request did not wait on the broker
    # The sweeper does not honour the back-off, and a success closes it.
    assert tasks.notification_enqueue(notification_id=ids[2], honour_backoff=False)
    assert tasks.notification_enqueue(notification_id=ids[1])
    assert len(mail.outbox) == 2


def test_smtp_failure_is_recorded_and_retried_then_marked_failed(member):
    notification = Notification.objects.create(
        recipient=member, email=member.email, event="welcome", subject="s", body="b"
    )
    with override_settings(NOTIFICATION_MAX_ATTEMPTS=2), mock.patch(
        "django.core.mail.EmailMessage.send",
        side_effect=smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
    ):
        with pytest.raises(smtplib.SMTPServerDisconnected):
            notification_send(notification_id=notification.pk)
        notification.refresh_from_db()
        assert (notification.status, notification.attempts) == ("pending", 1)
        assert "SMTPServerDisconnected" in notification.last_error
        assert notification_send(notification_id=notification.pk) == "skipped"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("failed", 2)


def test_sweeper_ignores_fresh_and_recently_queued_rows(member):
    fresh = Notification.objects.create(recipient=member, email=member.email, event="e",
                                        subject="s", body="b")
    queued = Notification.objects.create(recipient=member, email=member.email, event="e",
                                         subject="s", body="b", queued_at=timezone.now())
    with mock.patch.object(tasks, "notification_enqueue", return_value=True) as enqueue:
        assert notification_sweep() == 0
        assert notification_sweep(now=later(30)) == 1
    enqueue.assert_called_once_with(notification_id=fresh.pk, honour_backoff=False)
    assert queued.pk != fresh.pk


def test_inbox_lists_only_own_notifications(client, member):
    other = UserFactory()
    Notification.objects.create(recipient=member, email=member.email, event="e",
                                subject="Mine", body="for me")
    Notification.objects.create(recipient=other, email=other.email, event="e",
                                subject="Theirs", body="not for me")
    Notification.objects.create(recipient=member, email=member.email, event="e",
                                subject="Secret link", body="key", in_inbox=False)
    client.force_login(member)
    response = client.get(reverse("notifications:inbox"))
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Mine" in body and "Theirs" not in body and "Secret link" not in body
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response[
        "Cache-Control"]


def test_mark_all_read_is_post_only(client, member):
    Notification.objects.create(recipient=member, email=member.email, event="e",
                                subject="s", body="b")
    client.force_login(member)
    url = reverse("notifications:mark_all_read")
    assert client.get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert client.post(url).status_code == HTTPStatus.FOUND
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_inbox_requires_login(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("account_login"))
