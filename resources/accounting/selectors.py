"""Reads of the accounting: earlier imports of a file, shifted traces, the energy
figures an import applies, where the next collection starts, the pages' lists, and
the wait-time expression.

Shared by the accounting services, their views and the usage selectors
(:mod:`resources.selectors.usage`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import connection
from django.db.models import Count, FloatField, Max, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone

from ..models import AccountingImport, Cluster, JobRecord, Resource, ResourceKind
from ..selectors.estimates import energy_per_unit_kwh
from .parsing.fields import Power


def duplicate_of(sha256: str, *, time_shift: datetime.timedelta | None = None,
                 ) -> AccountingImport | None:
    """The earliest import of the same file (same SHA-256, 64 hex digits) that did not
    fail, or ``None``. With ``time_shift``, only an import with that shift (the same
    file moved by another shift is another import)."""
    imports = AccountingImport.objects.filter(sha256=sha256)
    if time_shift is not None:
        imports = imports.filter(time_shift=time_shift)
    return (imports.exclude(status=AccountingImport.Status.FAILED)
            .order_by("created_at").first())


def imports_newest_first() -> QuerySet[AccountingImport]:
    """Every import with the user who sent it, newest first (the staff list)."""
    return AccountingImport.objects.select_related("created_by").order_by("-created_at", "-pk")


def clusters_with_imports() -> QuerySet[Cluster]:
    """The clusters by name, each annotated with ``last_import_at`` (when its latest
    import was created, or ``None``) and ``import_count`` (``None`` for none)."""
    last_import = (AccountingImport.objects.filter(cluster=OuterRef("name"))
                   .order_by("-created_at").values("created_at")[:1])
    clusters = Cluster.objects.annotate(last_import_at=Subquery(last_import)).order_by("name")
    import_count = (AccountingImport.objects.filter(cluster=OuterRef("name")).order_by()
                    .values("cluster").annotate(n=Count("pk")).values("n"))
    return clusters.annotate(import_count=Subquery(import_count))


def shifted_imports() -> list[dict]:
    """The finished imports whose jobs were moved in time (real traces replayed for a
    demonstration), so pages can say where their figures come from.

    Reads the import rows only, never the jobs. Returns, oldest import first,
    ``[{"cluster": str, "file_name": str, "shift_days": int, "first_end": datetime |
    None, "last_end": datetime | None}]``. ``shift_days``: the shift in days,
    negative for a move back (a float when it is not a whole number of days);
    ``first_end``, ``last_end``: the earliest and latest end time of the file's jobs
    once shifted (aware, UTC; ``None`` when the import kept no job).
    """
    day = datetime.timedelta(days=1)
    rows = (AccountingImport.objects
            .filter(status__in=[AccountingImport.Status.DONE,
                                AccountingImport.Status.DONE_WITH_ERRORS])
            .exclude(time_shift=datetime.timedelta(0))
            .order_by("created_at", "pk")
            .values("cluster", "file_name", "time_shift", "first_end", "last_end"))
    found = []
    for row in rows:
        days = row["time_shift"] / day
        found.append({"cluster": row["cluster"], "file_name": row["file_name"],
                      "shift_days": int(days) if days == int(days) else days,
                      "first_end": row["first_end"], "last_end": row["last_end"]})
    return found


#: How far before the last collected end time the next collection starts: a job whose
#: record reaches slurmdbd late is still picked up; the jobs seen twice are skipped.
OVERLAP = datetime.timedelta(hours=1)

def collect_since(*, cluster: Cluster) -> datetime.datetime:
    """Where the next collection of ``cluster`` starts (aware, UTC).

    The latest end time of the cluster's job records less :data:`OVERLAP`; with
    no job record, the 1st of January of this year (the centre's time zone).
    """
    last_end = JobRecord.objects.filter(cluster=cluster.name).aggregate(
        last=Max("end_time"))["last"]
    if last_end is not None:
        return (last_end - OVERLAP).astimezone(datetime.UTC)
    start = datetime.datetime(timezone.localdate().year, 1, 1)
    return timezone.make_aware(start).astimezone(datetime.UTC)


def power_by_partition(cluster: str) -> Callable[[str], Power | None]:
    """The energy figures of each partition of ``cluster``, from the resource catalogue.

    A resource maps to a partition through ``slurm_cluster`` (case-insensitive) and
    ``slurm_partition``; one with an empty partition stands for the cluster's
    partitions that have no resource of their own. A CPU resource gives the kWh per
    core-hour and a GPU resource the kWh per GPU-hour (``estimates.energy_per_unit_kwh``:
    Green Algorithms, PUE included). Memory counts as the catalogue's memory per
    core × the job's cores, not the job's own allocation (``mem=`` in AllocTRES):
    that keeps a job's estimate equal to the figure per core-hour shown on the
    hardware page and used for the grant (so used and granted energy compare),
    and it works the same for SWF traces, which carry no allocation. Returns a
    function of the partition name, ``None`` when no resource has a power figure.
    """
    figures: dict[str, list] = {}
    for resource in Resource.objects.filter(slurm_cluster__iexact=cluster).order_by(
            "order", "pk"):
        per_unit = energy_per_unit_kwh(resource)
        if per_unit is None:
            continue
        entry = figures.setdefault(resource.slurm_partition.strip(), [None, None])
        slot = 0 if resource.kind == ResourceKind.CPU else 1
        if entry[slot] is None:
            entry[slot] = float(per_unit)
    powers = {name: Power(kwh_per_core_hour=core or 0.0, kwh_per_gpu_hour=gpu or 0.0)
              for name, (core, gpu) in figures.items()}
    default = powers.get("")

    def power(partition: str) -> Power | None:
        return powers.get(partition, default)

    return power


def import_submit_spans(*, accounting_import: AccountingImport) -> list | None:
    """The submit-time spans of the jobs other imports stored for the import's cluster
    (``[(first, last)]``, aware; ``(None, None)`` for an import whose span is not
    known), for the writer's direct COPY; ``None`` (never COPY straight into the job
    table) when the cluster has job records that belong to no import, or off PostgreSQL.

    Read inside the import's transaction, once the cluster's import lock is held
    (``services.imports``): the imports of one cluster are serialised, so no other job
    of the cluster can appear meanwhile.
    """
    if connection.vendor != "postgresql":
        return None
    if JobRecord.objects.filter(accounting_import__isnull=True,
                                cluster=accounting_import.cluster).exists():
        return None
    return list(
        AccountingImport.objects.filter(
            cluster=accounting_import.cluster, jobs_added__gt=0,
            status__in=[AccountingImport.Status.DONE, AccountingImport.Status.DONE_WITH_ERRORS])
        .exclude(pk=accounting_import.pk)
        .values_list("first_submit", "last_submit"))


def job_wait_seconds() -> RawSQL:
    """An expression of a job record's wait: start − submit in whole seconds, NULL when
    it never started (for ``annotate`` or ``Sum`` on job records)."""
    if connection.vendor == "postgresql":
        sql = "EXTRACT(EPOCH FROM (start_time - submit_time))"
    else:  # SQLite stores UTC text; strftime('%s') is seconds since the epoch
        sql = ("CAST(strftime('%%s', start_time) AS INTEGER) "
               "- CAST(strftime('%%s', submit_time) AS INTEGER)")
    return RawSQL(sql, [], output_field=FloatField())  # noqa: S611  # nosec B611
