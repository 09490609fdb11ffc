"""The notification choices on the profile page in Chromium: shown, saved, no blocked
script (screenshot in var/screenshots/)."""

import pytest
from django.conf import settings
from django.test import Client

from algoric.notifications.models import NotificationPreference
from algoric.notifications.selectors import notification_choice_categories

from ..factories import UserFactory

pytestmark = pytest.mark.browser


def _signed_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                               "url": live_server.url}])


@pytest.mark.django_db(transaction=True)
def test_a_pi_chooses_the_weekly_digest_on_the_profile_page(live_server, browser_page,
                                                            screenshot_dir):
    pi = UserFactory(email="anne.le-goff@example.org", first_name="Anne", last_name="Le Goff")
    _signed_in(browser_page, live_server, pi)
    browser_page.goto(f"{live_server.url}/account/profile/")
    section = browser_page.locator("#notifications")
    assert section.locator("input[type=radio]").count() == 2 * len(
        notification_choice_categories())
    section.locator("#id_notifications-requests_1").check()
    section.locator("#id_notifications-reports_1").check()
    section.locator("button[name=save_notifications]").click()
    browser_page.wait_for_load_state()
    assert browser_page.locator(".alert-success").count() == 1
    assert browser_page.locator("#id_notifications-requests_1").is_checked()
    assert browser_page.locator("#id_notifications-allocations_0").is_checked()
    browser_page.screenshot(path=str(screenshot_dir / "profile-notifications.png"),
                            full_page=True)
    assert dict(NotificationPreference.objects.filter(user=pi).values_list(
        "category", "delivery"))["requests"] == "weekly"
    problems = browser_page.problems
    assert not (problems.console_errors or problems.page_errors or problems.csp_violations), \
        problems.summary()
