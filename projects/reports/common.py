"""Pieces both reports share: number formatting, energy figures and constants, months."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from resources.accounting.selectors import shifted_imports
from resources.energy import EnergyConstants
from resources.selectors.usage import UsageSums

from ..selectors.usage import EnergyFigures, energy_figures
from .content import EXACT, INTEGER, NUMBER, PERCENT, TEXT, Column, Figure, Table

#: Job states whose core-hours produced no result (Slurm's job state codes, sacct(1)).
UNSUCCESSFUL_STATES = frozenset({"FAILED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
                                 "BOOT_FAIL", "DEADLINE", "PREEMPTED"})


def number(value, decimals: int = 0) -> str:
    """``value`` in the active language's format, with thousands grouping."""
    if value is None:
        return "—"
    return number_format(round(float(value), decimals), decimals, force_grouping=True)


def month_label(month: dt.date) -> str:
    """"January 2026" in the active language."""
    return date_format(month, "F Y")


def totals_dict(sums: UsageSums, energy: EnergyFigures) -> dict[str, float]:
    """The figures stored on a report row (JSON numbers)."""
    return {
        "jobs": sums.jobs,
        "core_hours": round(sums.core_hours, 4),
        "gpu_hours": round(sums.gpu_hours, 4),
        "energy_kwh_measured": float(round(energy.measured_kwh, 4)),
        "energy_kwh_estimated": float(round(energy.estimated_kwh, 4)),
        "co2e_kg": float(round(energy.co2e_kg, 4)),
        "cost_eur": float(round(energy.cost_eur, 4)),
        "heat_kwh": float(round(energy.heat_kwh, 4)),
    }


def energy_table(*, current: UsageSums, previous: UsageSums, year: int) -> tuple[Table, list]:
    """The energy table (this year, last year, change) and its key figures.

    Energy in kWh, measured (``ConsumedEnergyRaw``) and estimated (Green Algorithms)
    apart; CO2e (kg), electricity cost (EUR) and reusable heat (kWh) follow from the
    total with the constants of ``resources.energy``.
    """
    now, before = energy_figures(current), energy_figures(previous)
    lines = [
        (_("Energy, measured"), _("kWh"), now.measured_kwh, before.measured_kwh),
        (_("Energy, estimated"), _("kWh"), now.estimated_kwh, before.estimated_kwh),
        (_("Energy, total"), _("kWh"), now.total_kwh, before.total_kwh),
        (_("Emissions"), _("kg CO2e"), now.co2e_kg, before.co2e_kg),
        (_("Electricity cost"), _("EUR"), now.cost_eur, before.cost_eur),
        (_("Heat that could be reused"), _("kWh"), now.heat_kwh, before.heat_kwh),
    ]
    figures = [Figure(label=label, value=value, unit=unit, previous=previous_value,
                      decimals=0 if value >= 100 else 1)
               for label, unit, value, previous_value in lines[2:]]
    rows = [[label, unit, round(float(value), 2), round(float(previous_value), 2),
             _change(value, previous_value)]
            for label, unit, value, previous_value in lines]
    table = Table(
        slug="energy", title=_("Energy, emissions, cost and heat"),
        columns=[Column(_("Quantity")), Column(_("Unit")),
                 Column(str(year), kind=NUMBER), Column(str(year - 1), kind=NUMBER),
                 Column(pgettext("compared with last year", "Change"), "%", PERCENT)],
        rows=rows)
    return table, figures


def _change(value, previous) -> float | None:
    if not previous:
        return None
    return round((float(value) - float(previous)) * 100 / float(previous), 1)


def constants_table(constants: EnergyConstants) -> Table:
    """The constants of the energy model with their sources (text in the active language:
    the spreadsheet writers take plain strings)."""
    return Table(
        slug="constants", title=_("Constants used"),
        columns=[Column(_("Constant")), Column(_("Value"), kind=EXACT), Column(_("Unit")),
                 Column(_("Source"))],
        rows=[
            [_("Power usage effectiveness (PUE)"), float(constants.pue), "",
             str(constants.pue_source)],
            [_("Carbon intensity of the grid"), float(constants.carbon_intensity_g_per_kwh),
             _("g CO2e/kWh"), str(constants.carbon_intensity_source)],
            [_("Price of electricity"), float(constants.electricity_price_eur_per_kwh),
             _("EUR/kWh"), str(constants.electricity_price_source)],
            [_("Share of heat that could be reused"), float(constants.heat_recovery_fraction),
             "", str(constants.heat_recovery_source)],
        ])


