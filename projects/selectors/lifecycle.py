"""Reads of the life of requests and allocations: the granted request a renewal
continues, the use beside each cell of a renewal, an allocation's unused hours, grants,
history and extensions."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from ..models import (
    ActivityReport,
    Allocation,
    AllocationEvent,
    AllocationExtension,
    AllocationGrant,
    Project,
    ResourceRequest,
)
from .requests import Table, request_table
from .usage import resource_use

Status = ResourceRequest.Status
#: Statuses of a request that granted something.
GRANTED = {Status.APPROVED, Status.PARTIALLY_APPROVED}


def last_granted_request(*, project: Project) -> ResourceRequest | None:
    """The latest request of ``project`` that granted something (not an emergency nor a
    supplement: their tables are not the project's plan), or ``None``. One query."""
    return (project.requests.filter(status__in=GRANTED)
            .exclude(kind__in=[ResourceRequest.Kind.EMERGENCY, ResourceRequest.Kind.SUPPLEMENT])
            .order_by("-decided_at", "-pk").first())


def renewal_shift(renewed: ResourceRequest) -> int:
    """How many years a renewal moves the granted table of ``renewed``: the number of
    years it spans (first to last year with a granted amount), so that a one-year grant
    is renewed for the next year and a two-year grant for the two years after it. 1 when
    nothing was granted."""
    years = [year for (_resource, year), amount in request_table(renewed, granted=True).items()
             if amount]
    return (max(years) - min(years) + 1) if years else 1


@dataclass(frozen=True)
class PastUse:
    """What a renewal shows beside one cell: the ``year`` it continues, what was
    ``granted`` then and what was ``used`` (the resource's unit); ``percent`` of the grant
    used (``None`` without a grant)."""

    year: int
    granted: Decimal
    used: float

    @property
    def percent(self) -> float | None:
        """used / granted × 100, or ``None`` without a grant."""
        return float(self.used) * 100 / float(self.granted) if self.granted else None


def renewal_past_use(resource_request: ResourceRequest) -> dict[tuple[int, int], PastUse]:
    """For a renewal: ``{(resource id, year): PastUse}`` for every cell whose year continues
    a year of the renewed grant (``year - renewal_shift``), with the grant and the use of
    that past year. Empty for other requests. Three queries per past year (the usage
    summaries, never the job records)."""
    renewed = resource_request.renews
    if resource_request.kind != ResourceRequest.Kind.RENEWAL or renewed is None:
        return {}
    shift = renewal_shift(renewed)
    granted: Table = request_table(renewed, granted=True)
    past_years = sorted({year for _resource, year in granted})
    use = {year: resource_use(project=resource_request.project, year=year)
           for year in past_years}
    result = {}
    for (resource_id, year), amount in granted.items():
        result[(resource_id, year + shift)] = PastUse(
            year=year, granted=amount, used=use[year].get(resource_id, 0.0))
    return result


def activity_report_of(resource_request: ResourceRequest) -> ActivityReport | None:
    """The activity report of ``resource_request``, or ``None``. One query."""
    return ActivityReport.objects.filter(request=resource_request).first()


def allocation_for_staff(*, pk: int) -> Allocation:
    """Allocation ``pk`` with its project, organisation and resource; 404 if none."""
    return get_object_or_404(
        Allocation.objects.select_related("project__organisation", "resource"), pk=pk)


def allocation_used(allocation: Allocation) -> float:
    """What the project used of the allocation's resource in its year (resource's unit),
    from the monthly summaries."""
    return resource_use(project=allocation.project, year=allocation.year).get(
        allocation.resource_id, 0.0)


def allocation_unused(allocation: Allocation) -> Decimal:
    """The hours of the allocation not used yet (≥ 0, two decimals)."""
    used = Decimal(str(round(allocation_used(allocation), 2)))
    return max(Decimal(0), allocation.amount - used)


def year_grant(allocation: Allocation) -> Decimal:
    """The year's grant of an allocation: what requests added to it (grants and
    supplements), before any reduction or transfer. The bound of a transfer is a share of
    it. One query."""
    total = allocation.grants.filter(
        kind__in=[AllocationGrant.Kind.GRANT, AllocationGrant.Kind.SUPPLEMENT]
    ).aggregate(total=Sum("amount"))["total"]
    return total if total is not None else Decimal(0)


def transferred_out(allocation: Allocation) -> Decimal:
    """The hours already transferred from this allocation to the next year (> 0). One
    query."""
    total = allocation.grants.filter(kind=AllocationGrant.Kind.TRANSFER_OUT).aggregate(
        total=Sum("amount"))["total"]
    return -total if total is not None else Decimal(0)


def allocation_grants(allocation: Allocation) -> QuerySet[AllocationGrant]:
    """Every change of the allocation's amount, oldest first, with its request and who
    made it."""
    return allocation.grants.select_related("request", "granted_by")


def allocation_history(allocation: Allocation) -> QuerySet[AllocationEvent]:
    """Every event of the allocation, oldest first, with who did it."""
    return allocation.events.select_related("actor", "extension")


def allocation_extensions(allocation: Allocation) -> QuerySet[AllocationExtension]:
    """The allocation's extensions, newest first, with who asked and who decided."""
    return allocation.extensions.select_related("requested_by", "decided_by")


def pending_extensions() -> QuerySet[AllocationExtension]:
    """Extensions waiting for staff, oldest first, with their allocation and project."""
    return (AllocationExtension.objects.filter(status=AllocationExtension.Status.PENDING)
            .select_related("allocation__project", "allocation__resource")
            .order_by("created_at", "pk"))


def supplement_gaps(resource_request: ResourceRequest) -> list[str]:
    """For a supplement: one message per cell asking hours (> 0) of a resource and year
    without an allocation in force (a supplement adds to the year's allocation and never
    creates one). Empty when every cell has its allocation, and for other kinds. Two
    queries."""
    if resource_request.kind != ResourceRequest.Kind.SUPPLEMENT:
        return []
    in_force = set(Allocation.objects.filter(project=resource_request.project)
                   .exclude(status=Allocation.Status.EXPIRED)
                   .values_list("resource_id", "year"))
    rows = {row.resource_id: row.resource for row in
            resource_request.rows.select_related("resource")}
    return [_("%(resource)s has no allocation in force in %(year)s: a supplement adds to the "
              "allocation of the year.") % {"resource": rows[resource_id].name, "year": year}
            for (resource_id, year), amount in sorted(request_table(resource_request).items())
            if amount and (resource_id, year) not in in_force]


def allocation_for_member(*, user, pk: int) -> Allocation:
    """Allocation ``pk`` of a project ``user`` is a member of, with its project and
    resource; 404 otherwise (also for staff outside the project)."""
    return get_object_or_404(
        Allocation.objects.filter(project__members__user=user).select_related(
            "project__organisation", "resource"), pk=pk)


def extension_for_member(*, user, pk: int) -> AllocationExtension:
    """Extension ``pk`` of an allocation of a project ``user`` is a member of, with its
    allocation, project and resource; 404 otherwise (also for staff outside the
    project)."""
    return get_object_or_404(
        AllocationExtension.objects.filter(allocation__project__members__user=user)
        .select_related("allocation__project", "allocation__resource"), pk=pk)


def project_extensions(project: Project) -> QuerySet[AllocationExtension]:
    """The extensions of every allocation of ``project``, newest first, with their
    allocation and resource."""
    return (AllocationExtension.objects.filter(allocation__project=project)
            .select_related("allocation__project", "allocation__resource"))


def extension_for_user(*, user, pk: int) -> AllocationExtension:
    """Extension ``pk`` of an allocation of a project ``user`` may read (a member of it,
    or verified staff: ``Project.objects.visible_to``), with its allocation, project and
    resource; 404 otherwise."""
    return get_object_or_404(
        AllocationExtension.objects.filter(
            allocation__project__in=Project.objects.visible_to(user))
        .select_related("allocation__project", "allocation__resource"), pk=pk)
