"""Pages a signed-in PI reads again, in Chromium: served from the signed-in page cache, yet
a change made elsewhere is on the next reload, and a form of a page served from the store
posts (its CSRF token is the reader's). No script error, no CSP violation.

Screenshots: ``var/screenshots/signed-in-cache-NN-<what>.png``.
"""

import pytest

from algoric.notifications.models import NotificationPreference
from projects.models import Project

from ..factories import NotificationFactory, OrganisationFactory, ProjectFactory, UserFactory
from .test_notification_choices import _signed_in
from .test_report_pages import _no_problems

pytestmark = pytest.mark.browser


def _token(page) -> str:
    tokens = page.locator("input[name=csrfmiddlewaretoken]")
    assert tokens.count() >= 1
    return tokens.first.get_attribute("value")


def _shot(page, directory, number: int, what: str) -> None:
    page.screenshot(path=str(directory / f"signed-in-cache-{number:02d}-{what}.png"),
                    full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_page_read_again_shows_a_change_made_elsewhere_and_its_form_still_posts(
        live_server, browser_page, screenshot_dir):
    page = browser_page
    pi = UserFactory(email="anne.le-goff@example.org", first_name="Anne", last_name="Le Goff")
    project = ProjectFactory(pi=pi, organisation=OrganisationFactory(name="Calcul Marin"),
                             acronym="HOULE", title="Houle du golfe", status="active")
    _signed_in(page, live_server, pi)
    url = f"{live_server.url}/projects/{project.pk}/"

    page.goto(url)
    page.reload()  # the first answer set the CSRF cookie: this one is stored
    stored = _token(page)
    page.reload()
    # A rendered page carries a newly masked CSRF token; the kept one, the same bytes.
    assert _token(page) == stored
    assert "Houle du golfe" in page.content()
    _shot(page, screenshot_dir, 1, "project-page-served-again")

    # Staff rename the project and the PI gets a notification: written by another thread,
    # committed, as another process would.
    Project.objects.filter(pk=project.pk).update(title="Houle et submersion du golfe")
    NotificationFactory(recipient=pi)
    page.reload()
    assert "Houle et submersion du golfe" in page.content()
    assert "1" in page.get_by_role("link", name="Notifications").inner_text().split()
    _shot(page, screenshot_dir, 2, "project-page-after-the-change")

    page.goto(f"{live_server.url}/account/profile/")
    page.reload()
    stored = _token(page)
    page.reload()
    assert _token(page) == stored  # served from the store
    section = page.locator("#notifications")
    section.locator("#id_notifications-requests_1").check()
    section.locator("button[name=save_notifications]").click()
    page.wait_for_load_state()
    assert page.locator(".alert-success").count() == 1  # the token of a kept page is valid
    assert page.locator("#id_notifications-requests_1").is_checked()
    _shot(page, screenshot_dir, 3, "profile-saved-from-a-kept-page")
    page.reload()
    assert page.locator(".alert-success").count() == 0  # the message was shown once
    assert page.locator("#id_notifications-requests_1").is_checked()
    assert dict(NotificationPreference.objects.filter(user=pi).values_list(
        "category", "delivery"))["requests"] == "weekly"
    _no_problems(page)
