"""The public list of projects in a real browser, on the French site: 30 public projects
shown 24 a page, newest first, with links to the next and previous pages; no script error
and no Content-Security-Policy violation.

Screenshots: ``var/screenshots/public-projects-NN-<what>.png``.
"""

import datetime as dt

import pytest

from projects.views.public import PUBLIC_PROJECTS_PER_PAGE
from tests.factories import OrganisationFactory, ProjectFactory

from .test_report_pages import _no_problems

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

COUNT = PUBLIC_PROJECTS_PER_PAGE + 6


@pytest.fixture
def public_projects(transactional_db):
    """``COUNT`` active projects with a public summary, one starting each week."""
    organisation = OrganisationFactory(name="Calcul Marin")
    first = dt.date(2026, 1, 5)
    return [ProjectFactory(
        organisation=organisation, acronym=f"Houle{number:02d}", slurm_account=f"houle{number:02d}",
        title=f"Houle et submersion, volet {number}", summary="Des vagues sur le golfe.",
        field="earth", starts_on=first + dt.timedelta(weeks=number),
        ends_on=dt.date(2027, 12, 31), status="active", summary_is_public=True)
        for number in range(COUNT)]


@pytest.mark.django_db(transaction=True)
def test_the_public_list_shows_24_projects_a_page_newest_first(
        live_server, public_projects, browser_page, screenshot_dir):
    page = browser_page
    page.goto(f"{live_server.url}/public/projects/")
    cards = page.locator("main article.card")
    expect(cards).to_have_count(PUBLIC_PROJECTS_PER_PAGE)
    expect(cards.first).to_contain_text(f"Houle{COUNT - 1:02d}")
    expect(page.locator("nav .pagination")).to_contain_text("Page 1 sur 2")
    page.screenshot(path=str(screenshot_dir / "public-projects-01-first-page.png"),
                    full_page=True)
    page.get_by_role("link", name="Projets plus anciens").click()
    page.wait_for_url("**/public/projects/?page=2")
    expect(cards).to_have_count(COUNT - PUBLIC_PROJECTS_PER_PAGE)
    expect(cards.last).to_contain_text("Houle00")
    expect(page.get_by_role("link", name="Projets plus récents")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "public-projects-02-second-page.png"),
                    full_page=True)
    _no_problems(page)
