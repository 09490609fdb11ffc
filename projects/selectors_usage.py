"""Reads of usage in the projects' terms: which accounts are whose, and what each project
used of its grants.

Attribution. A job belongs to the project whose ``slurm_account`` is the job's account
(on every cluster), or to the project staff mapped its (cluster, account) to with an
:class:`~projects.models.AccountAlias` — on its cluster, an alias wins over a Slurm
account of the same name. Nothing is stored on the jobs: the usage pages read the
``resources`` summaries by account at query time (``resources.usage``), so a new alias
attributes the jobs already imported at once, and an import is seen by the next page.

Resources. A CPU resource of the catalogue counts core-hours, a GPU resource GPU-hours,
of the jobs that ran on its Slurm cluster/partition (``Resource.slurm_cluster`` and
``slurm_partition``; see ``resources.usage.resources_for_partition``). Usage on a
partition no resource maps to is shown as "other".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import OrganisationKind
from resources.energy import (
    EnergyConstants,
    co2e_kg,
    electricity_cost_eur,
    energy_constants,
    reusable_heat_kwh,
)
from resources.models import UNITS, Resource, ResourceKind
from resources.usage import (
    USAGE_KINDS,
    AccountSelection,
    UsageSums,
    metered_resources,
    resources_for_partition,
    usage_by_account,
    usage_by_month,
    usage_by_partition,
    usage_by_partition_and_month,
    usage_by_state,
    usage_by_user,
    usage_sums,
    usage_years,
)

from .models import AccountAlias, Allocation, Project

#: Number of projects the staff dashboard lists.
TOP_PROJECTS = 20


def months_of(year: int) -> list[dt.date]:
    """The twelve months of ``year``, as their first days."""
    return [dt.date(year, month, 1) for month in range(1, 13)]


# --- Attribution ------------------------------------------------------------------------

def project_accounts(*, project: Project) -> AccountSelection:
    """The accounts whose usage is ``project``'s — one query.

    Its Slurm account on every cluster, except on clusters where staff mapped that
    account name to another project, plus the aliases mapped to it.
    """
    aliases = AccountAlias.objects.filter(Q(project=project) | Q(account=project.slurm_account))
    pairs, excluded = set(), set()
    for cluster, account, project_id in aliases.values_list("cluster", "account", "project_id"):
        (pairs if project_id == project.pk else excluded).add((cluster, account))
    return AccountSelection(names=frozenset({project.slurm_account}), pairs=frozenset(pairs),
                            excluded=frozenset(excluded))


@dataclass(frozen=True)
class Attribution:
    """Who owns which account: ``by_name`` maps Slurm account names to project ids,
    ``by_pair`` maps aliased ``(cluster, account)`` pairs to project ids."""

    by_name: dict[str, int]
    by_pair: dict[tuple[str, str], int]

    def project_id(self, *, cluster: str, account: str) -> int | None:
        """The id of the project the jobs of ``account`` on ``cluster`` count for, or
        ``None`` when the account matches no project and no alias."""
        return self.by_pair.get((cluster, account), self.by_name.get(account))


def account_attribution() -> Attribution:
    """Every project's Slurm account and every alias — two queries."""
    return Attribution(
        by_name=dict(Project.objects.values_list("slurm_account", "pk")),
        by_pair={(cluster, account): project_id for cluster, account, project_id
                 in AccountAlias.objects.values_list("cluster", "account", "project_id")},
    )


def unmatched_accounts() -> list[dict]:
    """Accounts seen in the usage summaries (all years) that match no project and no alias.

    Returns dicts with ``cluster``, ``account``, ``jobs``, ``core_hours``, ``gpu_hours``
    and the other sums of :func:`resources.usage.usage_sums`, most core-hours first —
    three queries whatever the number of jobs.
    """
    attribution = account_attribution()
    rows = [row for row in usage_by_account()
            if attribution.project_id(cluster=row["cluster"], account=row["account"]) is None]
    return sorted(rows, key=lambda row: (-row["core_hours"], -row["gpu_hours"],
                                         row["cluster"], row["account"]))


def account_aliases():
    """Every alias with its project and who mapped it, by cluster and account."""
    return AccountAlias.objects.select_related("project", "created_by").order_by(
        "cluster", "account")


# --- One project's usage ----------------------------------------------------------------

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


@dataclass
class ProjectUsage:
    """Everything the project usage page shows for one year.

    ``years``: years with allocations or usage (and the current year);
    ``accounts``: the Slurm accounts counted (``"name"`` or ``"cluster:name"``);
    ``resources``: :class:`ResourceUse` rows, catalogue order, "other" last;
    ``users``, ``states``: breakdown dicts (see ``resources.usage.usage_sums``) with
    ``share`` (percent of the year's core-hours, or of jobs for states);
    ``totals``: :class:`~resources.usage.UsageSums`; ``energy``: :class:`EnergyFigures`;
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


def default_year() -> int:
    """The year usage pages show when none is asked for: this year (``TIME_ZONE``)."""
    return timezone.localdate().year


def project_usage(*, project: Project, year: int) -> ProjectUsage:
    """What ``project`` used in ``year``: per resource and month against its grants,
    per user, per job state, energy, CO2e and cost.

    A fixed number of queries (about eight) whatever the number of jobs or summary
    rows: the sums come grouped from the database (``resources.usage``).
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


# --- Use of allocations, for the thresholds --------------------------------------------

def allocation_use(*, year: int) -> dict[tuple[int, int], float]:
    """Use of every (project, resource) in ``year``, in the resource's unit — four queries.

    Returns ``{(project id, resource id): core-hours or GPU-hours}`` for the metered
    resources (CPU and GPU resources mapped to partitions) of the attributed accounts.
    """
    attribution = account_attribution()
    catalogue = metered_resources()
    result: dict[tuple[int, int], float] = defaultdict(float)
    for row in usage_sums(group_by=["cluster", "account", "partition"], year=year):
        project_id = attribution.project_id(cluster=row["cluster"], account=row["account"])
        if project_id is None:
            continue
        matches = resources_for_partition(catalogue, cluster=row["cluster"],
                                          partition=row["partition"])
        for kind, resource in matches.items():
            result[(project_id, resource.pk)] += row[USAGE_KINDS[kind]]
    return dict(result)


# --- The centre's usage, for staff ------------------------------------------------------

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
                       unmatched=len(unmatched_accounts()), energy=energy_figures(totals))
