"""The energy model: kWh, CO2e, cost and heat of computing, from the Green Algorithms method.

Source: L. Lannelongue, J. Grealey, M. Inouye, "Green Algorithms: Quantifying the Carbon
Footprint of Computation", Advanced Science 8 (2021) 2100707, and its data set
(green-algorithms.org, CC-BY-4.0): E[kWh] = t[h] × PUE × (n_cores × P_core + n_GPUs ×
P_GPU + memory[GB] × 0.3725 W/GB) / 1000. The constants are settings (``ENERGY_*``),
shown wherever a figure is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

#: Where the default constants come from, in the reader's language; shown when the
#: matching ``ENERGY_*_SOURCE`` setting is empty (its default). A centre that sets its
#: own constant sets its own source text too.
DEFAULT_SOURCES = {
    "pue": _("Green Algorithms default (world average data centre, Uptime Institute 2019)"),
    "carbon_intensity": _("France, Green Algorithms data set (green-algorithms.org, "
                          "CC-BY-4.0)"),
    "electricity_price": _("EDF Tarif Bleu, base option, 1 February 2025 (regulated "
                           "tariff, incl. taxes)"),
    "heat_recovery": _("no heat recovery installed (site setting)"),
}

#: Power drawn by memory, W per GB (Green Algorithms, after Karyakin and Salem 2017).
MEMORY_WATTS_PER_GB = Decimal("0.3725")


@dataclass(frozen=True)
class EnergyConstants:
    """The constants of the energy model, with their sources (for display in reports)."""

    pue: Decimal
    carbon_intensity_g_per_kwh: Decimal
    electricity_price_eur_per_kwh: Decimal
    heat_recovery_fraction: Decimal
    pue_source: str
    carbon_intensity_source: str
    electricity_price_source: str
    heat_recovery_source: str


def energy_constants() -> EnergyConstants:
    """The constants in force, from the ``ENERGY_*`` settings; an empty source setting
    gives the :data:`DEFAULT_SOURCES` text (lazy: translated when shown)."""
    return EnergyConstants(
        pue=Decimal(str(settings.ENERGY_PUE)),
        carbon_intensity_g_per_kwh=Decimal(str(settings.ENERGY_CARBON_INTENSITY_G_PER_KWH)),
        electricity_price_eur_per_kwh=Decimal(str(settings.ENERGY_PRICE_EUR_PER_KWH)),
        heat_recovery_fraction=Decimal(str(settings.ENERGY_HEAT_RECOVERY_FRACTION)),
        pue_source=settings.ENERGY_PUE_SOURCE or DEFAULT_SOURCES["pue"],
        carbon_intensity_source=(settings.ENERGY_CARBON_INTENSITY_SOURCE
                                 or DEFAULT_SOURCES["carbon_intensity"]),
        electricity_price_source=(settings.ENERGY_PRICE_SOURCE
                                  or DEFAULT_SOURCES["electricity_price"]),
        heat_recovery_source=(settings.ENERGY_HEAT_RECOVERY_SOURCE
                              or DEFAULT_SOURCES["heat_recovery"]),
    )


def energy_kwh(*, hours: Decimal, cores: Decimal = Decimal(0), watts_per_core: Decimal | None,
               gpus: Decimal = Decimal(0), watts_per_gpu: Decimal | None = None,
               memory_gb: Decimal = Decimal(0), pue: Decimal | None = None) -> Decimal:
    """Energy of a computation in kWh (Green Algorithms formula, module docstring).

    Args:
        hours: wall-clock duration, hours.
        cores: CPU cores used; ``watts_per_core``: W drawn per core (None counts 0).
        gpus: GPUs used; ``watts_per_gpu``: W drawn per GPU (None counts 0).
        memory_gb: memory allocated, GB (0.3725 W per GB).
        pue: power usage effectiveness of the site (default: the ``ENERGY_PUE`` setting).
    """
    pue = energy_constants().pue if pue is None else pue
    watts = (cores * (watts_per_core or 0) + gpus * (watts_per_gpu or 0)
             + memory_gb * MEMORY_WATTS_PER_GB)
    return hours * pue * watts / 1000


def co2e_kg(kwh: Decimal) -> Decimal:
    """Emissions in kg CO2e of ``kwh`` at the grid carbon intensity setting (g/kWh)."""
    return kwh * energy_constants().carbon_intensity_g_per_kwh / 1000


def electricity_cost_eur(kwh: Decimal) -> Decimal:
    """Cost in euros of ``kwh`` at the electricity price setting (EUR/kWh)."""
    return kwh * energy_constants().electricity_price_eur_per_kwh


def reusable_heat_kwh(kwh: Decimal) -> Decimal:
    """Heat that could be reused, kWh: ``kwh`` × the site's heat recovery fraction."""
    return kwh * energy_constants().heat_recovery_fraction
