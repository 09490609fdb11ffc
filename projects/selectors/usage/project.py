"""One project's usage in a year: per resource and month against its grants, per user,
per job state, and its energy."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from resources.models import UNITS, Resource, ResourceKind
from resources.selectors.usage import (
    USAGE_KINDS,
    UsageSums,
    metered_resources,
    resources_for_partition,
    usage_by_partition_and_month,
    usage_by_state,
    usage_by_user,
    usage_years,
)

from ...models import Allocation, Project
from .attribution import project_accounts
from .common import (
    EnergyFigures,
    _percent,
    current_month,
    default_year,
    energy_figures,
    months_of,
)


@dataclass
class MonthUse:
    """Use of a resource in one month: ``used`` that month and ``cumulative`` since
    January (the resource's unit); ``percent``: cumulative share of the yearly grant;
    ``future``: the month has not begun (nothing to show yet)."""

    month: dt.date
    used: float
    cumulative: float
    percent: float | None
    future: bool = False


@dataclass
class ResourceUse:
    """Use of one resource in a year against its grant.

    ``resource`` is ``None`` for the "other" rows (partitions no catalogue resource
    maps to); ``kind`` is ``cpu`` (core-hours) or ``gpu`` (GPU-hours); ``granted`` is
    the allocation's amount (``None`` without allocation); ``used`` the year's use;
    ``percent`` = used / granted × 100 (``None`` without a grant).
    """

    resource: Resource | None
    kind: str
    allocation: Allocation | None
    months: list[MonthUse] = field(default_factory=list)
    used: float = 0.0
    granted: float | None = None
    percent: float | None = None
    partitions: list[str] = field(default_factory=list)

    @property
    def unit(self) -> str:
        """core-hours or GPU-hours (translated)."""
        return str(UNITS[ResourceKind(self.kind)])

    @property
    def label(self) -> str:
        """The resource's name, or "Other partitions (core-hours/GPU-hours)"."""
        if self.resource is not None:
            return self.resource.name
        return (_("Other partitions (core-hours)") if self.kind == ResourceKind.CPU
                else _("Other partitions (GPU-hours)"))

    @property
    def is_mapped(self) -> bool:
        """False for a catalogue resource with no Slurm cluster or partition: no job can
        count against it."""
        return self.resource is None or bool(self.resource.slurm_cluster
                                             or self.resource.slurm_partition)


@dataclass
class ProjectUsage:
    """Everything the project usage page shows for one year.

    ``years``: years with allocations or usage (and the current year);
    ``accounts``: the Slurm accounts counted (``"name"`` or ``"cluster:name"``);
    ``resources``: :class:`ResourceUse` rows, catalogue order, "other" last;
    ``users``, ``states``: breakdown dicts (see ``resources.selectors.usage.usage_sums``) with
    ``share`` (percent of the year's core-hours, or of jobs for states);
    ``totals``: :class:`~resources.selectors.usage.UsageSums`; ``energy``: :class:`EnergyFigures`;
    ``success_percent``: share of jobs ``COMPLETED`` (``None`` without jobs).
    """

    project: Project
    year: int
    years: list[int]
    accounts: list[str]
    resources: list[ResourceUse]
    users: list[dict]
    states: list[dict]
    totals: UsageSums
    energy: EnergyFigures
    success_percent: float | None


def _fill_months(use: ResourceUse, year: int, by_month: dict[dt.date, float]) -> None:
    cumulative = 0.0
    this_month = current_month()
    for month in months_of(year):
        used = by_month.get(month, 0.0)
        cumulative += used
        use.months.append(MonthUse(month=month, used=used, cumulative=cumulative,
                                   percent=_percent(cumulative, use.granted),
                                   future=month > this_month and not used))
    use.used = cumulative
    use.percent = _percent(cumulative, use.granted)


def project_usage(*, project: Project, year: int) -> ProjectUsage:
    """What ``project`` used in ``year``: per resource and month against its grants,
    per user, per job state, energy, CO2e and cost.

    A fixed number of queries (about eight) whatever the number of jobs or summary
    rows: the sums come grouped from the database (``resources.selectors.usage``).
    """
    accounts = project_accounts(project=project)
    allocations = list(project.allocations.select_related("resource"))
    catalogue = metered_resources()
    years = sorted({a.year for a in allocations} | set(usage_years(accounts=accounts))
                   | {default_year(), year})

    # Use per resource and month, from the (cluster, partition, month) sums.
    used: dict[tuple[int | None, str], dict[dt.date, float]] = defaultdict(
        lambda: defaultdict(float))
    partitions: dict[tuple[int | None, str], set[str]] = defaultdict(set)
    resources: dict[int, Resource] = {}
    for row in usage_by_partition_and_month(year=year, accounts=accounts):
        place = f"{row['cluster']}/{row['partition'] or '—'}"
        matches = resources_for_partition(catalogue, cluster=row["cluster"],
                                          partition=row["partition"])
        if not matches:
            for kind, column in USAGE_KINDS.items():
                if row[column]:
                    used[(None, kind)][row["month"]] += row[column]
                    partitions[(None, kind)].add(place)
            continue
        for kind, resource in matches.items():
            resources[resource.pk] = resource
            used[(resource.pk, kind)][row["month"]] += row[USAGE_KINDS[kind]]
            partitions[(resource.pk, kind)].add(place)

    year_allocations = {a.resource_id: a for a in allocations
                        if a.year == year and a.resource.kind in USAGE_KINDS}
    for allocation in year_allocations.values():
        resources.setdefault(allocation.resource_id, allocation.resource)
    rows = []
    for resource in sorted(resources.values(), key=lambda r: (r.order, r.kind, r.name)):
        allocation = year_allocations.get(resource.pk)
        use = ResourceUse(resource=resource, kind=resource.kind, allocation=allocation,
                          granted=float(allocation.amount) if allocation else None,
                          partitions=sorted(partitions.get((resource.pk, resource.kind), ())))
        _fill_months(use, year, used.get((resource.pk, resource.kind), {}))
        rows.append(use)
    for kind in USAGE_KINDS:
        if (None, kind) in used:
            use = ResourceUse(resource=None, kind=kind, allocation=None,
                              partitions=sorted(partitions[(None, kind)]))
            _fill_months(use, year, used[(None, kind)])
            rows.append(use)

    users = usage_by_user(year=year, accounts=accounts)
    states = usage_by_state(year=year, accounts=accounts)
    totals = UsageSums()
    for row in states:
        totals.add(row)
    for row in users:
        row["sums"] = UsageSums.of(row)
        row["share"] = _percent(row["core_hours"], totals.core_hours)
    completed = 0
    for row in states:
        row["share"] = _percent(row["jobs"], totals.jobs)
        if row["state"] == "COMPLETED":
            completed += row["jobs"]
    account_names = [project.slurm_account] + [f"{cluster}:{account}" for cluster, account
                                               in sorted(accounts.pairs)]
    return ProjectUsage(
        project=project, year=year, years=years, accounts=account_names, resources=rows,
        users=users, states=states, totals=totals, energy=energy_figures(totals),
        success_percent=_percent(completed, totals.jobs))


def resource_use(*, project: Project, year: int) -> dict[int, float]:
    """What ``project`` used of each metered catalogue resource in ``year``, in the
    resource's unit (core-hours or GPU-hours): ``{resource id: amount}``.

    Read from the monthly usage summaries (never the job records): three queries
    whatever the number of jobs. Use on partitions no resource maps to is left out.
    """
    accounts = project_accounts(project=project)
    catalogue = metered_resources()
    result: dict[int, float] = defaultdict(float)
    for row in usage_by_partition_and_month(year=year, accounts=accounts):
        matches = resources_for_partition(catalogue, cluster=row["cluster"],
                                          partition=row["partition"])
        for kind, resource in matches.items():
            result[resource.pk] += row[USAGE_KINDS[kind]]
    return dict(result)
