"""Research outputs in the yearly reports (counts by kind and year, open-access and HAL
shares, read back from the CSV, XLSX and PDF), the renewal's selector of a period, and the
yearly reminder to PIs whose project computed but reported nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from algoric.notifications.models import Notification
from algoric.settings.schedule import beat_schedule
from projects.outputs.selectors import outputs_of_period
from projects.reports.centre import centre_report_content
from projects.reports.project import project_report_content
from projects.reports.render import render_csv_zip, render_pdf, render_xlsx
from projects.tasks import send_outputs_reminders
from tests.factories import ProjectFactory, ResearchOutputFactory

from .usage_helpers import YEAR, make_project, summary

LAST_YEAR = YEAR - 1


@pytest.fixture
def houle(organisation):
    """HOULE with, in the year of the report (last year): 3 articles (2 open, 1 in HAL),
    1 software (open, in HAL); and one article the year before (closed)."""
    project = make_project(organisation)
    ResearchOutputFactory(year=LAST_YEAR, title="Houle spectrale", hal_id="hal-04512345",
                          projects=[project])
    ResearchOutputFactory(year=LAST_YEAR, title="Houle GPU", projects=[project])
    ResearchOutputFactory(year=LAST_YEAR, title="Houle fermée", open_access="closed",
                          projects=[project])
    ResearchOutputFactory(year=LAST_YEAR, title="houle-solver", kind="software", doi="",
                          hal_id="hal-04700002", projects=[project])
    ResearchOutputFactory(year=LAST_YEAR - 1, title="Houle ancienne", open_access="closed",
                          projects=[project])
    ResearchOutputFactory(year=LAST_YEAR, title="Another centre's paper")  # no project
    return project


def _table(content, slug):
    return next(table for table in content.tables() if table.slug == slug)


@pytest.mark.django_db
def test_the_project_report_counts_outputs_by_year_and_kind_with_shares(houle):
    content = project_report_content(project=houle, year=LAST_YEAR, language="en")
    section = next(s for s in content.sections if s.title == "Research outputs")
    values = {figure.label: figure.value for figure in section.figures}
    assert values["Outputs of the year"] == 4
    assert values["In open access"] == pytest.approx(75.0)
    assert values["In HAL"] == pytest.approx(50.0)
    table = _table(content, "outputs-by-year")
    assert table.rows == [
        [str(LAST_YEAR - 1), "journal article", 1, 0, 0.0, 0, 0.0],
        [str(LAST_YEAR), "journal article", 3, 2, 66.7, 1, 33.3],
        [str(LAST_YEAR), "software", 1, 1, 100.0, 1, 100.0],
    ]
    assert table.total == ["Total", "", 5, 3, 60.0, 2, 40.0]
    listed = [row[0] for row in _table(content, "outputs-list").rows]
    assert sorted(listed) == ["Houle GPU", "Houle fermée", "Houle spectrale", "houle-solver"]


@pytest.mark.django_db
def test_the_report_files_carry_the_counts_and_the_open_access_share(houle):
    content = project_report_content(project=houle, year=LAST_YEAR, language="en")
    with zipfile.ZipFile(io.BytesIO(render_csv_zip(content))) as archive:
        rows = list(csv.reader(io.StringIO(
            archive.read("outputs-by-year.csv").decode("utf-8-sig"))))
    assert rows[0] == ["Year", "Kind", "Outputs", "In open access", "Open-access share (%)",
                       "In HAL", "HAL share (%)"]
    assert [str(LAST_YEAR), "journal article", "3", "2", "66.7", "1", "33.3"] in rows
    assert rows[-1] == ["Total", "", "5", "3", "60", "2", "40"]
    workbook = load_workbook(io.BytesIO(render_xlsx(content)))
    sheet = workbook["Outputs by year and kind"]
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert [str(LAST_YEAR), "software", 1, 1, 100.0, 1, 100.0] in cells
    assert cells[-1] == ["Total", None, 5, 3, 60.0, 2, 40.0]
    text = " ".join(page.extract_text() for page in PdfReader(
        io.BytesIO(render_pdf(content))).pages)
    assert "Research outputs" in text
    assert f"4 outputs of {LAST_YEAR} were reported: 75.0 % in open access, 50.0 %" in text
    assert "Houle spectrale" in text


@pytest.mark.django_db
def test_the_centre_report_counts_the_outputs_of_every_project(houle, organisation):
    derive = make_project(organisation, acronym="DERIVE", slurm_account="derive")
    ResearchOutputFactory(year=LAST_YEAR, kind="dataset", open_access="open",
                          projects=[derive, houle])
    draft = ProjectFactory(organisation=organisation)
    ResearchOutputFactory(year=LAST_YEAR, projects=[draft])  # a draft's: not counted
    content = centre_report_content(year=LAST_YEAR, language="en")
    table = _table(content, "outputs-by-year")
    assert [str(LAST_YEAR), "data set", 1, 1, 100.0, 0, 0.0] in table.rows
    assert table.total[2] == 6
    with zipfile.ZipFile(io.BytesIO(render_csv_zip(content))) as archive:
        assert "outputs-by-year.csv" in archive.namelist()


@pytest.mark.django_db
def test_outputs_of_a_period_for_the_renewal(houle):
    titles = {output.title for output in outputs_of_period(
        project=houle, start=dt.date(LAST_YEAR, 3, 1), end=dt.date(YEAR, 2, 28))}
    assert titles == {"Houle spectrale", "Houle GPU", "Houle fermée", "houle-solver"}
    assert outputs_of_period(project=houle, start=dt.date(YEAR, 1, 1),
                             end=dt.date(YEAR, 12, 31)).count() == 0


# --- The yearly reminder ----------------------------------------------------------------

@pytest.mark.django_db
def test_a_pi_whose_project_computed_but_reported_nothing_is_reminded_once(organisation):
    quiet = make_project(organisation, acronym="CALME", slurm_account="calme")
    busy = make_project(organisation, acronym="HOULE", slurm_account="houle")
    idle = make_project(organisation, acronym="VIDE", slurm_account="vide")
    summary(account="calme", year=LAST_YEAR, core_hours=1200.0)
    summary(account="houle", year=LAST_YEAR, core_hours=800.0)
    ResearchOutputFactory(year=LAST_YEAR, projects=[busy])
    assert idle.outputs.count() == 0  # did not compute: not reminded
    assert send_outputs_reminders(LAST_YEAR) == 1
    reminder = Notification.objects.get(event="outputs_reminder")
    assert reminder.recipient == quiet.pi
    assert reminder.dedupe_key == f"outputs_reminder:{quiet.pk}:{LAST_YEAR}"
    assert "CALME" in reminder.subject and str(LAST_YEAR) in reminder.subject
    assert f"/projects/{quiet.pk}/#outputs" in reminder.body
    assert send_outputs_reminders(LAST_YEAR) == 0
    assert Notification.objects.filter(event="outputs_reminder").count() == 1


def test_the_reminder_runs_each_january():
    entry = beat_schedule(slurm_sync=False, accounting_collect=False)["outputs-reminders-yearly"]
    assert entry["task"] == "projects.tasks.send_outputs_reminders"
    assert entry["schedule"].month_of_year == {1}
