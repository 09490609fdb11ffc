"""A renewal, in a real browser, on the French site.

The request journey's SME has a project running from last year to next year, granted last
year (CPU and GPU) and with last year's use in the usage summaries. The PI opens the
renewal from the project page: the table is prefilled with last year's grant moved to this
year, and each cell shows last year's use against its grant. Submitting without the
activity report is refused; the PI writes it and submits. Staff read the report on the
review page and return the renewal for changes; the PI completes the report and submits it
again; staff grant it in part and open the allocation's page. Screenshots are written to
``var/screenshots/renewal-NN-<what>.png``.
"""

import datetime as dt
import warnings
from decimal import Decimal

import pytest
from django.utils import timezone

from algoric.notifications.models import Notification
from projects.models import ActivityReport, Allocation, ResourceRequest
from projects.services import request_review as review_services
from projects.services import requests as request_services
from tests.browser.test_agreement_journey import (  # noqa: F401 (open_page is a fixture)
    French,
    _click_and_wait,
    _log_in,
    _path,
    open_page,
)
from tests.browser.test_request_journey import (  # noqa: F401 (world is a fixture)
    _staff_log_in,
    _status_badge,
    world,
)
from tests.factories import ProjectFactory, UsageSummaryFactory

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

Status = ResourceRequest.Status
WORK = ("Nous avons simulé la houle et la submersion du golfe du Morbihan pour 40 tempêtes "
        "historiques, à 50 m de résolution, avec le couplage vagues-courants.")
RESULTS = "Un atlas des zones submersibles remis aux communes ; un article soumis."
PROBLEMS = "Le portage GPU a pris trois mois de plus que prévu."
RETURN_NOTE = "Précisez les résultats : quelles publications, quels jeux de données ?"
MORE_RESULTS = RESULTS + " Jeu de données ouvert sur Recherche Data Gouv."


def _shot(page, directory, number: int, what: str) -> None:
    page.screenshot(path=str(directory / f"renewal-{number:02d}-{what}.png"), full_page=True)


def _granted_last_year(people, project, last_year):
    """Last year's request of ``project``: CPU 100 000 and GPU 2 000 asked, granted in full."""
    pi, staff, resources = people["pi"], people["staff"], people["resources"]
    draft = request_services.request_create(project=project, kind="new", actor=pi)
    draft = request_services.request_save(
        request=draft, justification="Première année de simulations de submersion.",
        table={(resources["CPU"].pk, last_year): Decimal(100_000),
               (resources["GPU"].pk, last_year): Decimal(2_000)},
        row_justifications={resources["CPU"].pk: "Runs de houle à 50 m.",
                            resources["GPU"].pk: "Portage GPU du modèle."}, actor=pi)
    submitted = request_services.request_submit(request=draft, actor=pi)
    return review_services.request_decide(
        request=submitted, granted={(resources["CPU"].pk, last_year): Decimal(100_000),
                                    (resources["GPU"].pk, last_year): Decimal(2_000)},
        note="", actor=staff, version=submitted.version)


