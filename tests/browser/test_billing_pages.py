"""Invoicing in a real browser, on the French site: a staff member opens the invoices from
the staff navigation, makes a membership fee invoice, adds a training line, issues it,
records a partial then the final payment, and the representative downloads the Factur-X
PDF and the receipt. No script error and no Content-Security-Policy violation.

Screenshots: ``var/screenshots/billing-NN-<what>.png``.
"""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from billing.models import Invoice
from members.models import Membership
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    OrganisationMemberFactory,
    StaffFactory,
)

from .test_report_pages import _no_problems, _signed_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def _shot(page, directory, number: int, what: str) -> None:
    page.screenshot(path=str(directory / f"billing-{number:02d}-{what}.png"), full_page=True)


@pytest.fixture
def office(transactional_db):
    """A staff member with TOTP; an SME with its representative and this year's membership
    awaiting its 250 € fee."""
    staff = StaffFactory(email="yann.staff@example.org", language="fr")
    TOTP.activate(staff, generate_totp_secret())
    sme = OrganisationFactory(name="Calcul Marin SARL")
    representative = OrganisationMemberFactory(organisation=sme, role="representative").user
    membership = MembershipFactory(organisation=sme)
    return {"staff": staff, "sme": sme, "representative": representative,
            "membership": membership}


@pytest.mark.django_db(transaction=True)
def test_staff_invoice_a_fee_record_payments_and_the_representative_downloads(
        live_server, office, browser_page, screenshot_dir):
    page = browser_page
    _signed_in(page.context, live_server, office["staff"])
    page.goto(f"{live_server.url}/staff/")
    page.locator("nav.mb-4 a[href='/staff/billing/']").click()
    page.locator("main a[href='/staff/billing/new/']").click()
    page.select_option("#id_organisation", str(office["sme"].pk))
    page.fill("#id_membership_year", str(timezone.localdate().year))
    page.locator("main form button[type='submit']").click()
    expect(page.locator("main table tbody tr")).to_have_count(1)
    page.fill("#id_label", "Formation MPI (1 jour)")
    page.fill("#id_quantity", "1")
    page.fill("#id_unit_price", "350")
    page.locator("form[action$='/lines/'] button[type='submit']").click()
    expect(page.locator("main table tbody tr")).to_have_count(2)
    _shot(page, screenshot_dir, 1, "draft")
    page.locator("form[action$='/issue/'] button[type='submit']").click()
    invoice = Invoice.objects.get()
    expect(page.locator("main h1")).to_contain_text(invoice.number)
    page.fill("#id_amount", "100")
    page.fill("#id_reference", "VIR 1")
    page.locator("form[action$='/payments/'] button[type='submit']").click()
    page.fill("#id_amount", "500")
    page.fill("#id_reference", "VIR 2")
    page.locator("form[action$='/payments/'] button[type='submit']").click()
    expect(page.locator("main")).to_contain_text("VIR 2")
    _shot(page, screenshot_dir, 2, "paid")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    office["membership"].refresh_from_db()
    assert office["membership"].status == Membership.Status.PAID
    _no_problems(page)

    page.context.clear_cookies()
    _signed_in(page.context, live_server, office["representative"])
    page.goto(f"{live_server.url}/organisations/{office['sme'].pk}/invoices/")
    _shot(page, screenshot_dir, 3, "representative")
    _no_problems(page)  # before the downloads, which the browser reports as aborted loads
    with page.expect_download() as info:
        page.locator(f"main a[href='/invoices/{invoice.pk}/pdf/']").click()
    with open(info.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    with page.expect_download() as info:
        page.locator(f"main a[href='/invoices/{invoice.pk}/receipt/']").click()
    assert info.value.suggested_filename == f"{invoice.number}-receipt.pdf"
