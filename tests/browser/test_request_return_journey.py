"""Staff return a request for changes, in a real browser, on the French site.

A submitted three-resource request of the request journey's SME waits in the staff's
queue. Staff (TOTP) open it and return it with a note; the queue lists it apart. The PI
sees the note at the top of the request, edits the table (the note is there too), saves
and submits it again; staff find it back in the queue. Screenshots are written to
``var/screenshots/return-NN-<what>.png``.
"""

import warnings
from decimal import Decimal

import pytest
from django.utils import timezone

from algoric.notifications.models import Notification
from projects.models import ResourceRequest, ResourceRequestCell
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
from tests.factories import ProjectFactory

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

RETURN_NOTE = "Précisez le besoin GPU de la deuxième année : combien de runs, de quelle durée ?"
Status = ResourceRequest.Status


def _shot(page, directory, number: int, what: str) -> None:
    page.screenshot(path=str(directory / f"return-{number:02d}-{what}.png"), full_page=True)


def test_staff_return_a_request_and_the_pi_submits_it_again(
    live_server, public_pages, world, browser_page, open_page, screenshot_dir,  # noqa: F811
):
    fr = French()
    pi, staff, resources = world["pi"], world["staff"], world["resources"]
    year = timezone.localdate().year
    project = ProjectFactory(organisation=world["organisation"], pi=pi, acronym="HouleGolfe",
                             status="active")
    draft = request_services.request_create(project=project, kind="new", actor=pi)
    draft = request_services.request_save(
        request=draft, justification="Trois ans de simulations de submersion.",
        table={(resources["CPU"].pk, year): Decimal(100_000),
               (resources["GPU"].pk, year + 1): Decimal(2_000)},
        row_justifications={resources["GPU"].pk: "Portage GPU."}, actor=pi)
    resource_request = request_services.request_submit(request=draft, actor=pi)
    review_path = f"/staff/projects/requests/{resource_request.pk}/"
    request_path = f"/requests/{resource_request.pk}/"

    # 1. Staff open the request from the queue and return it with their note.
    desk = open_page("staff")
    _staff_log_in(desk, live_server, staff)
    desk.goto(f"{live_server.url}/staff/projects/")
    _click_and_wait(desk, desk.locator("main table").first.locator(f"a[href='{review_path}']"))
    return_form = desk.locator(f"form[action='{review_path}return/']")
    return_form.locator("textarea[name='note']").fill(RETURN_NOTE)
    _shot(desk, screenshot_dir, 1, "staff-review-return-form")
    _click_and_wait(desk, return_form.locator("button[type='submit']"))
    assert _path(desk) == review_path
    resource_request.refresh_from_db()
    assert resource_request.status == Status.CHANGES_REQUESTED
    expect(_status_badge(desk)).to_have_text(fr("returned for changes"))
    expect(desk.locator("#returned-note")).to_contain_text(RETURN_NOTE)
    expect(desk.locator(f"form[action='{review_path}decide/']")).to_have_count(0)
    assert Notification.objects.filter(event="request_returned", recipient=pi).count() == 1
    _shot(desk, screenshot_dir, 2, "staff-review-returned")

    desk.goto(f"{live_server.url}/staff/projects/")
    expect(desk.locator("main table").first.locator(f"a[href='{review_path}']")).to_have_count(0)
    expect(desk.locator("main table").nth(1).locator(f"a[href='{review_path}']")).to_have_count(1)
    _shot(desk, screenshot_dir, 3, "staff-queue-returned-apart")

    # 2. The PI sees the note, edits the table and submits the request again.
    lead = browser_page
    _log_in(lead, live_server, pi.email)
    lead.goto(f"{live_server.url}{request_path}")
    expect(lead.locator("#returned-note")).to_contain_text(RETURN_NOTE)
    expect(_status_badge(lead)).to_have_text(fr("returned for changes"))
    _shot(lead, screenshot_dir, 4, "pi-request-returned")
    _click_and_wait(lead, lead.locator(f"main a[href='{request_path}edit/']"))
    expect(lead.locator("#returned-note")).to_contain_text(RETURN_NOTE)
    gpu = lead.locator(f"#id_amount-{resources['GPU'].pk}-{year + 1}")
    estimate_url = f"{request_path}estimate/"
    with lead.expect_response(lambda response: response.url.endswith(estimate_url)
                              and response.request.method == "POST"):
        gpu.fill("1200")  # the live totals ask for the new estimate
    lead.locator(f"textarea[name='justification-{resources['GPU'].pk}']").fill(
        "Douze runs de 100 heures GPU par trimestre.")
    _shot(lead, screenshot_dir, 5, "pi-edits-returned-request")
    _click_and_wait(lead, lead.locator("main form button[name='save']"))
    assert _path(lead) == request_path
    assert ResourceRequestCell.objects.get(row__request=resource_request,
                                           row__resource=resources["GPU"],
                                           year=year + 1).requested == 1200
    _click_and_wait(lead, lead.locator(f"form[action='{request_path}submit/'] "
                                       "button[type='submit']"))
    resource_request.refresh_from_db()
    assert resource_request.status == Status.SUBMITTED
    expect(_status_badge(lead)).to_have_text(fr("submitted"))
    expect(lead.locator("#returned-note")).to_have_count(0)
    _shot(lead, screenshot_dir, 6, "pi-submitted-again")

    # 3. The request is back in the staff's queue.
    desk.goto(f"{live_server.url}/staff/projects/")
    expect(desk.locator("main table").first.locator(f"a[href='{review_path}']")).to_have_count(1)
    _shot(desk, screenshot_dir, 7, "staff-queue-back")

    # The live totals cancel an estimate request still running when the page changes or
    # the applicant types again (AbortController): Chromium reports it as aborted, which
    # is the script's intent (as in test_request_journey).
    aborted = f"{estimate_url}: net::ERR_ABORTED"
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
