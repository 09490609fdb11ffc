"""The three formats of a yearly report, all made from one :class:`ReportContent`.

* :func:`render_pdf`: the document handed to members and to the general assembly —
  HTML (``templates/projects/reports/report_pdf.html``) printed to A4 by WeasyPrint,
  with a cover, "page X / Y" footers (CSS paged-media counters) and the charts as
  vector SVG images.
* :func:`render_csv_zip`: a ZIP archive of one CSV file per table.
* :func:`render_xlsx`: an Excel workbook of one sheet per table (openpyxl).

Numbers stay numbers in CSV and XLSX (plain dot-decimal text in CSV, typed cells with
number formats in XLSX); text cells that a spreadsheet could read as a formula are
neutralised with a leading apostrophe (OWASP, "CSV Injection": cells starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return — here any control character).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format

from ..charts import svg_data_uri
from .common import number
from .content import DATE, EXACT, INTEGER, MONEY, NUMBER, PERCENT, ReportContent, Table

#: The template of the PDF (A4, its own CSS: WeasyPrint does not apply the site CSP).
PDF_TEMPLATE = "projects/reports/report_pdf.html"
#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV
#: injection guidance: = + - @ tab carriage return; every other control character too).
FORMULA_PREFIXES = ("=", "+", "-", "@")
#: Longest sheet name Excel accepts, and the characters it refuses in one.
SHEET_NAME_MAX = 31
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
#: Number formats of the XLSX cells per column kind.
XLSX_FORMATS = {
    INTEGER: "#,##0",
    NUMBER: "#,##0.00",
    PERCENT: "0.0",
    MONEY: "#,##0.00",
    DATE: "yyyy-mm-dd",
    EXACT: "General",
}
NUMERIC_KINDS = frozenset({INTEGER, NUMBER, PERCENT, MONEY, EXACT})
#: Most decimals an ``EXACT`` cell shows.
EXACT_DECIMALS = 4


# --- Cells ------------------------------------------------------------------------------

def neutralise(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet could take it for a formula
    (first character ``=``, ``+``, ``-``, ``@`` or a control character such as a tab or
    a carriage return), unchanged otherwise. Source: OWASP, "CSV Injection"."""
    if text and (text.startswith(FORMULA_PREFIXES) or ord(text[0]) < 32):
        return "'" + text
    return text


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _plain_number(value: int | float | Decimal) -> str:
    """A number as CSV text: dot decimal, no grouping, no exponent (``1234.5``)."""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    text = format(Decimal(str(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if _is_number(value):
        return _plain_number(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return neutralise(str(value))


# --- CSV --------------------------------------------------------------------------------

def _zip_time(content: ReportContent) -> tuple[int, int, int, int, int, int]:
    moment = timezone.localtime(content.generated_at) if timezone.is_aware(
        content.generated_at) else content.generated_at
    return (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute,
            moment.second)


def table_csv(table: Table) -> bytes:
    """One table as CSV bytes: UTF-8 with a byte-order mark (so spreadsheets read the
    accents), comma-separated, a header row of "Label (unit)", then the rows and the
    total row. Numbers are plain dot-decimal, text is neutralised (:func:`neutralise`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(column.header) for column in table.columns])
    for row in table.all_rows():
        writer.writerow([_csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def render_csv_zip(content: ReportContent) -> bytes:
    """The report's tables as a ZIP archive of ``<slug>.csv`` files (one per table, in
    reading order; see :func:`table_csv`). Entries carry the generation time, so the
    same content gives the same bytes."""
    buffer = io.BytesIO()
    stamp = _zip_time(content)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in content.tables():
            info = zipfile.ZipInfo(f"{table.slug}.csv", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, table_csv(table))
    return buffer.getvalue()


# --- XLSX -------------------------------------------------------------------------------

def sheet_names(titles: list[str]) -> list[str]:
    """Excel sheet names for ``titles``: forbidden characters (``[]:*?/\\``) removed,
    at most 31 characters, unique without regard to case (" (2)", " (3)"… added)."""
    names: list[str] = []
    taken: set[str] = set()
    for title in titles:
        base = _SHEET_NAME_FORBIDDEN.sub(" ", title).strip().strip("'") or "Table"
        base = re.sub(r"\s+", " ", base)
        name = _cut(base, SHEET_NAME_MAX)
        counter = 2
        while name.lower() in taken:
            suffix = f" ({counter})"
            name = _cut(base, SHEET_NAME_MAX - len(suffix)) + suffix
            counter += 1
        taken.add(name.lower())
        names.append(name)
    return names


def _cut(text: str, length: int) -> str:
    """``text`` cut to ``length`` characters, at a word boundary when one is close."""
    if len(text) <= length:
        return text
    cut = text[:length]
    space = cut.rfind(" ")
    if space >= length * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;.-—")


def _xlsx_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if _is_number(value):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value
    return neutralise(str(value))


def render_xlsx(content: ReportContent) -> bytes:
    """The report's tables as an XLSX workbook: one sheet per table (named from its
    title, see :func:`sheet_names`), a bold frozen header row of "Label (unit)", typed
    numbers with number formats (:data:`XLSX_FORMATS`), the total row in bold, column
    widths fitted to the content. Text cells are neutralised and written as strings:
    the workbook holds no formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = f"{content.title} — {content.subtitle}"
    workbook.properties.creator = "Algoric"
    workbook.properties.language = content.language
    created = content.generated_at
    if timezone.is_aware(created):
        created = timezone.make_naive(created, dt.UTC)
    workbook.properties.created = created
    workbook.properties.modified = created
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="E5ECF1")
    tables = content.tables()
    for table, name in zip(tables, sheet_names([t.title for t in tables]), strict=True):
        sheet = workbook.create_sheet(title=name)
        kinds = [column.kind for column in table.columns]
        widths = []
        for index, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=1, column=index, value=neutralise(column.header))
            cell.data_type = "s"
            cell.font = bold
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top",
                                       horizontal="right" if column.kind in NUMERIC_KINDS
                                       else "left")
            widths.append(min(len(column.header), 40))
        total_index = len(table.rows) if table.total is not None else None
        for row_index, row in enumerate(table.all_rows(), start=2):
            for index, (value, kind) in enumerate(zip(row, kinds, strict=False), start=1):
                cell = sheet.cell(row=row_index, column=index, value=_xlsx_value(value, kind))
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                elif _is_number(cell.value) or isinstance(cell.value, dt.date):
                    cell.number_format = XLSX_FORMATS.get(
                        kind, XLSX_FORMATS[DATE] if isinstance(cell.value, dt.date)
                        else "General")
                if total_index is not None and row_index - 2 == total_index:
                    cell.font = bold
                shown = _xlsx_width(cell.value)
                if shown > widths[index - 1]:
                    widths[index - 1] = shown
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
        sheet.freeze_panes = "A2"
    if not tables:
        workbook.create_sheet(title="-")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, float | Decimal):
        return len(f"{value:,.2f}")
    if isinstance(value, int):
        return len(f"{value:,}")
    if isinstance(value, dt.date):
        return 10
    return len(str(value))


