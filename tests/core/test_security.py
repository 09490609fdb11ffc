"""Security headers, error pages, host checks and production settings."""

import os
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import path

pytestmark = pytest.mark.django_db
BASE_DIR = Path(__file__).resolve().parents[2]


def boom(request):
    raise RuntimeError("forced failure with secret=hunter2")


urlpatterns = [path("boom/", boom)]
handler500 = "algoric.core.views.server_error"


def test_public_page_sends_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert len(response["X-Request-ID"]) >= 8


def test_pages_have_no_inline_script(client):
    body = client.get("/").content.decode()
    assert "<script>" not in body and "onclick=" not in body


def test_bad_host_header_is_400(client):
    response = client.get("/", headers={"Host": "evil.example"})
    assert response.status_code == HTTPStatus.BAD_REQUEST


@override_settings(ROOT_URLCONF=__name__)
def test_server_error_shows_generic_page_with_error_id(caplog):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/", headers={"X-Request-ID": "req-1234abcd"})
    body = response.content.decode()
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "req-1234abcd" in body
    assert "hunter2" not in body and "Traceback" not in body


def test_login_does_not_depend_on_redis():
    from django.conf import settings

    assert "redis" not in settings.CACHES["default"]["BACKEND"].lower()


def _production_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "algoric.settings.production",
        "DJANGO_SECRET_KEY": "x" * 20 + "-production-check-only-" + "y" * 20,
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
        "DATABASE_URL": "postgres://algoric@127.0.0.1:5432/algoric",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
        "EMAIL_URL": "smtp://127.0.0.1:1025",
        # The association's identity (billing's deployment check): made-up, valid values.
        "ASSOCIATION_LEGAL_NAME": "Association (check)", "ASSOCIATION_ADDRESS": "Check",
        "ASSOCIATION_POSTAL_CODE": "56400", "ASSOCIATION_CITY": "Auray",
        "ASSOCIATION_SIREN": "123456782", "ASSOCIATION_SIRET": "12345678200010",
        "ASSOCIATION_IBAN": "FR1420041010050500013M02606", "ASSOCIATION_BIC": "TESTFRPP",
        **extra,
    })
    return env


def test_production_settings_pass_check_deploy():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=_production_env(), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_check_deploy_refuses_a_missing_or_demonstration_identity():
    env = _production_env(ASSOCIATION_IBAN="FR7630006000011234567890189")
    del env["ASSOCIATION_SIRET"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "ASSOCIATION_SIRET is not set" in result.stderr
    assert "ASSOCIATION_IBAN still holds the demonstration value" in result.stderr


def test_production_settings_refuse_missing_secret():
    env = _production_env()
    del env["DJANGO_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_cookies_are_host_prefixed_and_secure():
    result = subprocess.run(
        [sys.executable, "-c",
         "import django; django.setup(); from django.conf import settings as s; "
         "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, "
         "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.DEBUG)"],
        cwd=BASE_DIR, env=_production_env(), capture_output=True, text=True, timeout=120,
    )
    assert result.stdout.split() == ["__Host-sessionid", "__Host-csrftoken", "True", "True",
                                     "31536000", "False"]


def test_local_settings_default_to_sqlite_eager_and_file_email():
    env = {k: v for k, v in os.environ.items()
           if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CELERY_BROKER_URL",
                        "REDIS_URL", "EMAIL_URL", "CELERY_TASK_ALWAYS_EAGER", "DJANGO_DEBUG"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], "
         "s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND.rsplit('.', 2)[-2], s.DEBUG, "
         "str(s.EMAIL_FILE_PATH).endswith('var/mail'))"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.stdout.split()[-5:] == ["django.db.backends.sqlite3", "True", "filebased",
                                          "True", "True"], result.stderr
