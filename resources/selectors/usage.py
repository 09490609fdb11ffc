"""Reads of usage: sums of the per-month usage summaries, never a scan of job records.

Every function here reads :class:`~resources.models.UsageSummary` (kept up to date by
each accounting import: one row per cluster, account, partition, user, month and
state) and lets the database group and sum, so a page costs one query per breakdown
whatever the number of jobs. A job counts in the month of its end time in the
centre's time zone (``TIME_ZONE``): that is the summary's ``month``.

Which accounts count is said with an :class:`AccountSelection`. The ``resources`` app
knows nothing of projects: the ``projects`` app builds the selection of a project
(its Slurm account and the aliases staff mapped to it) and passes it here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..accounting.selectors import job_wait_seconds
from ..models import JobRecord, Resource, ResourceKind, UsageSummary

#: The columns a breakdown may group by.
GROUP_FIELDS = ("cluster", "account", "partition", "user", "month", "state")

#: The sums every breakdown gives, with the summary fields they add up.
SUM_FIELDS = ("jobs", "core_hours", "gpu_hours", "energy_kwh_measured", "energy_kwh_estimated",
              "wait_seconds")


@dataclass(frozen=True)
class AccountSelection:
    """Which summary rows count, by Slurm account.

    Attributes:
        names: account names counted on every cluster (a project's Slurm account).
        pairs: ``(cluster, account)`` pairs counted on that cluster only (aliases).
        excluded: ``(cluster, account)`` pairs never counted, even when their name is in
            ``names`` (an account staff mapped to another project on that cluster).

    An empty selection selects nothing.
    """

    names: frozenset[str] = field(default_factory=frozenset)
    pairs: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    excluded: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        """True when no account can match."""
        return not self.names and not self.pairs

    def q(self) -> Q:
        """The selection as a filter on ``UsageSummary`` (or ``JobRecord``) rows."""
        if self.is_empty:
            return Q(pk__in=[])
        match = Q()
        if self.names:
            by_name = Q(account__in=sorted(self.names))
            for cluster, account in sorted(self.excluded):
                by_name &= ~Q(cluster=cluster, account=account)
            match |= by_name
        for cluster, account in sorted(self.pairs):
            match |= Q(cluster=cluster, account=account)
        return match


@dataclass
class UsageSums:
    """Sums over a set of summary rows.

    Attributes: ``jobs`` (count), ``core_hours``, ``gpu_hours`` (hours),
    ``energy_kwh_measured`` (kWh from ``ConsumedEnergyRaw``), ``energy_kwh_estimated``
    (kWh from the Green Algorithms estimate), ``wait_seconds`` (total of start − submit).
    """

    jobs: int = 0
    core_hours: float = 0.0
    gpu_hours: float = 0.0
    energy_kwh_measured: float = 0.0
    energy_kwh_estimated: float = 0.0
    wait_seconds: int = 0

    @property
    def energy_kwh(self) -> float:
        """Measured plus estimated energy, kWh."""
        return self.energy_kwh_measured + self.energy_kwh_estimated

    @property
    def mean_wait_hours(self) -> float | None:
        """Mean wait of a job in the queue, hours (``None`` without jobs)."""
        return self.wait_seconds / self.jobs / 3600 if self.jobs else None

    def add(self, other: UsageSums | dict) -> UsageSums:
        """Add ``other`` (sums, or a breakdown row) to these sums in place; returns self."""
        for name in SUM_FIELDS:
            value = getattr(other, name) if isinstance(other, UsageSums) else other[name]
            setattr(self, name, getattr(self, name) + (value or 0))
        return self

    @classmethod
    def of(cls, row: dict) -> UsageSums:
        """The sums of one breakdown row (a dict from :func:`usage_sums`)."""
        return cls().add(row)


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """First day of ``year`` and first day of the next year (the summaries' months)."""
    return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)


def usage_sums(*, group_by: Sequence[str], year: int | None = None,
               accounts: AccountSelection | None = None,
               clusters: Iterable[str] | None = None,
               excluding: AccountSelection | None = None,
               months: tuple[dt.date, dt.date] | None = None) -> list[dict]:
    """Sums of usage grouped by some summary columns — one query.

    Args:
        group_by: columns among :data:`GROUP_FIELDS` (e.g. ``["month"]``,
            ``["cluster", "partition"]``); empty for grand totals (one row).
        year: only months of this calendar year (centre's time zone); ``None`` for all.
        accounts: only these accounts; ``None`` for the whole centre.
        clusters: only these clusters; ``None`` for all.
        excluding: leave these accounts out (filtered in the database, before the sums).
        months: ``(first, end)``: only the months from ``first`` up to ``end`` excluded
            (first days of months, e.g. a quarter to invoice); ``None`` for all.

    Returns a list of dicts: the group columns, then ``jobs``, ``core_hours``,
    ``gpu_hours``, ``energy_kwh_measured``, ``energy_kwh_estimated`` (kWh) and
    ``wait_seconds``, with 0 for empty sums; ordered by the group columns.

    Raises ``ValueError`` for a column not in :data:`GROUP_FIELDS`.
    """
    unknown = set(group_by) - set(GROUP_FIELDS)
    if unknown:
        raise ValueError(f"cannot group usage by {sorted(unknown)}")
    rows = UsageSummary.objects.all()
    if year is not None:
        start, end = year_bounds(year)
        rows = rows.filter(month__gte=start, month__lt=end)
    if months is not None:
        rows = rows.filter(month__gte=months[0], month__lt=months[1])
    if accounts is not None:
        rows = rows.filter(accounts.q())
    if clusters is not None:
        rows = rows.filter(cluster__in=list(clusters))
    if excluding is not None and not excluding.is_empty:
        rows = rows.exclude(excluding.q())
    sums = {name: Sum(name) for name in SUM_FIELDS}
    if group_by:
        result = list(rows.values(*group_by).annotate(**sums).order_by(*group_by))
    else:
        result = [rows.aggregate(**sums)]
    for row in result:
        for name in SUM_FIELDS:
            if row[name] is None:
                row[name] = 0
    return result


def usage_totals(*, year: int | None = None,
                 accounts: AccountSelection | None = None) -> UsageSums:
    """Grand totals of usage (one query): jobs, core-hours, GPU-hours, energy, wait."""
    return UsageSums.of(usage_sums(group_by=[], year=year, accounts=accounts)[0])


def usage_by_month(*, year: int, accounts: AccountSelection | None = None) -> list[dict]:
    """Usage of ``year`` per month (``month``: first day), all partitions together."""
    return usage_sums(group_by=["month"], year=year, accounts=accounts)


def usage_by_partition(*, year: int, accounts: AccountSelection | None = None) -> list[dict]:
    """Usage of ``year`` per (``cluster``, ``partition``)."""
    return usage_sums(group_by=["cluster", "partition"], year=year, accounts=accounts)


def usage_by_partition_and_month(*, year: int,
                                 accounts: AccountSelection | None = None) -> list[dict]:
    """Usage of ``year`` per (``cluster``, ``partition``, ``month``): what charts against
    grants need, since resources map to partitions."""
    return usage_sums(group_by=["cluster", "partition", "month"], year=year, accounts=accounts)


def usage_by_user(*, year: int, accounts: AccountSelection | None = None) -> list[dict]:
    """Usage of ``year`` per cluster login (``user``), most core-hours first."""
    rows = usage_sums(group_by=["user"], year=year, accounts=accounts)
    return sorted(rows, key=lambda row: (-row["core_hours"], -row["gpu_hours"], row["user"]))


def usage_by_state(*, year: int, accounts: AccountSelection | None = None) -> list[dict]:
    """Usage of ``year`` per job state (``COMPLETED``, ``FAILED``, …), most jobs first."""
    rows = usage_sums(group_by=["state"], year=year, accounts=accounts)
    return sorted(rows, key=lambda row: (-row["jobs"], row["state"]))


def usage_by_account(*, year: int | None = None,
                     excluding: AccountSelection | None = None) -> list[dict]:
    """Usage per (``cluster``, ``account``) over the whole centre, for ``year`` or all
    time, without the accounts of ``excluding``: what attributing accounts to projects
    needs."""
    return usage_sums(group_by=["cluster", "account"], year=year, excluding=excluding)


def accounts_seen() -> set[tuple[str, str]]:
    """Every ``(cluster, account)`` pair of the usage summaries, all years — one query,
    no sums."""
    return set(UsageSummary.objects.order_by().values_list("cluster", "account").distinct())


def usage_years(*, accounts: AccountSelection | None = None) -> list[int]:
    """The calendar years that have usage (for these accounts), in order — one query."""
    rows = UsageSummary.objects.all()
    if accounts is not None:
        rows = rows.filter(accounts.q())
    return sorted({day.year for day in rows.dates("month", "year")})


# --- Resources of the catalogue and the partitions they map to ---------------------------

#: Kinds of resource whose use is counted from job records, and the sum that counts it.
USAGE_KINDS = {ResourceKind.CPU: "core_hours", ResourceKind.GPU: "gpu_hours"}


def metered_resources() -> list[Resource]:
    """CPU and GPU resources mapped to a Slurm cluster or partition, in catalogue order
    (inactive ones too: past usage still counts against them) — one query."""
    return list(Resource.objects.filter(kind__in=list(USAGE_KINDS))
                .exclude(slurm_cluster="", slurm_partition="")
                .order_by("order", "kind", "name"))


def resource_matches(resource: Resource, *, cluster: str, partition: str) -> bool:
    """Whether usage on ``cluster``/``partition`` is use of ``resource``: a blank
    cluster (or partition) on the resource matches any."""
    if not resource.slurm_cluster and not resource.slurm_partition:
        return False
    return (resource.slurm_cluster in ("", cluster)
            and resource.slurm_partition in ("", partition))


def resources_for_partition(resources: Sequence[Resource], *, cluster: str,
                            partition: str) -> dict[str, Resource]:
    """The resource each usage kind counts against on ``cluster``/``partition``.

    Returns ``{"cpu": Resource, "gpu": Resource}`` with the kinds that have one: for
    each kind, the most specific match (cluster and partition both set, then the
    partition alone, then the cluster alone), ties going to catalogue order. Usage on
    a partition with no resource of a kind is "other" use of that kind.
    """
    found: dict[str, tuple[tuple[int, int], Resource]] = {}
    for position, resource in enumerate(resources):
        if resource.kind not in USAGE_KINDS or not resource_matches(
                resource, cluster=cluster, partition=partition):
            continue
        specificity = (2 if resource.slurm_partition else 0) + (1 if resource.slurm_cluster
                                                                 else 0)
        key = (-specificity, position)
        current = found.get(resource.kind)
        if current is None or key < current[0]:
            found[resource.kind] = (key, resource)
    return {kind: resource for kind, (_key, resource) in found.items()}


# --- Distributions of jobs, for the yearly reports ---------------------------------------

#: Job sizes (allocated CPUs) the reports count jobs by: (label, lowest, highest or None).
SIZE_BUCKETS = [("1", 0, 1), ("2–4", 2, 4), ("5–16", 5, 16), ("17–64", 17, 64),
                ("65–256", 65, 256), (_("over 256"), 257, None)]

#: Waits in the queue (start − submit, seconds) the reports count jobs by.
WAIT_BUCKETS = [(_("under 1 min"), 0, 60), (_("1 to 10 min"), 60, 600),
                (_("10 min to 1 h"), 600, 3600), (_("1 to 6 h"), 3600, 6 * 3600),
                (_("6 to 24 h"), 6 * 3600, 86400), (_("over 24 h"), 86400, None)]


def end_time_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The instants ``year`` begins and ends in the centre's time zone (``TIME_ZONE``):
    a job counts in the year of its end time there."""
    zone = timezone.get_default_timezone()
    return (dt.datetime(year, 1, 1, tzinfo=zone), dt.datetime(year + 1, 1, 1, tzinfo=zone))


def job_distributions(*, year: int, accounts: AccountSelection | None = None) -> dict:
    """Jobs of ``year`` by size and by wait — two grouped queries on the job records.

    The job table's ``(account, end_time)`` index serves a project's selection; the
    whole centre reads the year's jobs once per query.

    Returns ``{"size": [...], "wait": [...], "not_started": int}``: each list holds
    one dict per bucket of :data:`SIZE_BUCKETS` / :data:`WAIT_BUCKETS`, in order, with
    ``label``, ``jobs`` and ``core_hours``; ``not_started`` counts jobs that ended
    without starting (cancelled in the queue), which have no wait.
    """
    start, end = end_time_bounds(year)
    jobs = JobRecord.objects.filter(end_time__gte=start, end_time__lt=end)
    if accounts is not None:
        jobs = jobs.filter(accounts.q())

    def bucket_case(field_name: str, buckets) -> Case:
        whens = []
        for index, (_label, low, high) in enumerate(buckets):
            condition = {f"{field_name}__gte": low}
            if high is not None:
                # CPU buckets name their highest size; wait buckets end before ``high``.
                lookup = "lte" if field_name == "cpus" else "lt"
                condition[f"{field_name}__{lookup}"] = high
            whens.append(When(**condition, then=Value(index)))
        return Case(*whens, default=Value(0), output_field=IntegerField())

    def counted(queryset, buckets) -> list[dict]:
        found = {row["bucket"]: row for row in queryset.values("bucket").annotate(
            jobs=Count("pk"), core_hours=Sum("core_hours")).order_by("bucket")}
        return [{"label": str(label), "jobs": found.get(i, {}).get("jobs", 0),
                 "core_hours": found.get(i, {}).get("core_hours") or 0.0}
                for i, (label, _low, _high) in enumerate(buckets)]

    size = counted(jobs.annotate(bucket=bucket_case("cpus", SIZE_BUCKETS)), SIZE_BUCKETS)
    started = jobs.filter(start_time__isnull=False).annotate(wait=job_wait_seconds())
    wait = counted(started.annotate(bucket=bucket_case("wait", WAIT_BUCKETS)), WAIT_BUCKETS)
    total = sum(row["jobs"] for row in size)
    return {"size": size, "wait": wait,
            "not_started": total - sum(row["jobs"] for row in wait)}


def time_limit_use(*, year: int, accounts: AccountSelection | None = None) -> dict:
    """How much of their time limit the year's finished jobs used — one query.

    Returns ``{"jobs": n with a time limit, "under_10_percent": n that ran less than a
    tenth of it}``: a job asking for far more time than it needs is scheduled later
    and blocks backfill (Slurm's backfill scheduler plans on time limits).
    """
    start, end = end_time_bounds(year)
    jobs = JobRecord.objects.filter(end_time__gte=start, end_time__lt=end,
                                    time_limit_minutes__gt=0)
    if accounts is not None:
        jobs = jobs.filter(accounts.q())
    return jobs.aggregate(
        jobs=Count("pk"),
        under_10_percent=Count("pk", filter=Q(elapsed_seconds__lt=F("time_limit_minutes") * 6)),
    )
