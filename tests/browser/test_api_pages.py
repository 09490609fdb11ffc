"""The API's pages in Chromium: the documentation (Swagger UI from static/, under the
strict CSP) lists the operations, and the profile page makes a token shown once, lists it
and revokes it (screenshots in var/screenshots/)."""

import pytest
from django.conf import settings
from django.test import Client

from api.models import PersonalAccessToken

from ..factories import UserFactory

pytestmark = pytest.mark.browser


def _signed_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                               "url": live_server.url}])


def _no_problems(page) -> None:
    problems = page.problems
    assert not (problems.console_errors or problems.page_errors or problems.csp_violations
                or problems.failed_requests), problems.summary()


@pytest.mark.django_db(transaction=True)
def test_api_documentation_runs_under_the_strict_csp(live_server, browser_page,
                                                     screenshot_dir):
    browser_page.goto(f"{live_server.url}/api/v1/docs/")
    browser_page.locator(".opblock").first.wait_for()
    assert browser_page.locator(".opblock").count() >= 30
    assert "Algoric portal API" in browser_page.locator(".info .title").inner_text()
    browser_page.screenshot(path=str(screenshot_dir / "api-docs.png"), full_page=False)
    _no_problems(browser_page)


@pytest.mark.django_db(transaction=True)
def test_profile_page_makes_shows_once_and_revokes_a_token(live_server, browser_page,
                                                          screenshot_dir):
    user = UserFactory(email="maelle.pi@example.org")
    _signed_in(browser_page, live_server, user)
    browser_page.goto(f"{live_server.url}/account/profile/")
    browser_page.fill("#id_name", "carnet de consommation")
    browser_page.click("#api-tokens form[action$='/api-tokens/new/'] button[type=submit]")
    shown = browser_page.locator("[data-testid=new-token]").inner_text().strip()
    assert shown.startswith("alg_")
    browser_page.screenshot(path=str(screenshot_dir / "api-token-created.png"), full_page=True)
    response = browser_page.request.get(f"{live_server.url}/api/v1/me/",
                                        headers={"Authorization": f"Bearer {shown}"})
    assert response.status == 200 and response.json()["email"] == user.email
    browser_page.reload()
    assert browser_page.locator("[data-testid=new-token]").count() == 0
    browser_page.click("#api-tokens button.btn-outline-danger")
    assert PersonalAccessToken.objects.get(user=user).revoked_at is not None
    browser_page.screenshot(path=str(screenshot_dir / "api-token-revoked.png"), full_page=True)
    _no_problems(browser_page)
