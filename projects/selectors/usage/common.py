"""What the usage reads share: the months of a year, the current month and year in the
centre's time zone, percentages, and the energy figures of a set of jobs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from resources.energy import (
    EnergyConstants,
    co2e_kg,
    electricity_cost_eur,
    energy_constants,
    reusable_heat_kwh,
)
from resources.selectors.usage import UsageSums


def months_of(year: int) -> list[dt.date]:
    """The twelve months of ``year``, as their first days."""
    return [dt.date(year, month, 1) for month in range(1, 13)]


@dataclass
class EnergyFigures:
    """Energy of a set of jobs and what follows from it.

    ``measured_kwh`` (``ConsumedEnergyRaw``), ``estimated_kwh`` (Green Algorithms),
    ``total_kwh``; ``co2e_kg`` = total × carbon intensity; ``cost_eur`` = total ×
    electricity price; ``heat_kwh`` = total × heat recovery fraction; ``constants``:
    the settings used, with their sources.
    """

    measured_kwh: Decimal
    estimated_kwh: Decimal
    total_kwh: Decimal
    co2e_kg: Decimal
    cost_eur: Decimal
    heat_kwh: Decimal
    constants: EnergyConstants


def energy_figures(sums: UsageSums) -> EnergyFigures:
    """kWh (measured and estimated apart), kg CO2e, euros and reusable heat of ``sums``,
    with the constants of ``resources.energy``."""
    measured = Decimal(str(sums.energy_kwh_measured))
    estimated = Decimal(str(sums.energy_kwh_estimated))
    total = measured + estimated
    return EnergyFigures(measured_kwh=measured, estimated_kwh=estimated, total_kwh=total,
                         co2e_kg=co2e_kg(total), cost_eur=electricity_cost_eur(total),
                         heat_kwh=reusable_heat_kwh(total), constants=energy_constants())


def _percent(part: float, whole: float | Decimal | None) -> float | None:
    if not whole:
        return None
    return float(part) * 100 / float(whole)


def current_month() -> dt.date:
    """The first day of this month in the centre's time zone (``TIME_ZONE``)."""
    return timezone.localdate().replace(day=1)


def elapsed_months(year: int) -> int:
    """How many months of ``year`` have begun: 12 for a past year, 0 for a future one."""
    this_month = current_month()
    if year < this_month.year:
        return 12
    if year > this_month.year:
        return 0
    return this_month.month


def default_year() -> int:
    """The year usage pages show when none is asked for: this year (``TIME_ZONE``)."""
    return timezone.localdate().year
