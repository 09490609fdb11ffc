"""Usage report pages in a real browser, on the French site.

A staff member opens a report that a worker is writing: the bar shows its progress and
follows ``progress/`` as the worker goes on; once the report is done the page reloads
itself and offers the files, and a PDF downloads as an attachment. The staff's list
of reports shows it with its filters and the "generate" form. No script error and no
Content-Security-Policy violation on the way.

Screenshots: ``var/screenshots/reports-NN-<what>.png``.
"""

import time
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from projects.models import UsageReport
from projects.reports.services import usage_report_generate
from tests.factories import OrganisationFactory, OrganisationMemberFactory, StaffFactory
from tests.projects.usage_helpers import YEAR, allocate, make_project, make_resources, summary

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

LAST_YEAR = YEAR - 1


def fr(source: str) -> str:
    with translation.override("fr"):
        return gettext(source)


def _shot(page, directory, number: int, what: str) -> None:
    page.screenshot(path=str(directory / f"reports-{number:02d}-{what}.png"), full_page=True)


def _signed_in(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                          "url": live_server.url}])


def _no_problems(page) -> None:
    problems = page.problems
    assert not (problems.console_errors or problems.page_errors or problems.csp_violations
                or problems.failed_requests), problems.summary()


@pytest.fixture
def desk(transactional_db, tmp_path, settings):
    """A staff member with TOTP; HOULE with grants and a year of usage; reports in a
    temporary folder."""
    settings.USAGE_REPORTS_DIR = tmp_path / "reports"
    staff = StaffFactory(email="yann.staff@example.org", first_name="Yann",
                         last_name="Le Goff", language="fr")
    TOTP.activate(staff, generate_totp_secret())
    organisation = OrganisationFactory(name="Laboratoire des marées")
    pi = OrganisationMemberFactory(organisation=organisation, role="representative").user
    project = make_project(organisation, pi=pi)
    project.title = "Houle et marées du golfe du Morbihan"
    project.save()
    cpu, gpu = make_resources()
    allocate(project, cpu, 20_000, year=LAST_YEAR)
    allocate(project, gpu, 800, year=LAST_YEAR)
    for month in range(1, 13):
        summary(year=LAST_YEAR, month=month, core_hours=900.0 + 60 * month, estimated=30.0,
                jobs=40)
        summary(year=LAST_YEAR, month=month, partition="gpu", user="bob", core_hours=80.0,
                gpu_hours=35.0 + month, estimated=12.0, jobs=6,
                state="FAILED" if month % 4 == 0 else "COMPLETED")
    return {"staff": staff, "project": project}


@pytest.mark.django_db(transaction=True)
def test_staff_follow_a_report_until_its_files_download(live_server, desk, browser_page,
                                                       screenshot_dir):
    project = desk["project"]
    report = UsageReport.objects.create(
        scope=UsageReport.Scope.PROJECT, project=project, year=LAST_YEAR,
        status=UsageReport.Status.RUNNING, progress=33, step=fr("Gathering the figures"),
        requested_by=desk["staff"])
    detail = f"/reports/{report.pk}/"
    progress = f"/reports/{report.pk}/progress/"
    page = browser_page
    _signed_in(page.context, live_server, desk["staff"])
    polls = []
    page.on("request", lambda request: (urlsplit(request.url).path == progress
                                        and polls.append(request.url)))
    page.goto(f"{live_server.url}{detail}")
    bar = page.locator("main [role='progressbar']")
    expect(bar).to_have_attribute("aria-valuenow", "33")
    expect(page.locator("main [data-report-status]")).to_have_text(fr("running").capitalize())
    _shot(page, screenshot_dir, 1, "running")
    deadline = time.monotonic() + 8
    while len(polls) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    assert len(polls) >= 2, f"progress polled {len(polls)} times"

    UsageReport.objects.filter(pk=report.pk).update(progress=66, step="PDF (en)")
    expect(bar).to_have_attribute("aria-valuenow", "66")
    expect(page.locator("main [data-progress-text]")).to_have_text("PDF (en)")

    # The worker finishes (the real generation, on the live server's database).
    UsageReport.objects.filter(pk=report.pk).update(status=UsageReport.Status.QUEUED)
    assert usage_report_generate(report_id=report.pk) == "done"
    expect(page.locator("main [data-report-status]")).to_have_text(fr("done").capitalize())
    expect(page.locator("main [role='progressbar']")).to_have_count(0)
    links = page.locator("main a[download]")
    expect(links).to_have_count(6)
    _shot(page, screenshot_dir, 2, "done")

    with page.expect_download() as info:
        page.locator("main a[download][href$='/files/pdf-fr/']").click()
    download = info.value
    assert download.suggested_filename == f"algoric-houle-{LAST_YEAR}-fr.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    _no_problems(page)


@pytest.mark.django_db(transaction=True)
def test_staff_reports_page_lists_and_filters(live_server, desk, browser_page, screenshot_dir):
    project = desk["project"]
    UsageReport.objects.create(scope=UsageReport.Scope.CENTRE, year=LAST_YEAR,
                               status=UsageReport.Status.FAILED, failure="OSError: disk full")
    UsageReport.objects.create(scope=UsageReport.Scope.PROJECT, project=project,
                               year=LAST_YEAR, status=UsageReport.Status.DONE, progress=100,
                               totals={"core_hours": 14_123.4})
    UsageReport.objects.create(scope=UsageReport.Scope.PROJECT, project=project,
                               year=LAST_YEAR - 1, status=UsageReport.Status.QUEUED)
    page = browser_page
    _signed_in(page.context, live_server, desk["staff"])
    page.goto(f"{live_server.url}/staff/reports/")
    expect(page.locator("main nav .nav-link.active")).to_have_text(fr("Usage reports"))
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("main select[name='report'] option")).to_have_count(2)
    _shot(page, screenshot_dir, 3, "staff-list")

    page.locator("main select[name='status']").select_option("failed")
    with page.expect_navigation():
        page.locator("main form[method='get'] button").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(fr("Centre"))
    _no_problems(page)
