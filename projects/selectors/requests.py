"""Reads of resource requests: who may see one, the staff's queue, a request's rows,
history and comments, its table of amounts, and the estimates of a table (cost, energy,
CO2e)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404

from members.models import User
from resources.models import Resource
from resources.selectors.estimates import Estimate, estimate, price_table

from ..models import AllocationExtension, RequestEvent, ResourceRequest, ResourceRequestCell

#: Table of amounts: (resource id, year) → amount in the resource's unit.
Table = dict[tuple[int, int], Decimal]

Status = ResourceRequest.Status
#: Statuses of a decided request.
DECIDED = {Status.APPROVED, Status.PARTIALLY_APPROVED, Status.REJECTED}


def request_for_user(*, user: User, pk: int) -> ResourceRequest:
    """Resource request ``pk`` if ``user`` is in its project (or is staff); else 404."""
    request = (ResourceRequest.objects.visible_to(user)
               .select_related("project__organisation").filter(pk=pk).first())
    if request is None:
        raise Http404
    return request


def request_queue() -> QuerySet[ResourceRequest]:
    """Requests waiting for staff: emergencies first, then the oldest."""
    return ResourceRequest.objects.staff_queue().select_related("project__organisation")


def requests_returned() -> list[ResourceRequest]:
    """Requests returned for changes, which wait for their applicant and not for staff:
    the longest waiting first, with their project and organisation. One query."""
    return list(ResourceRequest.objects.filter(status=Status.CHANGES_REQUESTED)
                .select_related("project__organisation").order_by("updated_at", "pk"))


def return_note(resource_request: ResourceRequest) -> RequestEvent | None:
    """The status event of the latest return of ``resource_request`` for changes (its
    ``note``, ``actor`` and ``created_at``) while the request is returned; else ``None``."""
    if resource_request.status != Status.CHANGES_REQUESTED:
        return None
    return (resource_request.events.filter(to_status=Status.CHANGES_REQUESTED)
            .select_related("actor").order_by("-pk").first())


def recent_decisions(*, limit: int) -> list[ResourceRequest]:
    """The ``limit`` latest decided requests, newest decision first, with their project,
    organisation and decider. One query."""
    return list(ResourceRequest.objects.filter(status__in=DECIDED)
                .select_related("project__organisation", "decided_by")
                .order_by("-decided_at")[:limit])


def staff_dashboard_requests(*, limit: int = 10) -> dict:
    """The staff dashboard's view of the request queue: the first ``limit`` requests
    (emergencies first), the counts ``waiting`` and ``emergencies``, and ``extensions``,
    the number of allocation extensions waiting for a decision. Four queries."""
    queue = request_queue()
    return {
        "requests": list(queue[:limit]),
        "waiting": queue.count(),
        "emergencies": queue.filter(kind=ResourceRequest.Kind.EMERGENCY).count(),
        "extensions": AllocationExtension.objects.filter(
            status=AllocationExtension.Status.PENDING).count(),
    }


def request_rows(resource_request: ResourceRequest) -> list:
    """The request's rows with their resources (catalogue order) and justifications."""
    return list(resource_request.rows.select_related("resource"))


def _status_label(code: str) -> str:
    """The label of a request status code (the code itself when unknown or empty)."""
    try:
        return Status(code).label
    except ValueError:
        return code


def request_history(resource_request: ResourceRequest) -> list[RequestEvent]:
    """The request's status events, oldest first, with ``from_label`` and ``to_label``."""
    events = list(resource_request.events.select_related("actor"))
    for event in events:
        event.from_label = _status_label(event.from_status) if event.from_status else ""
        event.to_label = _status_label(event.to_status)
    return events


def request_comments(resource_request: ResourceRequest) -> list:
    """The request's comments, oldest first, with their authors."""
    return list(resource_request.comments.select_related("author"))


def request_table(request: ResourceRequest, *, granted: bool = False) -> Table:
    """The request's table of requested (or, with ``granted``, granted; 0 where nothing
    was decided) amounts. One query."""
    cells = ResourceRequestCell.objects.filter(row__request=request).select_related("row")
    return {(c.row.resource_id, c.year): (c.granted or Decimal(0)) if granted else c.requested
            for c in cells}


@dataclass
class TableEstimate:
    """Totals of a request table and its estimates.

    ``cells``: (resource id, year) → :class:`~resources.selectors.estimates.Estimate`;
    ``row_totals``: resource id → amount; ``year_totals`` are per unit so they are
    only given for cost and energy; ``cost_eur``, ``energy_kwh`` and ``co2e_kg``
    are the grand totals (euros, kWh, kg CO2e) over the cells that could be
    estimated; ``unpriced`` and ``not_estimated`` list the resources left out.
    """

    cells: dict[tuple[int, int], Estimate] = field(default_factory=dict)
    row_totals: dict[int, Decimal] = field(default_factory=dict)
    year_cost_eur: dict[int, Decimal] = field(default_factory=dict)
    year_energy_kwh: dict[int, Decimal] = field(default_factory=dict)
    cost_eur: Decimal = Decimal(0)
    energy_kwh: Decimal = Decimal(0)
    co2e_kg: Decimal = Decimal(0)
    unpriced: set[int] = field(default_factory=set)
    not_estimated: set[int] = field(default_factory=set)


def table_estimate(*, table: Table, organisation_kind: str,
                   resources: dict[int, Resource] | None = None) -> TableEstimate:
    """Totals, cost (EUR, at the prices for ``organisation_kind``), energy (kWh) and CO2e
    (kg) of a table of amounts. Two queries at most."""
    ids = {resource_id for resource_id, _year in table}
    if resources is None:
        resources = Resource.objects.in_bulk(ids)
    prices = price_table(resources=[resources[i] for i in ids if i in resources],
                         organisation_kind=organisation_kind)
    result = TableEstimate()
    for (resource_id, year), amount in sorted(table.items()):
        resource = resources[resource_id]
        result.row_totals[resource_id] = result.row_totals.get(resource_id, 0) + amount
        cell = estimate(resource=resource, amount=amount,
                        price_per_unit=prices.get(resource_id))
        result.cells[(resource_id, year)] = cell
        if cell.cost_eur is None:
            result.unpriced.add(resource_id)
        else:
            result.cost_eur += cell.cost_eur
            result.year_cost_eur[year] = result.year_cost_eur.get(year, 0) + cell.cost_eur
        if cell.energy_kwh is None:
            result.not_estimated.add(resource_id)
        else:
            result.energy_kwh += cell.energy_kwh
            result.co2e_kg += cell.co2e_kg
            result.year_energy_kwh[year] = result.year_energy_kwh.get(year, 0) + cell.energy_kwh
    return result
