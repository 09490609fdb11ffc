"""Reads of the resource catalogue shared by views, the request form and reports."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from members.models import OrganisationKind

from ..models import Resource, ResourcePrice
from .estimates import energy_per_unit_kwh


def public_resources() -> QuerySet[Resource]:
    """Resources shown on the public hardware page: active and public, in catalogue order."""
    return Resource.objects.public().order_by("order", "kind", "name")


def catalogue_for_request() -> QuerySet[Resource]:
    """Resources a project may ask for (active ones, public or not), in catalogue order."""
    return Resource.objects.active().order_by("order", "kind", "name")


def trim_decimal(value: Decimal) -> Decimal:
    """``value`` without trailing zeros after the decimal point (``0.0100`` → ``0.01``,
    ``100.00`` → ``100``), for display; never in exponent form."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


@dataclass(frozen=True)
class PublicRow:
    """One line of the public hardware table.

    ``energy_kwh_per_unit`` and ``co2e_g_per_unit``: the Green Algorithms estimate
    for one unit (core-hour or GPU-hour), PUE included; ``None`` when the kind is
    not estimated or the resource has no power figure.
    """

    resource: Resource
    energy_kwh_per_unit: Decimal | None
    co2e_g_per_unit: Decimal | None


def public_hardware_table(*, carbon_intensity_g_per_kwh: Decimal) -> list[PublicRow]:
    """The public resources with their energy per unit (one query).

    Args:
        carbon_intensity_g_per_kwh: grid carbon intensity, gCO2e per kWh, used to turn
            each unit's kWh into grams of CO2e.
    """
    rows = []
    for resource in public_resources():
        kwh = energy_per_unit_kwh(resource)
        rows.append(PublicRow(
            resource=resource,
            energy_kwh_per_unit=None if kwh is None else kwh.quantize(Decimal("0.0001")),
            co2e_g_per_unit=(None if kwh is None
                             else (kwh * carbon_intensity_g_per_kwh).quantize(Decimal("0.01"))),
        ))
    return rows


@dataclass(frozen=True)
class CatalogueRow:
    """One line of the staff catalogue: the resource and its price per organisation kind.

    ``prices``: ``[(kind label, price in EUR per unit or None)]`` in the order of
    :class:`~members.models.OrganisationKind`, prices trimmed of trailing zeros.
    """

    resource: Resource
    prices: list[tuple[str, Decimal | None]]


def catalogue_for_staff() -> list[CatalogueRow]:
    """Every resource (inactive and private ones too) with its prices, in catalogue order.

    Two queries whatever the size of the catalogue.
    """
    resources = Resource.objects.order_by("order", "kind", "name").prefetch_related(
        Prefetch("prices", queryset=ResourcePrice.objects.all()))
    rows = []
    for resource in resources:
        by_kind = {price.organisation_kind: price.price_per_unit
                   for price in resource.prices.all()}
        rows.append(CatalogueRow(resource=resource, prices=[
            (label, None if by_kind.get(kind) is None else trim_decimal(by_kind[kind]))
            for kind, label in OrganisationKind.choices
        ]))
    return rows


def resource_prices(*, resource: Resource) -> dict[str, Decimal]:
    """``{organisation kind: price per unit (EUR)}`` of ``resource`` for the kinds priced."""
    return dict(resource.prices.values_list("organisation_kind", "price_per_unit"))
