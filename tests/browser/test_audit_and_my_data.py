"""The audit trail page and the "My data" page in Chromium: they render, filter, and run no
blocked script (screenshots in var/screenshots/)."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.test import Client

from algoric.audit.models import AuditEvent
from algoric.audit.services import audit_record

from ..factories import OrganisationMemberFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.browser


def _signed_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                               "url": live_server.url}])


@pytest.mark.django_db(transaction=True)
def test_audit_page_lists_and_filters_in_a_browser(live_server, browser_page, screenshot_dir):
    staff = StaffFactory(email="claire.staff@algoric.org")
    TOTP.activate(staff, generate_totp_secret())
    member = UserFactory(email="yann.le-bihan@example.org")
    audit_record(action="login.failed", category=AuditEvent.Category.SECURITY,
                 actor_label="<script>alert(1)</script>@example.org")
    audit_record(action="login.succeeded", category=AuditEvent.Category.SECURITY, actor=member)
    audit_record(action="agreement.approved", actor=staff,
                 detail={"note": "Statuts reçus."})
    audit_record(action="membership.payment_recorded", actor=staff,
                 detail={"paid_on": "2026-11-20", "reference": "VIR-2026-118"})
    AuditEvent.objects.update(ip="192.0.2.41")
    _signed_in(browser_page, live_server, staff)
    browser_page.goto(f"{live_server.url}/staff/audit/")
    assert browser_page.locator("h1").inner_text() == "Journal d'audit"
    assert browser_page.locator("tbody tr").count() == 5  # with the staff's own login
    browser_page.screenshot(path=str(screenshot_dir / "audit-trail.png"), full_page=True)
    browser_page.select_option("#id_category", "security")
    browser_page.click("form[role=search] button[type=submit]")
    assert browser_page.locator("tbody tr").count() == 3
    assert "<script>" in browser_page.locator("tbody").inner_text()  # shown as text
    problems = browser_page.problems
    assert not (problems.console_errors or problems.page_errors or problems.csp_violations), \
        problems.summary()


@pytest.mark.django_db(transaction=True)
def test_my_data_page_in_a_browser(live_server, browser_page, screenshot_dir):
    representative = OrganisationMemberFactory(role="representative").user
    _signed_in(browser_page, live_server, representative)
    browser_page.goto(f"{live_server.url}/account/my-data/")
    assert browser_page.locator("h1").inner_text() == "Mes données"
    assert browser_page.locator(".alert-warning").count() == 1  # only representative
    browser_page.screenshot(path=str(screenshot_dir / "my-data.png"), full_page=True)
    with browser_page.expect_download() as download:
        browser_page.click("text=Télécharger mes données (JSON)")
    assert download.value.suggested_filename.startswith("algoric-my-data-")
    problems = browser_page.problems
    assert not (problems.console_errors or problems.page_errors or problems.csp_violations), \
        problems.summary()
