"""What the request pages show, shared by the applicant's pages (:mod:`.requests`) and
the staff's (:mod:`.staff.requests`): the table of amounts with its totals and estimates
(cost, energy, CO2e), and the texts of amounts."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

from resources.energy import co2e_kg, energy_constants
from resources.models import Resource
from resources.selectors.estimates import energy_per_unit_kwh, price_table

from ..forms.requests import amount_as_input, justification_field
from ..models import ResourceRequest
from ..selectors.lifecycle import renewal_past_use
from ..selectors.requests import Table, request_rows, request_table, table_estimate

Status = ResourceRequest.Status
#: Statuses after a decision that granted something.
GRANTED = {Status.APPROVED, Status.PARTIALLY_APPROVED}
#: Rounding steps of costs (euros) and of energy and CO2e (kWh, kg).
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def _round(value: Decimal | None, step: Decimal) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(step, rounding=ROUND_HALF_UP)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def amount_text(value: Decimal | None) -> str:
    """An amount for display: grouped digits, no trailing zeros ("7,5", "300 000")."""
    if value is None:
        return ""
    return number_format(Decimal(value).normalize(), use_l10n=True, force_grouping=True)


def _past_texts(use) -> dict | None:
    """What a cell shows of the use of the year it continues (a
    :class:`~projects.selectors.lifecycle.PastUse`), as texts; ``None`` without."""
    if use is None:
        return None
    return {"year": use.year, "used": amount_text(Decimal(str(round(use.used, 2)))),
            "granted": amount_text(use.granted),
            "percent": None if use.percent is None else round(use.percent)}


@dataclass
class TableView:
    """A request table ready for a template (and for the JSON of the live totals).

    ``rows``: one dict per resource — ``resource``, ``unit``, ``cells`` (list of
    dicts: ``year``, ``name`` (input name), ``value`` (typed text), ``amount``
    (Decimal), ``granted`` (Decimal or None), ``amount_text`` and ``granted_text``
    (for display), ``lowered``, ``invalid``), ``total`` and ``granted_total`` (in
    the unit; ``total_text`` and ``granted_total_text`` for display), ``cost_eur``,
    ``energy_kwh`` (None when not priced / not estimated), ``price`` (EUR per unit
    or None), ``energy_per_unit`` (kWh or None), ``justification`` and its input
    name. ``years``: one dict per year with ``year``, ``cost_eur``, ``energy_kwh``,
    ``co2e_kg``. ``total``: the same over all years. ``unpriced`` and
    ``not_estimated``: resources left out of the cost and of the energy estimate.
    """

    years: list[dict] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    total: dict = field(default_factory=dict)
    unpriced: list[Resource] = field(default_factory=list)
    not_estimated: list[Resource] = field(default_factory=list)

    def as_json(self) -> dict:
        """The totals as JSON-ready strings (plain decimals, "." separator)."""
        return {
            "rows": {str(row["resource"].pk): {
                "total": _text(row["total"]), "unit": row["unit"],
                "cost_eur": _text(row["cost_eur"]), "energy_kwh": _text(row["energy_kwh"]),
            } for row in self.rows},
            "years": {str(year["year"]): {
                "cost_eur": _text(year["cost_eur"]), "energy_kwh": _text(year["energy_kwh"]),
                "co2e_kg": _text(year["co2e_kg"]),
            } for year in self.years},
            "total": {key: _text(value) for key, value in self.total.items()},
        }


def table_view(*, project, resources, table: Table, values: dict[str, str] | None = None,
               justifications: dict[int, str] | None = None, granted: Table | None = None,
               estimate_granted: bool = False, invalid: set[str] | None = None,
               prefix: str = "amount", past: dict | None = None) -> TableView:
    """Build the table of ``resources`` × ``project.years`` with its totals and estimates.

    Args:
        project: the request's project (years; organisation kind for the prices).
        resources: the rows, in catalogue order.
        table: (resource id, year) → requested amount in the resource's unit.
        values: input name → typed text, to show again (default: ``table``'s amounts).
        justifications: resource id → justification text.
        granted: (resource id, year) → granted amount, after a decision.
        estimate_granted: estimate the ``granted`` amounts instead of the requested.
        invalid: input names to mark as wrong.
        prefix: input name prefix (``amount`` or ``granted``).
        past: for a renewal, (resource id, year) →
            :class:`~projects.selectors.lifecycle.PastUse` shown beside the cell.

    Costs are in euros (2 decimals), energy in kWh and CO2e in kg (1 decimal).
    Three queries at most (prices twice, through ``table_estimate``).
    """
    resources = list(resources)
    by_id = {resource.pk: resource for resource in resources}
    years = project.years
    justifications = justifications or {}
    invalid = invalid or set()
    counted = granted if estimate_granted and granted is not None else table
    counted = {key: amount for key, amount in counted.items()
               if key[0] in by_id and key[1] in years}
    kind = project.organisation.kind
    estimate = table_estimate(table=counted, organisation_kind=kind, resources=by_id)
    prices = price_table(resources=resources, organisation_kind=kind)
    view = TableView()
    for resource in resources:
        cells = []
        row_cost = Decimal(0) if resource.pk in prices else None
        per_unit = energy_per_unit_kwh(resource)
        row_energy = Decimal(0) if per_unit is not None else None
        for year in years:
            key = (resource.pk, year)
            amount = table.get(key)
            given = granted.get(key) if granted is not None else None
            name = f"{prefix}-{resource.pk}-{year}"
            value = values.get(name, "") if values is not None else amount_as_input(amount)
            cells.append({
                "year": year, "name": name, "value": value, "amount": amount,
                "amount_text": amount_text(amount), "granted": given,
                "granted_text": amount_text(given or Decimal(0)),
                "lowered": given is not None and amount is not None and given < amount,
                "invalid": name in invalid,
                "past": _past_texts((past or {}).get(key)),
            })
            cell_estimate = estimate.cells.get(key)
            if cell_estimate is not None:
                if row_cost is not None and cell_estimate.cost_eur is not None:
                    row_cost += cell_estimate.cost_eur
                if row_energy is not None and cell_estimate.energy_kwh is not None:
                    row_energy += cell_estimate.energy_kwh
        total = sum((table.get((resource.pk, year)) or Decimal(0) for year in years), Decimal(0))
        granted_total = (sum((granted.get((resource.pk, year)) or Decimal(0) for year in years),
                             Decimal(0)) if granted is not None else None)
        view.rows.append({
            "resource": resource, "unit": resource.unit, "cells": cells,
            "total": _round(total, CENT), "granted_total": _round(granted_total, CENT),
            "total_text": amount_text(total), "granted_total_text": amount_text(granted_total),
            "lowered": granted_total is not None and granted_total < total,
            "cost_eur": _round(row_cost, CENT), "energy_kwh": _round(row_energy, TENTH),
            "price": prices.get(resource.pk), "energy_per_unit": per_unit,
            "justification": justifications.get(resource.pk, ""),
            "justification_name": justification_field(resource.pk),
            "justification_invalid": justification_field(resource.pk) in invalid,
        })
        if resource.pk not in prices:
            view.unpriced.append(resource)
        if per_unit is None:
            view.not_estimated.append(resource)
    for year in years:
        kwh = estimate.year_energy_kwh.get(year, Decimal(0))
        view.years.append({
            "year": year,
            "cost_eur": _round(estimate.year_cost_eur.get(year, Decimal(0)), CENT),
            "energy_kwh": _round(kwh, TENTH),
            "co2e_kg": _round(co2e_kg(Decimal(kwh)), TENTH),
        })
    view.total = {
        "cost_eur": _round(estimate.cost_eur, CENT),
        "energy_kwh": _round(estimate.energy_kwh, TENTH),
        "co2e_kg": _round(estimate.co2e_kg, TENTH),
    }
    return view


def read_only_table(resource_request: ResourceRequest) -> tuple[TableView, list]:
    """The table of what the request asks (and, after a decision, what was granted) for
    display, and the request's rows; for a renewal, with the use of the past year beside
    each cell."""
    rows = request_rows(resource_request)
    requested = request_table(resource_request)
    decided = resource_request.status in GRANTED
    granted = request_table(resource_request, granted=True) if decided else None
    view = table_view(project=resource_request.project,
                      resources=[row.resource for row in rows], table=requested,
                      justifications={row.resource_id: row.justification for row in rows},
                      granted=granted, estimate_granted=decided,
                      past=renewal_past_use(resource_request))
    return view, rows


def estimate_context() -> dict:
    """What the estimate pages say about the energy model (constants and sources)."""
    return {"constants": energy_constants()}


