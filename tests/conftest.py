"""Shared fixtures, built on the factories (``tests/factories.py``): users, staff with TOTP
(and a client signed in as one), an SME with its people, English, no agreement PDF, and a
clean rate-limit cache per test."""

import importlib
import sys
import time
import types

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.conf import settings
from django.core.cache import cache, caches
from django.utils import translation

from .browser.support import (  # noqa: F401  (one definition for every suite that drives Chromium)
    browser_page,
    chromium,
    public_pages,
    pytest_runtest_makereport,
    screenshot_dir,
)
from .factories import PASSWORD, StaffFactory, UserFactory


@pytest.fixture(autouse=True)
def _french_by_default():
    """Start every test in French: a request leaves its language active in the thread,
    and ``reverse()`` in the next test would otherwise build ``/en/`` URLs."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Run tasks inline except in tests marked ``worker``.

    On the embedded defaults Celery is eager anyway. Against real servers, the
    ``worker`` tests go through Redis and a real worker; the others keep checking
    the services step by step, on PostgreSQL.
    """
    from algoric.celery import app as celery_app

    if request.node.get_closest_marker("worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _broker_backoff_closed():
    """No test inherits another's broker back-off (see ``notification_enqueue``)."""
    from algoric.notifications import tasks

    tasks._broker_down_until = 0.0


@pytest.fixture(autouse=True)
def _clear_cache(request):
    """Start every database test with empty rate-limit counters."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if {"transactional_db", "live_server"} & names or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    elif "db" in names or marker:
        request.getfixturevalue("db")
    else:
        return
    cache.clear()
    caches["pages"].clear()


@pytest.fixture
def english():
    """Run the test in English: messages and command output are compared in English (the
    portal's default is French). Modules use it with ``pytest.mark.usefixtures``."""
    with translation.override("en"):
        yield


@pytest.fixture
def no_pdf(monkeypatch):
    """Approval generates the agreement's PDF (WeasyPrint): replaced by a recorder, whose
    calls are returned. Modules use it with ``pytest.mark.usefixtures``
    (the members' staff pages and admin, the audit trail)."""
    name = "members.services.agreement_pdf"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError:
        module = types.ModuleType(name)
        monkeypatch.setitem(sys.modules, name, module)
    calls = []
    monkeypatch.setattr(module, "agreement_pdf_refresh",
                        lambda **kwargs: calls.append(kwargs) or True, raising=False)
    return calls


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def member(db):
    return UserFactory()


@pytest.fixture
def staff(db):
    """A staff member who has not enrolled MFA."""
    return StaffFactory()


@pytest.fixture
def staff_with_mfa(db):
    """A staff member with an active TOTP authenticator; ``.totp_secret`` holds its secret."""
    user = StaffFactory()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    user.totp_secret = secret
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return user


@pytest.fixture
def staff_client(client, staff_with_mfa):
    """The test client, signed in as a staff member with MFA (``staff_with_mfa``)."""
    client.force_login(staff_with_mfa)
    return client


def totp_code(secret: str) -> str:
    """The TOTP code of ``secret`` for the current 30 s period (RFC 6238)."""
    return str(hotp_value(secret, int(time.time()) // 30)).zfill(6)


@pytest.fixture
def organisation(db):
    """An SME with a representative (``organisation.representative``), a referent and a
    plain member; published SME terms and this year's fee exist."""
    from .factories import (
        FeeScheduleFactory,
        OrganisationFactory,
        OrganisationMemberFactory,
        TermsTemplateFactory,
    )

    TermsTemplateFactory()
    FeeScheduleFactory()
    org = OrganisationFactory()
    org.representative = OrganisationMemberFactory(organisation=org, role="representative").user
    org.referent = OrganisationMemberFactory(organisation=org, role="referent").user
    org.plain_member = OrganisationMemberFactory(organisation=org, role="member").user
    return org
