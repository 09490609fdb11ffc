"""/healthz: JSON shape, statuses, bounded broker check, heartbeat, outbox, not audited."""

import json
import os
import socket
import threading
import time
from http import HTTPStatus

import pytest
from django.test import override_settings

from algoric.audit.models import AuditEvent
from algoric.notifications.models import Notification
from algoric.operations import health
from algoric.operations.tasks import worker_heartbeat

pytestmark = pytest.mark.django_db


def get(client):
    response = client.get("/healthz")
    return response, json.loads(response.content)


@override_settings(CELERY_TASK_ALWAYS_EAGER=True, CELERY_BROKER_URL="memory://")
def test_health_on_the_embedded_defaults_is_ok(client):
    response, body = get(client)
    assert response.status_code == HTTPStatus.OK
    assert response["Cache-Control"].startswith("max-age=0")
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "worker", "outbox", "clusters"}
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["worker"]["heartbeat_age_s"] is None  # eager: no worker
    assert body["checks"]["outbox"] == {"ok": True, "pending": 0, "oldest_age_s": None}
    assert body["checks"]["clusters"] == []


def test_health_has_no_language_prefix_needs_no_login_and_is_not_audited(client):
    assert client.get("/en/healthz").status_code == HTTPStatus.NOT_FOUND
    for _ in range(3):
        assert client.get("/healthz").status_code == HTTPStatus.OK
    assert not AuditEvent.objects.exists()


def test_database_down_answers_503(client, monkeypatch):
    monkeypatch.setattr(health, "check_database",
                        lambda: {"ok": False, "error": "OperationalError"})
    response, body = get(client)
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert body["status"] == "down"


def test_outbox_backlog_is_reported_and_old_mail_degrades(client, member, settings):
    Notification.objects.create(recipient=member, email=member.email, event="welcome",
                                subject="s", body="b")
    _response, body = get(client)
    assert body["checks"]["outbox"]["pending"] == 1
    assert body["checks"]["outbox"]["oldest_age_s"] >= 0
    settings.HEALTH_OUTBOX_MAX_AGE = -1
    response, body = get(client)
    assert response.status_code == HTTPStatus.OK and body["status"] == "degraded"


@override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="redis://127.0.0.1:9/0")
def test_heartbeat_age_is_read_from_the_database_cache(client, settings):
    _response, body = get(client)
    assert body["checks"]["worker"] == {"ok": False, "heartbeat_age_s": None}
    worker_heartbeat.run()
    _response, body = get(client)
    assert body["checks"]["worker"]["ok"] is True
    assert 0 <= body["checks"]["worker"]["heartbeat_age_s"] < 5
    health.heartbeat_write(time.time() - 3600)
    _response, body = get(client)
    assert body["checks"]["worker"]["heartbeat_age_s"] >= 3600
    assert body["status"] == "degraded"


def test_heartbeat_runs_every_minute_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["worker-heartbeat"]
    assert entry["task"] == "algoric.operations.tasks.worker_heartbeat"
    assert entry["schedule"] == 60.0


@override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="redis://127.0.0.1:9/0")
def test_broker_refusing_connections_is_degraded_not_down(client):
    response, body = get(client)
    assert response.status_code == HTTPStatus.OK
    assert body["status"] == "degraded"
    assert body["checks"]["broker"]["ok"] is False


def test_frozen_broker_check_gives_up_within_one_second():
    """A server that accepts the connection and never answers (like Redis under SIGSTOP)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False,
                               CELERY_BROKER_URL=f"redis://127.0.0.1:{port}/0"):
            started = time.monotonic()
            result = health.check_broker()
            elapsed = time.monotonic() - started
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in accepted:
            conn.close()
        server.close()
    assert result["ok"] is False
    assert elapsed <= 1.0, elapsed


def test_cluster_failures_registered_by_resources_are_reported(client, monkeypatch):
    from algoric.core import registries

    assert "clusters" in registries.health_checks()  # resources registers it when ready
    monkeypatch.setitem(registries._HEALTH_CHECKS, "clusters",
                        lambda: [{"cluster": "ouessant", "error": "timeout"}])
    _response, body = get(client)
    assert body["checks"]["clusters"] == [{"cluster": "ouessant", "error": "timeout"}]
    assert body["status"] == "degraded"


@pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"),
                    reason="needs the real Redis of CELERY_BROKER_URL")
def test_real_redis_answers_the_broker_check():
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False,
                           CELERY_BROKER_URL=os.environ["CELERY_BROKER_URL"]):
        assert health.check_broker()["ok"] is True
