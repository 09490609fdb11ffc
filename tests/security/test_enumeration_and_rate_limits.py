"""Account enumeration and rate limits, beyond tests/members/test_accounts.py.

There: sign-up with a taken address, password reset for a known and an unknown address and
a failed login answer with the same status and redirect; failed logins are limited per
account; ten failures from one address are not reset by a forged ``X-Forwarded-For``.
Here: the pages those answers lead to are the same too (text, not only status), the
answers for an unverified or deactivated account are the same as for no account, and the
sign-up and password-reset limits answer 429 whatever ``X-Forwarded-For`` says — and the
per-account limit holds when the attempts come from many addresses.
"""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

_VOLATILE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|'
                       r"[\w.+-]+@example\.org|X-Request-ID[^<]*")


def page(response, client) -> str:
    """The page a POST leads to (its redirect followed), without tokens and addresses."""
    if response.status_code in {301, 302, 303}:
        response = client.get(response["Location"])
    return _VOLATILE.sub("", response.content.decode())


def signup(client, email: str):
    return client.post(reverse("account_signup"), {
        "email": email, "password1": "Ty-Kreiz-Loch-2026-calcul",
        "password2": "Ty-Kreiz-Loch-2026-calcul", "first_name": "Anna", "last_name": "Kerhoas"})


def test_signup_pages_are_the_same_for_new_taken_and_unverified_addresses(
        client_factory, django_capture_on_commit_callbacks):
    taken = UserFactory()
    unverified = UserFactory(verified=False)
    pages = []
    for email in ("brand.new@example.org", taken.email, unverified.email):
        client = client_factory()
        with django_capture_on_commit_callbacks(execute=True):
            response = signup(client, email)
        pages.append((response.status_code, page(response, client)))
    assert pages[0] == pages[1] == pages[2]


def test_password_reset_pages_are_the_same_for_known_unknown_and_inactive(
        client_factory, django_capture_on_commit_callbacks):
    known = UserFactory()
    inactive = UserFactory(is_active=False)
    pages = []
    for email in (known.email, "nobody.here@example.org", inactive.email):
        client = client_factory()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("account_reset_password"), {"email": email})
        pages.append((response.status_code, page(response, client)))
    assert pages[0] == pages[1] == pages[2]


def test_wrong_password_answers_the_same_for_every_kind_of_account(client_factory):
    kinds = [UserFactory().email, UserFactory(verified=False).email,
             UserFactory(is_active=False).email, "ghost.person@example.org"]
    pages = []
    for email in kinds:
        client = client_factory()
        response = client.post(reverse("account_login"),
                               {"login": email, "password": "Not-the-password-2026"})
        pages.append((response.status_code, page(response, client)))
    assert len(set(pages)) == 1, [p[0] for p in pages]


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client


def _forged(n: int) -> dict:
    return {"X-Forwarded-For": f"198.51.100.{n % 250}", "X-Real-IP": f"198.51.100.{n % 250}"}


def test_signup_limit_answers_429_and_ignores_forged_forwarded_for(client):
    codes = [signup(client, f"flood{n}@example.org").status_code for n in range(20)]
    assert HTTPStatus.TOO_MANY_REQUESTS not in codes
    for n in range(3):
        response = client.post(reverse("account_signup"), {
            "email": f"more{n}@example.org", "password1": "Ty-Kreiz-Loch-2026-calcul",
            "password2": "Ty-Kreiz-Loch-2026-calcul"}, headers=_forged(n))
        assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_password_reset_limit_answers_429_and_ignores_forged_forwarded_for(client):
    url = reverse("account_reset_password")
    for n in range(20):
        assert client.post(url, {"email": f"r{n}@example.org"}).status_code != 429
    for n in range(3):
        response = client.post(url, {"email": f"x{n}@example.org"}, headers=_forged(n))
        assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_per_account_login_limit_holds_across_client_addresses(client_factory, member):
    """Five failures for one account within five minutes, each from another address:
    the sixth is refused even from a fresh address (allauth's ``login_failed`` key)."""
    url = reverse("account_login")
    codes = []
    for n in range(6):
        client = client_factory(REMOTE_ADDR=f"192.0.2.{10 + n}")
        codes.append(client.post(url, {"login": member.email,
                                       "password": f"Wrong-{n}-pass-2026"}).status_code)
    assert codes[:5] == [HTTPStatus.BAD_REQUEST] * 5
    assert codes[5] == HTTPStatus.TOO_MANY_REQUESTS
    fresh = client_factory(REMOTE_ADDR="192.0.2.99")
    response = fresh.post(url, {"login": member.email, "password": PASSWORD})
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
