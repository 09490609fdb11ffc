"""The whole centre's usage in a year, for the staff dashboard."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from members.models import OrganisationKind
from resources.selectors.usage import (
    USAGE_KINDS,
    UsageSums,
    metered_resources,
    resources_for_partition,
    usage_by_account,
    usage_by_month,
    usage_by_partition,
    usage_years,
)

from ...models import Allocation, Project
from .attribution import account_attribution, unmatched_account_count
from .common import (
    EnergyFigures,
    _percent,
    current_month,
    default_year,
    energy_figures,
    months_of,
)

#: Number of projects the staff dashboard lists.
TOP_PROJECTS = 20


@dataclass
class CentreUsage:
    """The staff dashboard for one year.

    ``by_kind``: ``[{"kind", "label", "sums"}]`` per organisation kind (and "not
    attributed"); ``by_project``: the :data:`TOP_PROJECTS` projects with most
    core-hours then GPU-hours, ``[{"project", "sums"}]``; ``projects_count``: projects
    with usage; ``by_month``: ``[{"month", "sums"}]`` for the 12 months; ``capacity``:
    ``[{"resource", "used", "granted", "capacity", "used_percent", "granted_percent"}]``
    for the metered resources; ``unmatched``: number of accounts matching no project.
    """

    year: int
    years: list[int]
    totals: UsageSums
    by_kind: list[dict]
    by_project: list[dict]
    projects_count: int
    by_month: list[dict]
    capacity: list[dict]
    unmatched: int
    energy: EnergyFigures


def centre_usage(*, year: int) -> CentreUsage:
    """Usage of the whole centre in ``year`` by organisation kind, project, month and
    resource, with the number of unmatched accounts — a fixed number of queries."""
    attribution = account_attribution()
    per_project: dict[int, UsageSums] = defaultdict(UsageSums)
    unattributed = UsageSums()
    for row in usage_by_account(year=year):
        project_id = attribution.project_id(cluster=row["cluster"], account=row["account"])
        if project_id is None:
            unattributed.add(row)
        else:
            per_project[project_id].add(row)
    projects = Project.objects.select_related("organisation").in_bulk(list(per_project))

    kinds: dict[str, UsageSums] = defaultdict(UsageSums)
    for project_id, sums in per_project.items():
        kinds[projects[project_id].organisation.kind].add(sums)
    by_kind = [{"kind": kind, "label": label, "sums": kinds[kind]}
               for kind, label in OrganisationKind.choices if kind in kinds]
    if unattributed.jobs:
        by_kind.append({"kind": "", "label": _("not attributed to a project"),
                        "sums": unattributed})

    ranked = sorted(per_project.items(), key=lambda item: (
        -item[1].core_hours, -item[1].gpu_hours, projects[item[0]].acronym))
    by_project = [{"project": projects[project_id], "sums": sums}
                  for project_id, sums in ranked[:TOP_PROJECTS]]

    months = {row["month"]: UsageSums.of(row) for row in usage_by_month(year=year)}
    this_month = current_month()
    by_month = [{"month": month, "sums": months.get(month, UsageSums()),
                 "future": month > this_month and month not in months}
                for month in months_of(year)]
    totals = UsageSums()
    for item in by_month:
        totals.add(item["sums"])

    catalogue = metered_resources()
    used: dict[int, float] = defaultdict(float)
    for row in usage_by_partition(year=year):
        for kind, resource in resources_for_partition(
                catalogue, cluster=row["cluster"], partition=row["partition"]).items():
            used[resource.pk] += row[USAGE_KINDS[kind]]
    granted = dict(Allocation.objects.filter(year=year).order_by().values("resource_id")
                   .annotate(total=Sum("amount")).values_list("resource_id", "total"))
    capacity = []
    for resource in catalogue:
        if not resource.is_active and not used.get(resource.pk):
            continue
        capacity.append({
            "resource": resource, "used": used.get(resource.pk, 0.0),
            "granted": granted.get(resource.pk, Decimal(0)),
            "capacity": resource.capacity_per_year,
            "used_percent": _percent(used.get(resource.pk, 0.0), resource.capacity_per_year),
            "granted_percent": _percent(granted.get(resource.pk, 0), resource.capacity_per_year),
        })

    years = sorted(set(usage_years())
                   | set(Allocation.objects.order_by().values_list("year", flat=True).distinct())
                   | {default_year(), year})
    return CentreUsage(year=year, years=years, totals=totals, by_kind=by_kind,
                       by_project=by_project, projects_count=len(per_project),
                       by_month=by_month, capacity=capacity,
                       unmatched=unmatched_account_count(attribution=attribution),
                       energy=energy_figures(totals))
