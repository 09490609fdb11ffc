"""Notifications through a real Celery worker and Redis, including a broker outage."""

import os
import socket
import time
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from algoric.notifications.models import Notification
from algoric.notifications.services import notify
from algoric.notifications.tasks import notification_sweep

from ..factories import UserFactory
from .conftest import (
    REAL_SERVERS,
    SKIP_REASON,
    broker_unreachable,
    mails_to,
    producer_broker,
    start_worker,
    stop_process,
    wait_for,
)

pytestmark = [pytest.mark.worker, pytest.mark.skipif(not REAL_SERVERS, reason=SKIP_REASON)]


def status_of(pk):
    return Notification.objects.get(pk=pk).status


def test_notification_travels_through_the_real_worker(transactional_db, celery_worker_process):
    user = UserFactory(email="worker.path@example.org", language="en")
    notification = notify(event="welcome", recipient=user)  # autocommit: queued at once
    assert wait_for(lambda: status_of(notification.pk) == Notification.Status.SENT)
    notification.refresh_from_db()
    assert notification.queued_at is not None and notification.attempts == 1
    messages = wait_for(lambda: mails_to(user.email))
    assert len(messages) == 1
    assert "Subject: [Algoric] Welcome to Algoric" in messages[0]


def test_broker_down_at_submit_loses_nothing_and_delivers_once(
    transactional_db, celery_worker_process, client
):
    email = "broker.down@example.org"
    with broker_unreachable():
        started = time.monotonic()
        response = client.post(reverse("account_signup"), {
            "first_name": "Nolwenn", "last_name": "Tanguy", "email": email,
            "password1": "Ty-Kreiz-Loch-2026-calcul", "password2": "Ty-Kreiz-Loch-2026-calcul",
        })
        elapsed = time.monotonic() - started
    assert response.status_code == HTTPStatus.FOUND
    assert elapsed < 3, f"sign-up took {elapsed:.2f} s with the broker down"
    notification = Notification.objects.get(email=email)
    assert (notification.status, notification.queued_at) == (Notification.Status.PENDING, None)
    assert mails_to(email) == []

    # The broker is reachable again: the sweeper queues it and the worker sends it.
    assert notification_sweep(now=timezone.now() + timedelta(seconds=10)) == 1
    assert wait_for(lambda: status_of(notification.pk) == Notification.Status.SENT)
    assert notification_sweep(now=timezone.now() + timedelta(minutes=5)) == 0
    time.sleep(1)  # give a duplicate, if any, the time to arrive
    assert len(mails_to(email)) == 1


def test_notification_queued_while_redis_is_stopped_is_delivered_once_after_restart(
    transactional_db, private_redis, tmp_path, client
):
    """Redis really stops while a member signs up, then comes back on the same port:
    the worker reconnects by itself and the sweeper gets the message delivered once."""
    worker = start_worker(node=f"outage-{os.getpid()}@{socket.gethostname()}",
                          log_path=tmp_path / "worker.log", broker_url=private_redis.url)
    email = "redis.stopped@example.org"
    try:
        with producer_broker(private_redis.url):
            private_redis.stop()
            started = time.monotonic()
            response = client.post(reverse("account_signup"), {
                "first_name": "Erwan", "last_name": "Le Du", "email": email,
                "password1": "Ty-Kreiz-Loch-2026-calcul",
                "password2": "Ty-Kreiz-Loch-2026-calcul",
            })
            elapsed = time.monotonic() - started
            assert response.status_code == HTTPStatus.FOUND
            assert elapsed < 3, f"sign-up took {elapsed:.2f} s with Redis stopped"
            notification = Notification.objects.get(email=email)
            assert notification.status == Notification.Status.PENDING

            private_redis.start()
            restarted = time.monotonic()
            assert notification_sweep(now=timezone.now() + timedelta(seconds=10)) == 1
            assert wait_for(lambda: status_of(notification.pk) == Notification.Status.SENT,
                            timeout=60)
            recovery = time.monotonic() - restarted
            print(f"delivered {recovery:.1f} s after Redis restarted")
            time.sleep(1)
            assert len(mails_to(email)) == 1
    finally:
        stop_process(worker)
