"""Structured logs with the request id, and the generic 500 page that shows it."""

import json
import logging
import os
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import path

from algoric.core.log_format import JsonFormatter
from algoric.core.request_id import RequestIdLogFilter, request_id_var

pytestmark = pytest.mark.django_db
BASE_DIR = Path(__file__).resolve().parents[2]


def explode(request):
    raise RuntimeError("forced failure with password=hunter2")


urlpatterns = [path("explode/", explode)]
handler500 = "algoric.core.views.server_error"


def _record(message="hello %s", args=("world",), exc_info=None):
    record = logging.LogRecord("algoric.test", logging.WARNING, __file__, 1, message, args,
                               exc_info)
    RequestIdLogFilter().filter(record)
    return record


def test_json_lines_carry_the_request_id():
    token = request_id_var.set("req-abcdef12")
    try:
        line = JsonFormatter().format(_record())
    finally:
        request_id_var.reset(token)
    entry = json.loads(line)
    assert entry["message"] == "hello world"
    assert entry["request_id"] == "req-abcdef12"
    assert entry["level"] == "WARNING" and entry["logger"] == "algoric.test"
    assert entry["time"].endswith("+00:00")
    assert "\n" not in line


def test_json_lines_keep_the_traceback_on_one_line():
    try:
        raise ValueError("bad value")
    except ValueError:
        entry = json.loads(JsonFormatter().format(_record(exc_info=sys.exc_info())))
    assert "ValueError: bad value" in entry["exception"]


@override_settings(ROOT_URLCONF=__name__)
def test_500_page_shows_the_request_id_that_the_log_has(caplog):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/explode/", headers={"X-Request-ID": "req-5000abcd"})
    body = response.content.decode()
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "req-5000abcd" in body and response["X-Request-ID"] == "req-5000abcd"
    assert "hunter2" not in body and "Traceback" not in body
    logged = [r for r in caplog.records if r.name == "django.request"]
    assert logged and logged[0].request_id == "req-5000abcd"


def _settings_value(settings_module: str, expression: str, **env) -> str:
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("DJANGO_", "DATABASE_", "LOG_FORMAT"))}
    environment.update({
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DJANGO_SECRET_KEY": "x" * 20 + "-logging-check-only-" + "y" * 20,
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
        "DATABASE_URL": "postgres://algoric@127.0.0.1:5432/algoric",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "EMAIL_URL": "smtp://127.0.0.1:1025",
        **env,
    })
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); "
         f"from django.conf import settings as s; print({expression})"],
        cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_logs_json_by_default_and_text_on_request():
    expression = "s.LOGGING['handlers']['console']['formatter']"
    assert _settings_value("algoric.settings.production", expression) == "json"
    assert _settings_value("algoric.settings.production", expression,
                           LOG_FORMAT="text") == "plain"
    assert _settings_value("algoric.settings.local", expression) == "plain"
    assert _settings_value("algoric.settings.local", expression, LOG_FORMAT="json") == "json"