def energy_method_paragraph(sums: UsageSums) -> str:
    """Says how much of the energy was measured and how the rest was estimated."""
    total = sums.energy_kwh
    if not total:
        return _("No energy was recorded or estimated for this year.")
    measured_share = sums.energy_kwh_measured * 100 / total
    return _(
        "%(measured)s %% of the energy was measured by the cluster (Slurm's "
        "ConsumedEnergyRaw); the rest was estimated from each job's duration, cores, GPUs "
        "and memory with the Green Algorithms method (Lannelongue et al., Advanced Science, "
        "2021) and the power figures of the catalogue."
    ) % {"measured": number(measured_share, 1)}


def hours_columns() -> list[Column]:
    """The core-hours and GPU-hours columns (numbers, in hours) of the usage tables."""
    return [Column(_("Core-hours"), _("h"), NUMBER),
            Column(capfirst(_("GPU-hours")), _("h"), NUMBER)]


def usage_figures(*, current: UsageSums, previous: UsageSums) -> list[Figure]:
    """Key figures of use: core-hours, GPU-hours and jobs, with last year's."""
    return [
        Figure(label=_("Core-hours"), value=current.core_hours, unit=_("h"),
               previous=previous.core_hours),
        Figure(label=capfirst(_("GPU-hours")), value=current.gpu_hours, unit=_("h"),
               previous=previous.gpu_hours),
        Figure(label=_("Jobs"), value=current.jobs, previous=previous.jobs),
    ]


def state_table(states: list[dict], *, slug: str = "jobs-by-state") -> Table:
    """Jobs, share of jobs and core-hours per job state."""
    total_jobs = sum(row["jobs"] for row in states) or 0
    return Table(
        slug=slug, title=_("Jobs by state"),
        columns=[Column(_("State")), Column(_("Jobs"), kind=INTEGER),
                 Column(_("Share of jobs"), "%", PERCENT),
                 Column(_("Core-hours"), _("h"), NUMBER)],
        rows=[[row["state"], row["jobs"],
               round(row["jobs"] * 100 / total_jobs, 1) if total_jobs else None,
               round(row["core_hours"], 2)] for row in states])


def bucket_table(*, slug: str, title: str, first: str, buckets: list[dict]) -> Table:
    """Jobs and core-hours per bucket (size or wait)."""
    return Table(slug=slug, title=title,
                 columns=[Column(first, kind=TEXT), Column(_("Jobs"), kind=INTEGER),
                          Column(_("Core-hours"), _("h"), NUMBER)],
                 rows=[[row["label"], row["jobs"], round(row["core_hours"], 2)]
                       for row in buckets])


def unsuccessful_core_hours(states: list[dict]) -> float:
    """Core-hours of jobs that ended in an unsuccessful state (:data:`UNSUCCESSFUL_STATES`)."""
    return sum(row["core_hours"] for row in states if row["state"] in UNSUCCESSFUL_STATES)


def decimal_or_zero(value) -> Decimal:
    return Decimal(str(value or 0))


def shifted_data_note() -> str:
    """Says, when some accounting was imported with a time shift (real traces replayed
    for a demonstration), which files were moved and by how much; "" otherwise."""
    moved = shifted_imports()
    if not moved:
        return ""
    files = "; ".join(
        _("%(file)s (cluster %(cluster)s) moved by %(days)s days, jobs ending from "
          "%(first)s to %(last)s") % {
            "file": item["file_name"], "cluster": item["cluster"],
            "days": number(item["shift_days"]),
            "first": date_format(item["first_end"], "SHORT_DATE_FORMAT")
            if item["first_end"] else "—",
            "last": date_format(item["last_end"], "SHORT_DATE_FORMAT")
            if item["last_end"] else "—"}
        for item in moved)
    return _("Demonstration on real accounting data: the computing figures come from real, "
             "public job accounting traces whose dates were moved forward — %(files)s.") % {
        "files": files}
