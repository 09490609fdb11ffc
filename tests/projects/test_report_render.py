"""The three formats of a yearly report: the PDF (cover, page numbers, text in French and
in English, vector charts), the CSV archive and the XLSX workbook (one file or sheet per
table, typed numbers, units in headers, formula-like text neutralised)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from projects.charts import category_bars_svg
from projects.reports.common import constants_table
from projects.reports.content import (
    INTEGER,
    MONEY,
    NUMBER,
    PERCENT,
    Chart,
    Column,
    Figure,
    ReportContent,
    Section,
    Table,
)
from projects.reports.project import project_report_content
from projects.reports.render import (
    _table_view,
    neutralise,
    render_csv_zip,
    render_pdf,
    render_xlsx,
    sheet_names,
)
from resources.energy import energy_constants

from .usage_helpers import YEAR, allocate, make_project, make_resources, summary

#: Text cells a spreadsheet would run as formulas (OWASP CSV injection examples).
DANGEROUS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)",
             "\tTAB", "\rCR"]


def _content(language: str = "en") -> ReportContent:
    """A hand-made report: a figure with last year's value, a chart and three tables, one
    of them full of formula-like text next to negative numbers."""
    people = Table(
        slug="people", title="Use per cluster login",
        columns=[Column("Cluster login"), Column("Jobs", kind=INTEGER),
                 Column("Core-hours", "h", NUMBER), Column("Share", "%", PERCENT),
                 Column("Cost", "EUR", MONEY)],
        rows=[["alice", 12, 1234.5, 61.2, 10.25], ["bob", 3, 0.004, 0.1, 0.0]],
        total=["Total", 15, 1234.504, 100.0, 10.25])
    tricky = Table(
        slug="tricky", title="Use per cluster login",  # same title: sheet names stay unique
        columns=[Column("Text"), Column("Number", "kWh", NUMBER), Column("Count", kind=INTEGER)],
        rows=[[text, -1.5, -5] for text in DANGEROUS] + [["plain", None, 0]])
    long_title = Table(
        slug="long", title="A table whose title is far longer than Excel's limit of 31",
        columns=[Column("Day"), Column("When")],
        rows=[["first", dt.date(YEAR, 1, 2)]])
    chart = Chart(title="Jobs by state",
                  svg=category_bars_svg(labels=["COMPLETED", "FAILED"], values=[10, 2],
                                        unit="jobs"),
                  alt="Jobs by state")
    return ReportContent(
        language=language, title=f"Usage report {YEAR}", subtitle="HOULE — Swell studies",
        year=YEAR, generated_at=timezone.now(),
        sheet=[("Project", "Swell studies (HOULE)"), ("Organisation", "<b>Océan</b> & Co")],
        sections=[
            Section(title="The year at a glance",
                    figures=[Figure(label="Core-hours", value=1250, unit="h", previous=1000)],
                    paragraphs=["A paragraph."], charts=[chart], tables=[people]),
            Section(title="Annex", tables=[tricky, long_title], items=["Test small first."]),
        ],
        totals={"jobs": 15})


def _pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def project_with_usage(organisation):
    """HOULE with CPU and GPU grants and a year of hand-made usage summaries."""
    cpu, gpu = make_resources()
    project = make_project(organisation)
    allocate(project, cpu, 10_000)
    allocate(project, gpu, 500)
    for month in range(1, 7):
        summary(month=month, core_hours=300.0 * month, estimated=20.0, jobs=10)
        summary(month=month, partition="gpu", user="bob", core_hours=40.0, gpu_hours=12.5,
                estimated=8.0, jobs=2, state="FAILED" if month == 3 else "COMPLETED")
    return project


# --- PDF --------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize(("language", "title", "words"), [
    ("fr", "Rapport d’utilisation", ["Porteur de projet", "Sommaire", "Énergie"]),
    ("en", "Usage report", ["Principal investigator", "Contents", "Energy"]),
])
def test_project_report_pdf_has_cover_contents_and_page_numbers(
        project_with_usage, language, title, words):
    content = project_report_content(project=project_with_usage, year=YEAR, language=language)
    data = render_pdf(content)
    assert data.startswith(b"%PDF-")
    pages = _pdf_text(data)
    assert len(pages) >= 3
    cover = pages[0]
    assert "ALGORIC" in cover
    assert f"{title} {YEAR}" in cover
    assert "HOULE" in cover and str(YEAR) in cover
    everything = "\n".join(pages).lower()
    for word in words:
        assert word.lower() in everything
    # The cover carries no footer; every other page says "page X / Y".
    assert f"page 1 / {len(pages)}" not in cover
    for number, text in enumerate(pages[1:], start=2):
        assert f"page {number} / {len(pages)}" in text


@pytest.mark.django_db
def test_pdf_numbers_follow_the_language(project_with_usage):
    french = "\n".join(_pdf_text(render_pdf(project_report_content(
        project=project_with_usage, year=YEAR, language="fr"))))
    english = "\n".join(_pdf_text(render_pdf(project_report_content(
        project=project_with_usage, year=YEAR, language="en"))))
    # 300 × (1 + … + 6) + 6 × 40 = 6,540 core-hours.
    assert "6,540" in english
    assert "6\u202f540" in french or "6 540" in french or "6\xa0540" in french


def test_pdf_charts_stay_vector_and_user_text_is_escaped():
    data = render_pdf(_content())
    reader = PdfReader(io.BytesIO(data))

    def images(resources) -> int:
        count = 0
        for item in (resources or {}).get("/XObject", {}).values():
            obj = item.get_object()
            if obj.get("/Subtype") == "/Image":
                count += 1
            elif obj.get("/Subtype") == "/Form":
                count += images(obj.get("/Resources"))
        return count

    assert sum(images(page.get("/Resources")) for page in reader.pages) == 0
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "<b>Océan</b> & Co" in text
    assert "COMPLETED" in text  # the chart's labels are text, not pixels


def test_pdf_shows_last_year_and_the_change():
    text = "\n".join(_pdf_text(render_pdf(_content())))
    assert f"{YEAR - 1}: 1,000" in text
    assert "+25.0 %" in text


# --- CSV --------------------------------------------------------------------------------

def _csv_files(data: bytes) -> dict[str, list[list[str]]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    files = {}
    for name in archive.namelist():
        raw = archive.read(name)
        assert raw.startswith("\ufeff".encode())
        files[name] = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    return files


def test_csv_archive_holds_one_file_per_table_with_units_in_headers():
    content = _content()
    files = _csv_files(render_csv_zip(content))
    assert sorted(files) == sorted(f"{table.slug}.csv" for table in content.tables())
    people = files["people.csv"]
    assert people[0] == ["Cluster login", "Jobs", "Core-hours (h)", "Share (%)", "Cost (EUR)"]
    assert people[1] == ["alice", "12", "1234.5", "61.2", "10.25"]
    assert people[2][2] == "0.004"
    assert people[-1][0] == "Total"
    assert files["long.csv"][1] == ["first", f"{YEAR}-01-02"]


def test_csv_neutralises_formulas_but_never_numbers():
    rows = _csv_files(render_csv_zip(_content()))["tricky.csv"][1:]
    texts = [row[0] for row in rows]
    assert texts[:len(DANGEROUS)] == ["'" + text for text in DANGEROUS]
    assert texts[-1] == "plain"
    # Typed negative numbers are numbers: never prefixed.
    assert all(row[1] == "-1.5" and row[2] == "-5" for row in rows[:len(DANGEROUS)])
    assert rows[-1][1:] == ["", "0"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_neutralise_prefixes_formula_starts(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["plain", "", "a=b", "Énergie", "1-2", " =x"])
def test_neutralise_leaves_ordinary_text(text):
    assert neutralise(text) == text


# --- XLSX -------------------------------------------------------------------------------

def test_xlsx_has_one_sheet_per_table_typed_numbers_and_no_formula():
    content = _content()
    workbook = load_workbook(io.BytesIO(render_xlsx(content)))
    assert len(workbook.sheetnames) == len(content.tables())
    assert all(len(name) <= 31 for name in workbook.sheetnames)
    assert len({name.lower() for name in workbook.sheetnames}) == len(workbook.sheetnames)
    people = workbook[workbook.sheetnames[0]]
    assert [cell.value for cell in people[1]] == [
        "Cluster login", "Jobs", "Core-hours (h)", "Share (%)", "Cost (EUR)"]
    assert all(cell.font.bold for cell in people[1])
    assert people.freeze_panes == "A2"
    alice = people[2]
    assert alice[1].value == 12 and alice[1].data_type == "n"
    assert alice[2].value == 1234.5 and alice[2].number_format == "#,##0.00"
    assert alice[1].number_format == "#,##0"
    assert people[4][0].value == "Total" and people[4][0].font.bold
    tricky = workbook[workbook.sheetnames[1]]
    values = [row[0].value for row in tricky.iter_rows(min_row=2)]
    # A carriage return comes back as a line feed or as itself, depending on the XML parser
    # openpyxl finds (lxml keeps it): either way still text, still prefixed.
    assert [value.replace("\r", "\n") for value in values[:len(DANGEROUS)]] == [
        "'" + text.replace("\r", "\n") for text in DANGEROUS]
    assert [row[1].value for row in tricky.iter_rows(min_row=2, max_row=3)] == [-1.5, -1.5]
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
    dates = workbook[workbook.sheetnames[2]]
    assert dates["B2"].is_date


def test_sheet_names_are_cut_and_unique():
    names = sheet_names(["Use per person", "use per person", "A: very/long [title] that "
                         "goes on and on and on", "x" * 40, "x" * 40])
    assert names[0] == "Use per person"
    assert names[1] == "use per person (2)"
    assert all(len(name) <= 31 for name in names)
    assert not any(char in name for name in names for char in "[]:*?/\\")
    assert len({name.lower() for name in names}) == len(names)


def test_constants_are_shown_with_every_decimal_they_have():
    with translation.override("fr"):
        table = constants_table(energy_constants())
        values = [row[1].text for row in _table_view(table)["rows"]]
    # PUE 1.67, 51.28 g CO2e/kWh, 0.2016 EUR/kWh, heat 0: never rounded to the column's
    # precision (a NUMBER column would show 1,7 / 51,3 / 0,2).
    assert values == ["1,67", "51,28", "0,2016", "0"]
