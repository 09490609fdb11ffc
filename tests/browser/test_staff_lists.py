"""The staff lists of all projects and all allocations in a real browser, on the French site.

A staff member opens the list of all projects from the staff navigation, filters the
organisations refused access, sorts by acronym, downloads the CSV of what is shown, then
opens the list of all allocations and follows a row to its project. No script error and no
Content-Security-Policy violation on the way.

Screenshots: ``var/screenshots/staff-lists-NN-<what>.png``.
"""

import csv
import io

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from tests.factories import (
    AgreementFactory,
    MembershipFactory,
    OrganisationFactory,
    StaffFactory,
    TermsTemplateFactory,
    UserFactory,
)
from tests.projects.usage_helpers import allocate, make_project, make_resources, summary

from .test_report_pages import _no_problems, _signed_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def _shot(page, directory, number: int, what: str) -> None:
    page.screenshot(path=str(directory / f"staff-lists-{number:02d}-{what}.png"), full_page=True)


@pytest.fixture
def lists(transactional_db):
    """A staff member with TOTP; HOULE (organisation allowed, 85 % of its CPU grant used),
    CRUE and DERIVE (organisation refused: no membership, no agreement)."""
    staff = StaffFactory(email="yann.staff@example.org", language="fr")
    TOTP.activate(staff, generate_totp_secret())
    marin = OrganisationFactory(name="Calcul Marin")
    MembershipFactory(organisation=marin, paid=True)
    AgreementFactory(organisation=marin, active=True, terms=TermsTemplateFactory())
    crues = OrganisationFactory(name="Laboratoire des Crues", kind="lab")
    cpu, _gpu = make_resources()
    houle = make_project(marin, acronym="HOULE", slurm_account="houle", pi=UserFactory())
    crue = make_project(crues, acronym="CRUE", slurm_account="crue", pi=UserFactory())
    derive = make_project(crues, acronym="DERIVE", slurm_account="derive", pi=UserFactory())
    for project in (houle, crue, derive):
        allocate(project, cpu, 1000)
    summary(account="houle", core_hours=850.0)
    summary(account="crue", core_hours=1200.0)
    return {"staff": staff, "houle": houle, "crue": crue}


@pytest.mark.django_db(transaction=True)
def test_staff_filter_sort_and_export_the_list_of_all_projects(live_server, lists,
                                                               browser_page, screenshot_dir):
    page = browser_page
    _signed_in(page.context, live_server, lists["staff"])
    page.goto(f"{live_server.url}/staff/")
    page.locator("nav.mb-4 a[href='/staff/projects/all/']").click()
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(3)
    _shot(page, screenshot_dir, 1, "all-projects")

    page.select_option("#id_access", "refused")
    page.locator("main form[role='search'] button[type='submit']").click()
    expect(rows).to_have_count(2)
    # The list is sorted by acronym: its header sorts the other way, keeping the filters.
    page.locator("main thead th.orderable a").first.click()
    page.wait_for_url("**sort=-acronym**")
    assert "access=refused" in page.url
    expect(rows.first.locator("td").first).to_have_text("DERIVE")
    _shot(page, screenshot_dir, 2, "refused-sorted")

    with page.expect_download() as info:
        page.locator("main a[href*='export=csv']").click()
    with open(info.value.path(), encoding="utf-8") as handle:
        exported = list(csv.reader(io.StringIO(handle.read())))
    assert [row[0] for row in exported[1:]] == ["DERIVE", "CRUE"]

    page.locator("nav.mb-4 a[href='/staff/allocations/']").click()
    expect(rows).to_have_count(3)
    _shot(page, screenshot_dir, 3, "all-allocations")
    page.locator("main tbody a", has_text="HOULE").click()
    expect(page).to_have_url(f"{live_server.url}/projects/{lists['houle'].pk}/")
    _no_problems(page)
