"""Usage charts drawn in the browser, and their tables without JavaScript.

The project usage page (its PI), the staff usage dashboard (staff with TOTP) and the
public statistics (anonymous) draw their charts with the vendored Chart.js from the
numbers of their ``json_script`` blocks: each figure is shown, its canvas has pixels of
the charts' colours, no script error and no Content-Security-Policy violation. With
JavaScript off, the figures stay hidden and the tables give the numbers.

Screenshots: ``var/screenshots/charts-NN-<what>.png``.
"""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import OrganisationFactory, OrganisationMemberFactory, StaffFactory
from tests.projects.usage_helpers import YEAR, allocate, make_project, make_resources, summary

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

#: Counts the canvas' pixels that are drawn (not transparent) and those in colour (the bars
#: and lines: blues #0b4f6c, #7fb2c9, green #2e7d32, orange #b45309), not the grey of the
#: axes, grid and text.
_PIXELS = """
(canvas) => {
  const context = canvas.getContext("2d");
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0, coloured = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0) drawn += 1;
    const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
    if (data[i + 3] > 200 && Math.max(r, g, b) - Math.min(r, g, b) > 40) coloured += 1;
  }
  return {drawn, coloured, width: canvas.width, height: canvas.height};
}
"""


def _shot(page, directory, number: int, what: str) -> None:
    page.screenshot(path=str(directory / f"charts-{number:02d}-{what}.png"), full_page=True)


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


def _charts_drawn(page, expected: int) -> None:
    figures = page.locator("figure[data-usage-chart]")
    expect(figures).to_have_count(expected)
    for index in range(expected):
        figure = figures.nth(index)
        expect(figure).to_be_visible()
        canvas = figure.locator("canvas")
        expect(canvas).to_be_visible()
        assert canvas.get_attribute("aria-label").strip()
        pixels = canvas.evaluate(_PIXELS)
        assert pixels["width"] > 300 and pixels["height"] > 150, pixels
        assert pixels["drawn"] > 2_000, pixels
        assert pixels["coloured"] > 2_000, pixels  # bars and lines, not only axes and text


@pytest.fixture
def centre(transactional_db):
    """HOULE with CPU and GPU grants and a year of use; its PI; staff with TOTP."""
    staff = StaffFactory(email="yann.staff@example.org", first_name="Yann", last_name="Le Goff")
    TOTP.activate(staff, generate_totp_secret())
    organisation = OrganisationFactory(name="Laboratoire des marées")
    pi = OrganisationMemberFactory(organisation=organisation, role="representative").user
    project = make_project(organisation, pi=pi)
    cpu, gpu = make_resources()
    allocate(project, cpu, 40_000)
    allocate(project, gpu, 900)
    for month in range(1, 13):
        summary(month=month, core_hours=900.0 + 150 * month, estimated=30.0, jobs=40)
        summary(month=month, partition="gpu", user="bob", core_hours=80.0,
                gpu_hours=20.0 + 3 * month, estimated=12.0, jobs=6)
        summary(year=YEAR - 1, month=month, core_hours=700.0 + 90 * month, jobs=30)
    return {"staff": staff, "pi": pi, "project": project}


def test_usage_charts_are_drawn_in_the_browser(live_server, centre, browser_page,
                                                screenshot_dir):
    page = browser_page
    _signed_in(page.context, live_server, centre["pi"])
    page.goto(live_server.url + reverse("projects:project_usage", args=[centre["project"].pk])
              + f"?year={YEAR}")
    _charts_drawn(page, 2)  # the CPU grant and the GPU grant
    _shot(page, screenshot_dir, 1, "project-usage")
    _no_problems(page)

    page.context.clear_cookies()
    _signed_in(page.context, live_server, centre["staff"])
    page.goto(live_server.url + reverse("projects:staff_usage_dashboard") + f"?year={YEAR}")
    _charts_drawn(page, 2)  # core-hours and GPU-hours per month
    _shot(page, screenshot_dir, 2, "staff-usage")
    _no_problems(page)

    page.context.clear_cookies()
    page.goto(live_server.url + reverse("projects:public_statistics"))
    _charts_drawn(page, 1)  # this year beside last year
    _shot(page, screenshot_dir, 3, "public-statistics")
    _no_problems(page)


def test_without_javascript_the_tables_give_the_numbers(live_server, centre, chromium,
                                                        screenshot_dir):
    context = chromium.new_context(java_script_enabled=False, locale="fr-FR",
                                   viewport={"width": 1280, "height": 900})
    try:
        _signed_in(context, live_server, centre["pi"])
        page = context.new_page()
        page.goto(live_server.url
                  + reverse("projects:project_usage", args=[centre["project"].pk])
                  + f"?year={YEAR}")
        figures = page.locator("figure[data-usage-chart]")
        expect(figures).to_have_count(2)
        for index in range(2):
            expect(figures.nth(index)).to_be_hidden()
        tables = page.locator("article table")
        expect(tables).to_have_count(2)
        expect(tables.first).to_be_visible()
        expect(tables.first).to_contain_text("1\u202f050")  # January: 900 + 150 core-hours
        _shot(page, screenshot_dir, 4, "project-usage-without-javascript")

        context.clear_cookies()
        page.goto(live_server.url + reverse("projects:public_statistics"))
        expect(page.locator("figure[data-usage-chart]")).to_be_hidden()
        expect(page.locator("section[aria-labelledby='months-title'] table")).to_be_visible()
        _shot(page, screenshot_dir, 5, "public-statistics-without-javascript")
    finally:
        context.close()