def test_the_pi_renews_and_staff_return_then_grant_in_part(
    live_server, public_pages, world, browser_page, open_page, screenshot_dir,  # noqa: F811
):
    fr = French()
    pi, resources = world["pi"], world["resources"]
    cpu, gpu = resources["CPU"], resources["GPU"]
    year = timezone.localdate().year
    last_year = year - 1
    project = ProjectFactory(organisation=world["organisation"], pi=pi, acronym="HouleGolfe",
                             slurm_account="houlegolfe", status="active",
                             starts_on=dt.date(last_year, 1, 1), ends_on=dt.date(year + 1, 12, 31))
    renewed = _granted_last_year(world, project, last_year)
    # Last year's use, as the accounting import leaves it: monthly summaries.
    for month, core_hours in ((3, 30_000.0), (6, 42_000.0)):
        UsageSummaryFactory(cluster="algoric", account="houlegolfe", partition="cpu",
                            user="mlefloch", month=dt.date(last_year, month, 1),
                            core_hours=core_hours, gpu_hours=0.0)
    UsageSummaryFactory(cluster="algoric", account="houlegolfe", partition="gpu",
                        user="mlefloch", month=dt.date(last_year, 9, 1), core_hours=0.0,
                        gpu_hours=1_500.0)

    # 1. The PI opens the renewal from the project page.
    lead = browser_page
    _log_in(lead, live_server, pi.email)
    lead.goto(f"{live_server.url}/projects/{project.pk}/")
    _shot(lead, screenshot_dir, 1, "project-page-renew")
    _click_and_wait(lead, lead.locator("#renew-button"))
    renewal = project.requests.get(kind=ResourceRequest.Kind.RENEWAL)
    request_path = f"/requests/{renewal.pk}/"
    assert _path(lead) == f"{request_path}edit/"
    assert renewal.renews == renewed
    # prefilled with last year's grant moved to this year, last year's use beside each cell
    expect(lead.locator(f"#id_amount-{cpu.pk}-{year}")).to_have_value("100000")
    expect(lead.locator(f"#id_amount-{gpu.pk}-{year}")).to_have_value("2000")
    cpu_use = lead.locator(f"#past_amount-{cpu.pk}-{year}")
    expect(cpu_use).to_contain_text(str(last_year))
    expect(cpu_use).to_contain_text("72")  # 72 000 of 100 000 core-hours
    expect(cpu_use).to_contain_text("(72 %)")
    expect(lead.locator(f"#past_amount-{gpu.pk}-{year}")).to_contain_text("(75 %)")
    expect(lead.locator(f"#id_amount-{cpu.pk}-{year}")).to_have_attribute(
        "aria-describedby", f"past_amount-{cpu.pk}-{year}")
    _shot(lead, screenshot_dir, 2, "renewal-table-with-past-use")
    lead.locator(f"#id_amount-{cpu.pk}-{year}").fill("120000")
    _click_and_wait(lead, lead.locator("main form button[name='save']"))
    assert _path(lead) == request_path

    # 2. Submitting without the activity report is refused with a clear message.
    _click_and_wait(lead, lead.locator(f"form[action='{request_path}submit/'] "
                                       "button[type='submit']"))
    expect(lead.locator("main .alert-danger, main .alert-error").first).to_be_visible()
    renewal.refresh_from_db()
    assert renewal.status == Status.DRAFT
    _shot(lead, screenshot_dir, 3, "submit-refused-without-report")

    # 3. The PI writes the activity report and submits.
    _click_and_wait(lead, lead.locator(f"#activity-report a[href='{request_path}"
                                       "activity-report/']"))
    lead.locator("textarea[name='work']").fill(WORK)
    lead.locator("textarea[name='results']").fill(RESULTS)
    lead.locator("textarea[name='problems']").fill(PROBLEMS)
    _shot(lead, screenshot_dir, 4, "activity-report-form")
    _click_and_wait(lead, lead.locator("main form button[type='submit']"))
    assert _path(lead) == request_path
    expect(lead.locator("#activity-report")).to_contain_text(RESULTS)
    _click_and_wait(lead, lead.locator(f"form[action='{request_path}submit/'] "
                                       "button[type='submit']"))
    renewal.refresh_from_db()
    assert renewal.status == Status.SUBMITTED
    expect(_status_badge(lead)).to_have_text(fr("submitted"))
    _shot(lead, screenshot_dir, 5, "renewal-submitted")

    # 4. Staff read the report beside last year's use and return the renewal.
    review_path = f"/staff/projects/requests/{renewal.pk}/"
    desk = open_page("staff")
    _staff_log_in(desk, live_server, world["staff"])
    desk.goto(f"{live_server.url}{review_path}")
    expect(desk.locator("#activity-report")).to_contain_text(WORK)
    expect(desk.locator(f"#past_amount-{cpu.pk}-{year}")).to_contain_text("(72 %)")
    return_form = desk.locator(f"form[action='{review_path}return/']")
    return_form.locator("textarea[name='note']").fill(RETURN_NOTE)
    _shot(desk, screenshot_dir, 6, "staff-review-report-and-use")
    _click_and_wait(desk, return_form.locator("button[type='submit']"))
    renewal.refresh_from_db()
    assert renewal.status == Status.CHANGES_REQUESTED
    assert Notification.objects.filter(event="request_returned", recipient=pi).count() == 1

    # 5. The PI completes the report and submits again.
    lead.goto(f"{live_server.url}{request_path}")
    expect(lead.locator("#returned-note")).to_contain_text(RETURN_NOTE)
    _click_and_wait(lead, lead.locator(f"#activity-report a[href='{request_path}"
                                       "activity-report/']"))
    lead.locator("textarea[name='results']").fill(MORE_RESULTS)
    _click_and_wait(lead, lead.locator("main form button[type='submit']"))
    _click_and_wait(lead, lead.locator(f"form[action='{request_path}submit/'] "
                                       "button[type='submit']"))
    renewal.refresh_from_db()
    assert renewal.status == Status.SUBMITTED
    assert ActivityReport.objects.get(request=renewal).results == MORE_RESULTS
    _shot(lead, screenshot_dir, 7, "pi-resubmitted")

    # 6. Staff grant it in part: CPU lowered from 120 000 to 90 000.
    desk.goto(f"{live_server.url}{review_path}")
    expect(desk.locator("#activity-report")).to_contain_text("Recherche Data Gouv")
    decision = desk.locator(f"form[action='{review_path}decide/']")
    expect(decision.locator(f"#id_granted-{cpu.pk}-{year}")).to_have_value("120000")
    decision.locator(f"#id_granted-{cpu.pk}-{year}").fill("90000")
    decision.locator("textarea[name='note']").fill("Accordé en partie : la capacité est "
                                                   "partagée cette année.")
    _click_and_wait(desk, decision.locator("button[type='submit']"))
    renewal.refresh_from_db()
    assert renewal.status == Status.PARTIALLY_APPROVED
    expect(_status_badge(desk)).to_have_text(fr("partially approved"))
    allocation = Allocation.objects.get(project=project, resource=cpu, year=year)
    assert allocation.amount == Decimal(90_000)
    _shot(desk, screenshot_dir, 8, "staff-granted-in-part")

    # 7. The staff allocation page: the grant, the history, the forms.
    _click_and_wait(desk, desk.locator(
        f"a[href='/staff/projects/allocations/{allocation.pk}/']").first)
    expect(desk.locator("#allocation-amount")).to_contain_text("90")
    _shot(desk, screenshot_dir, 9, "staff-allocation-page")

    # The live totals cancel an estimate request still running when the page changes
    # (AbortController): Chromium reports it as aborted, which is the script's intent.
    aborted = f"{request_path}estimate/: net::ERR_ABORTED"
    lead.problems.failed_requests[:] = [
        entry for entry in lead.problems.failed_requests
        if not (entry.startswith("POST ") and entry.endswith(aborted))]
    for name, page in (("PI", lead), ("staff", desk)):
        for kind in ("csp_violations", "page_errors", "console_errors", "failed_requests",
                     "error_responses"):
            assert not getattr(page.problems, kind), f"{name}: {page.problems.summary()}"
    if fr.untranslated:
        warnings.warn("Shown in English on the French site (not translated yet): "
                      + "; ".join(sorted(fr.untranslated)), stacklevel=1)