# --- PDF --------------------------------------------------------------------------------

#: A text column whose longest cell is at most this many characters is kept on one line.
SHORT_TEXT = 32
#: A table of at most this many rows is kept on one page when it can be.
KEEP_TOGETHER_ROWS = 15


@dataclass
class _Cell:
    text: str
    numeric: bool
    nowrap: bool = False


def _number_decimals(values: list[Any]) -> int:
    """Decimals of a ``number`` column: 0 from 100 up, 1 from 10 up, else 2 (by the
    column's largest absolute value), so a column reads evenly."""
    numbers = [abs(float(value)) for value in values if _is_number(value)]
    if not numbers:
        return 0
    if all(float(value).is_integer() for value in numbers):
        return 0
    top = max(numbers)
    return 0 if top >= 100 else 1 if top >= 10 else 2


def _format(value: Any, kind: str, decimals: int) -> str:
    """A cell as shown in the PDF, in the active language (``—`` for an empty cell)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, dt.datetime | dt.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if not _is_number(value):
        return str(value)
    if kind == INTEGER:
        return number(value, 0)
    if kind == PERCENT:
        return number(value, 1)
    if kind == MONEY:
        return number(value, 2)
    if kind == EXACT:
        exponent = Decimal(str(round(float(value), EXACT_DECIMALS))).normalize().as_tuple().exponent
        return number(value, min(EXACT_DECIMALS, max(0, -exponent)))
    if float(value) != 0 and round(float(value), decimals) == 0:
        # A small value that the column's rounding would show as 0: say what it is.
        precise = number(value, 4)
        return precise.rstrip("0").rstrip(",.") if round(float(value), 4) else precise
    return number(value, decimals)


def _table_view(table: Table) -> dict:
    decimals = [
        _number_decimals([row[index] for row in table.all_rows() if index < len(row)])
        for index in range(len(table.columns))]
    short = [
        all(len(str(row[index])) <= SHORT_TEXT for row in table.all_rows()
            if index < len(row) and row[index] is not None)
        for index in range(len(table.columns))]

    def cells(row):
        return [_Cell(text=_format(value, column.kind, decimals[index]),
                      numeric=column.kind in NUMERIC_KINDS or _is_number(value),
                      nowrap=short[index])
                for index, (value, column) in enumerate(zip(row, table.columns, strict=False))]

    return {
        "table": table,
        "headers": [{"label": column.label, "unit": column.unit,
                     "numeric": column.kind in NUMERIC_KINDS} for column in table.columns],
        "rows": [cells(row) for row in table.rows],
        "total": cells(table.total) if table.total is not None else None,
        "wide": len(table.columns) >= 6,
        "keep": len(table.all_rows()) <= KEEP_TOGETHER_ROWS,
    }


def _figure_view(figure) -> dict:
    change = figure.change_percent
    return {
        "figure": figure,
        "value": number(figure.value, figure.decimals),
        "previous": number(figure.previous, figure.decimals)
        if figure.previous is not None else None,
        "change": (("+" if change > 0 else "−" if change < 0 else "±")
                   + number(abs(change), 1)) if change is not None else None,
        "direction": "up" if change and change > 0 else "down" if change and change < 0
        else "flat",
    }


def report_html(content: ReportContent) -> str:
    """The PDF's HTML (a full document), in ``content.language``: numbers, dates and
    fixed words follow that language. User-written text (titles, names) is escaped
    by the template."""
    with translation.override(content.language):
        generated = content.generated_at
        if timezone.is_aware(generated):
            generated = timezone.localtime(generated)
        sections = []
        for index, section in enumerate(content.sections, start=1):
            sections.append({
                "number": index,
                "anchor": f"section-{index}",
                "section": section,
                "figures": [_figure_view(figure) for figure in section.figures],
                "figure_columns": 4 if len(section.figures) % 4 == 0 else 3,
                "charts": [{"chart": chart, "uri": svg_data_uri(chart.svg)}
                           for chart in section.charts],
                "tables": [_table_view(table) for table in section.tables],
            })
        return render_to_string(PDF_TEMPLATE, {
            "content": content,
            "sections": sections,
            "generated_on": date_format(generated, "DATE_FORMAT"),
            "previous_year": content.year - 1,
            "language": content.language,
        })


def _data_only_fetcher():
    """A WeasyPrint URL fetcher that reads ``data:`` URLs only (the charts): the PDF
    never makes the server fetch a URL or read a file."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def render_pdf(content: ReportContent) -> bytes:
    """The report as an A4 PDF (``bytes``), in ``content.language``: a cover (title,
    subtitle, year, the sheet, the centre and the generation date), then each section
    with its key figures (with last year's value and the change), charts (vector SVG)
    and tables; "page X / Y" in the footer. Raises ``OSError`` when Pango is missing."""
    from weasyprint import HTML  # imported here: loads Pango, needed only for PDFs

    html = report_html(content)
    return HTML(string=html, base_url=None, url_fetcher=_data_only_fetcher()).write_pdf(
        uncompressed_pdf=False)

