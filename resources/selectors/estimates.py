"""Estimates of what an amount of a resource costs, in euros and in energy.

Used by the resource request form (before submission) and by reports. Energy
follows ``resources.energy`` (Green Algorithms). Only CPU and GPU time is given
an energy estimate; storage, databases and virtual machines are not estimated
(``energy_kwh`` is ``None``), which the pages say.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..energy import MEMORY_WATTS_PER_GB, co2e_kg, energy_constants
from ..models import Resource, ResourceKind, ResourcePrice


@dataclass(frozen=True)
class Estimate:
    """Cost and energy of an amount of a resource.

    ``cost_eur``: euros, ``None`` when no price is set for the organisation kind;
    ``energy_kwh`` and ``co2e_kg``: ``None`` when the kind is not estimated or the
    resource has no power figure.
    """

    cost_eur: Decimal | None
    energy_kwh: Decimal | None
    co2e_kg: Decimal | None


def price_table(*, resources, organisation_kind: str) -> dict[int, Decimal]:
    """Price per unit (EUR) of each resource id for ``organisation_kind`` (one query)."""
    return dict(ResourcePrice.objects.filter(
        resource__in=list(resources), organisation_kind=organisation_kind
    ).values_list("resource_id", "price_per_unit"))


def energy_per_unit_kwh(resource: Resource) -> Decimal | None:
    """kWh drawn by one unit of ``resource`` (one core-hour or one GPU-hour), PUE included.

    CPU: PUE × (W per core + GB per core × 0.3725 W/GB) / 1000 kWh per core-hour.
    GPU: PUE × W per GPU / 1000 kWh per GPU-hour. Other kinds, or a missing power
    figure: ``None``.
    """
    pue = energy_constants().pue
    if resource.kind == ResourceKind.CPU and resource.watts_per_core is not None:
        watts = resource.watts_per_core + (resource.memory_gb_per_core or 0) * MEMORY_WATTS_PER_GB
        return pue * watts / 1000
    if resource.kind == ResourceKind.GPU and resource.watts_per_gpu is not None:
        return pue * resource.watts_per_gpu / 1000
    return None


def estimate(*, resource: Resource, amount: Decimal, price_per_unit: Decimal | None) -> Estimate:
    """Estimate ``amount`` (in the resource's unit) of ``resource`` at ``price_per_unit`` EUR."""
    cost = None if price_per_unit is None else amount * price_per_unit
    per_unit = energy_per_unit_kwh(resource)
    if per_unit is None:
        return Estimate(cost_eur=cost, energy_kwh=None, co2e_kg=None)
    kwh = amount * per_unit
    return Estimate(cost_eur=cost, energy_kwh=kwh, co2e_kg=co2e_kg(kwh))
