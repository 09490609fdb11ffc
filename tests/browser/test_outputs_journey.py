"""Research outputs in a real browser, on the French site: the PI adds an output by hand
(its DOI written with a resolver prefix and in upper case), then uploads a BibTeX file
(accents in LaTeX escapes, one entry refused), reads the report of every entry, and finds
them all on the project's public page. No script error and no Content-Security-Policy
violation on the way.

Screenshots: ``var/screenshots/outputs-NN-<what>.png``.
"""

import pytest

from projects.models import ResearchOutput
from tests.factories import OrganisationFactory, UserFactory
from tests.projects.usage_helpers import make_project

from .test_report_pages import _no_problems, _signed_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

BIBTEX = r"""% Export HAL
@article{legoff2024houle,
  title = {Mod{\'e}lisation de la houle dans le golfe du Morbihan},
  author = {Le Goff, Anne and Ma{\"e}l, Ronan},
  journal = {Ocean Modelling},
  year = {2024},
  doi = {10.5555/algoric-test.2},
  hal_id = {hal-04512345v2},
  pdf = {https://hal.science/hal-04512345v2/document},
}
@software{houle_solver,
  title = {houle-solver},
  author = {Martin, Paul},
  year = {2024},
  swhid = {swh:1:dir:5e1f6d0c3a9b8e7f2d4c6a1b0e9f8d7c6b5a4f3e},
}
@article{sans_annee,
  title = {Sans ann{\'e}e},
  journal = {Ocean Modelling},
}
"""


def _shot(page, directory, number: int, what: str) -> None:
    page.screenshot(path=str(directory / f"outputs-{number:02d}-{what}.png"), full_page=True)


@pytest.fixture
def houle(transactional_db):
    """HOULE, whose summary is public, with its PI."""
    project = make_project(OrganisationFactory(name="Calcul Marin"),
                           pi=UserFactory(email="anne.le-goff@example.org", language="fr"))
    project.summary_is_public = True
    project.save()
    return project


@pytest.mark.django_db(transaction=True)
def test_the_pi_adds_outputs_by_hand_and_by_bibtex_and_sees_them_on_the_public_page(
        live_server, houle, browser_page, screenshot_dir, tmp_path):
    page = browser_page
    _signed_in(page.context, live_server, houle.pi)
    page.goto(f"{live_server.url}/projects/{houle.pk}/#outputs")
    page.locator("#output-add a").click()
    page.wait_for_url(f"**/projects/{houle.pk}/outputs/add/")
    page.select_option("#id_output_kind", "conference")
    page.fill("#id_output_title", "Calcul régional et modélisation côtière")
    page.fill("#id_output_authors", "Le Goff, Anne")
    page.fill("#id_output_year", "2025")
    page.fill("#id_output_venue", "Journées Calcul et Données")
    page.fill("#id_output_doi", "https://doi.org/10.5555/ALGORIC-TEST.1")
    page.select_option("#id_output_open_access", "open")
    _shot(page, screenshot_dir, 1, "form")
    page.locator("main form button[type='submit']").click()
    page.wait_for_url(f"**/projects/{houle.pk}/#outputs")
    outputs = page.locator("#outputs ul.outputs > li")
    expect(outputs).to_have_count(1)
    expect(outputs.first).to_contain_text("Calcul régional et modélisation côtière")
    expect(outputs.first).to_contain_text("doi:10.5555/algoric-test.1")
    _shot(page, screenshot_dir, 2, "added-by-hand")

    bib = tmp_path / "export-hal.bib"
    bib.write_text(BIBTEX, encoding="utf-8")
    page.locator("#output-bibtex summary").click()
    page.set_input_files("#id_bibtex_file", str(bib))
    page.locator("#output-bibtex button[type='submit']").click()
    summary = page.locator("#import-summary")
    expect(summary).to_contain_text("3")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(2)).to_contain_text("sans_annee")
    expect(rows.nth(2).locator(".badge")).to_have_class("badge text-bg-danger")
    _shot(page, screenshot_dir, 3, "bibtex-report")
    assert ResearchOutput.objects.count() == 3
    assert ResearchOutput.objects.get(hal_id="hal-04512345").title == (
        "Modélisation de la houle dans le golfe du Morbihan")

    page.goto(f"{live_server.url}/public/projects/{houle.pk}/")
    public = page.locator("ul.outputs > li")
    expect(public).to_have_count(3)
    expect(page.locator("ul.outputs")).to_contain_text("Calcul régional et modélisation côtière")
    expect(page.locator("ul.outputs")).to_contain_text(
        "Modélisation de la houle dans le golfe du Morbihan")
    expect(page.locator("ul.outputs")).to_contain_text("houle-solver")
    expect(page.locator("ul.outputs a.badge", has_text="HAL")).to_have_count(1)
    expect(page.locator("ul.outputs button")).to_have_count(0)
    _shot(page, screenshot_dir, 4, "public-page")
    _no_problems(page)
