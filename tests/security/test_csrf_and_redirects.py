"""CSRF on every POST endpoint and open redirects through ``next=``.

CSRF: the legitimate user of each URL (the victim's representative, or staff with MFA
for staff pages) POSTs with Django's checks enforced — without a token, and with a valid
token but a foreign ``Origin`` — and is refused 403 with nothing changed. Open redirects:
every view that reads ``next`` keeps the visitor on the site.
"""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from ..factories import PASSWORD
from .test_url_access import (
    ADMIN,
    API,
    STAFF,
    URLS,
    admin_path,
    fingerprint,
    is_admin,
    url_patterns,
)

pytestmark = pytest.mark.django_db

FOREIGN = "https://evil.example"
#: Views that accept a POST without a session: the push API and the REST API (``api:…``)
#: check a bearer token and ignore cookies.
CSRF_EXEMPT = {"accounting_api"}


def csrf_exempt(name: str) -> bool:
    """Whether the URL named ``name`` is one of the token-only APIs."""
    return name in CSRF_EXEMPT or name.startswith("api:")


def owner_client(kind: str, world, *, enforce=True) -> Client:
    client = Client(enforce_csrf_checks=enforce)
    client.force_login(world.staff if kind in {STAFF, ADMIN} else world.representative)
    return client


def csrf_token(client: Client) -> str:
    """A valid CSRF token for ``client`` (the cookie set by a page with a form)."""
    client.get(reverse("account_email"))
    return client.cookies["csrftoken"].value


def every_path(world):
    for route, name in url_patterns():
        if is_admin(route):
            if "<" in route or "(?P" in route:
                continue  # the object pages: one per model is enough for CSRF
            yield route, ADMIN, "/" + route
            continue
        if name not in URLS or csrf_exempt(name):
            continue  # an unknown URL fails test_every_url_pattern_is_known
        kind, builders = URLS[name]
        yield name, kind, reverse(name, kwargs={k: b(world) for k, b in builders.items()})
    # one object page of the admin
    yield "admin change", ADMIN, admin_path("admin/members/user/<path:object_id>/change/")


def test_every_post_without_token_or_from_a_foreign_origin_is_refused(world):
    before = fingerprint()
    problems = []
    token_clients = {}
    for name, kind, path in every_path(world):
        client = owner_client(kind, world)
        response = client.post(path, {"body": "x", "name": "x"})
        if response.status_code != HTTPStatus.FORBIDDEN:
            problems.append(f"{name} {path}: no token answered {response.status_code}")
        token_client = token_clients.get(kind in {STAFF, ADMIN})
        if token_client is None:
            token_client = owner_client(kind, world)
            token_client.token = csrf_token(token_client)
            token_clients[kind in {STAFF, ADMIN}] = token_client
        response = token_client.post(
            path, {"csrfmiddlewaretoken": token_client.token, "body": "x"},
            headers={"Origin": FOREIGN}, secure=True)
        if response.status_code != HTTPStatus.FORBIDDEN:
            problems.append(f"{name} {path}: foreign Origin answered {response.status_code}")
    assert not problems, "\n".join(problems)
    assert fingerprint() == before


def test_the_push_api_ignores_cookies_and_needs_its_token(world):
    """The only CSRF-exempt POST: a signed-in browser cannot use it without a token."""
    client = owner_client(STAFF, world)
    response = client.post(reverse("accounting_api") + "?cluster=secu", b"x",
                           content_type="text/plain", headers={"Origin": FOREIGN})
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert API in URLS["accounting_api"]


def test_the_rest_api_ignores_the_session_cookie(world):
    """A signed-in browser on another site cannot act through the REST API: without a
    bearer token every call answers 401, whatever cookie it carries."""
    before = fingerprint()
    client = owner_client("lead", world)
    for name, kwargs in [("api:project_list", {}),
                         ("api:request_submit", {"pk": world.request.pk}),
                         ("api:request_withdraw", {"pk": world.request.pk})]:
        response = client.post(reverse(name, kwargs=kwargs), data="{}",
                               content_type="application/json", headers={"Origin": FOREIGN})
        assert response.status_code == HTTPStatus.UNAUTHORIZED, name
    assert fingerprint() == before


def test_a_valid_token_from_the_site_is_accepted(world):
    """The control: the same POST with a token and the site's own Origin goes through."""
    client = owner_client("lead", world)
    token = csrf_token(client)
    response = client.post(reverse("notifications:mark_all_read"),
                           {"csrfmiddlewaretoken": token},
                           headers={"Origin": "https://testserver"}, secure=True)
    assert response.status_code == HTTPStatus.FOUND


# --- Open redirects ---------------------------------------------------------------------------

HOSTILE_NEXT = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    " https://evil.example",
    "https://testserver@evil.example/",
]


def stays_on_site(response) -> bool:
    location = response.get("Location", "")
    parts = urlsplit(location)
    return (response.status_code in {301, 302, 303}
            and parts.scheme in {"", "http", "https"}
            and parts.netloc in {"", "testserver"}
            and not location.lower().lstrip().startswith(("javascript:", "//", "/\\", "\\")))


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_never_redirects_off_site(client, member, target):
    response = client.post(reverse("account_login") + f"?next={target}",
                           {"login": member.email, "password": PASSWORD, "next": target})
    assert stays_on_site(response), response.get("Location")


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_logout_never_redirects_off_site(client, member, target):
    client.force_login(member)
    response = client.post(reverse("account_logout"), {"next": target})
    assert stays_on_site(response), response.get("Location")


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_language_switch_never_redirects_off_site(client, target):
    response = client.post(reverse("set_language"), {"language": "en", "next": target},
                           headers={"Referer": target})
    assert stays_on_site(response), response.get("Location")


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_staff_comment_never_redirects_off_site(world, target):
    client = owner_client(STAFF, world, enforce=False)
    response = client.post(reverse("projects:staff_request_comment", args=[world.request.pk]),
                           {"body": "Un commentaire.", "next": target})
    assert stays_on_site(response), response.get("Location")


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_page_for_a_signed_in_visitor_never_redirects_off_site(client, member, target):
    client.force_login(member)
    response = client.get(reverse("account_login") + "?next=" + target)
    assert response.status_code == HTTPStatus.OK or stays_on_site(response)


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_admin_login_never_redirects_off_site(client, staff_with_mfa, target):
    client.force_login(staff_with_mfa)
    response = client.get("/admin/login/?next=" + target)
    assert response.status_code == HTTPStatus.OK or stays_on_site(response)
