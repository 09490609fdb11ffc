"""The content of a yearly report, independent of its format.

A report is a list of :class:`Section` objects holding paragraphs, key figures,
:class:`Table` objects and :class:`Chart` objects. The PDF shows all of it; the CSV
archive and the XLSX workbook hold its tables (one file or sheet per table), so the
three formats always give the same numbers. Text is built in one language (the
builders run under ``translation.override``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

#: Kinds of column: how a value is typed in XLSX and formatted in the PDF.
TEXT, INTEGER, NUMBER, PERCENT = "text", "integer", "number", "percent"
MONEY, DATE = "money", "date"
#: A number shown with every decimal it has (up to 4), never rounded to the column's
#: precision: the constants of a formula (PUE 1.67, 0.2016 EUR/kWh).
EXACT = "exact"


@dataclass
class Column:
    """One column of a table: ``label`` (translated), ``unit`` (translated, "" for
    none; shown in headers as "label (unit)"), ``kind`` (one of the kinds above)."""

    label: str
    unit: str = ""
    kind: str = TEXT

    @property
    def header(self) -> str:
        """The header as written in every format: "Core-hours (h)"-style."""
        return f"{self.label} ({self.unit})" if self.unit else self.label


@dataclass
class Table:
    """A table of the report.

    ``slug``: ASCII name of its CSV file / XLSX sheet (``usage-by-month``);
    ``rows``: lists of values in column order — ``str``, ``int``, ``float``,
    ``Decimal``, ``datetime.date`` or ``None`` (empty cell); ``total``: an optional
    last row shown in bold.
    """

    slug: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    total: list[Any] | None = None
    note: str = ""

    def all_rows(self) -> list[list[Any]]:
        """The rows followed by the total row, if any."""
        return self.rows + ([self.total] if self.total is not None else [])


@dataclass
class Chart:
    """A chart as SVG text (matplotlib), with its alternative text."""

    title: str
    svg: str
    alt: str


@dataclass
class Figure:
    """A key figure: ``value`` in ``unit``, with last year's value and the change in %
    (``None`` when there is nothing to compare with)."""

    label: str
    value: float | Decimal | int | None
    unit: str = ""
    previous: float | Decimal | int | None = None
    decimals: int = 0
    note: str = ""

    @property
    def change_percent(self) -> float | None:
        """(value − previous) / previous × 100, or ``None`` without a previous value."""
        if self.value is None or not self.previous:
            return None
        return (float(self.value) - float(self.previous)) * 100 / float(self.previous)


@dataclass
class Section:
    """A part of the report: a title, then paragraphs, figures, charts and tables."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


@dataclass
class ReportContent:
    """Everything one report says, in one language.

    ``sheet``: (label, value) pairs shown on the cover (the project sheet, or the
    centre's identity); ``totals``: the figures stored on the report row
    (JSON-able numbers: ``jobs``, ``core_hours``, ``gpu_hours``,
    ``energy_kwh_measured``, ``energy_kwh_estimated``, ``co2e_kg``, ``cost_eur``,
    ``heat_kwh``).
    """

    language: str
    title: str
    subtitle: str
    year: int
    generated_at: dt.datetime
    sheet: list[tuple[str, str]]
    sections: list[Section]
    totals: dict[str, float]
    data_note: str = ""

    def tables(self) -> list[Table]:
        """Every table of the report, in reading order (slugs are unique)."""
        return [table for section in self.sections for table in section.tables]
