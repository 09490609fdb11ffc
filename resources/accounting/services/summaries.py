"""Usage summaries: sums of job records by cluster, account, partition, user, month, state.

Kept up to date by every import (:func:`usage_summaries_add`, in the import's
transaction), so pages read small sums instead of scanning job records.
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Case, Count, DateField, Max, Min, Q, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from algoric.core.page_cache import content_changed

from ..models import AccountingImport, JobRecord, UsageSummary
from ..selectors import job_wait_seconds

#: The grouping of usage summaries.
SUMMARY_KEYS = ("cluster", "account", "partition", "user", "month", "state")
SUMMARY_SUMS = ("jobs", "core_hours", "gpu_hours", "energy_kwh_measured",
                "energy_kwh_estimated", "wait_seconds")


#: Beyond this many months between an import's first and last end time, the month
#: is computed row by row in SQL (slower on SQLite) rather than by comparisons.
MAX_MONTHS_COMPARED = 240


def month_of_end(first: datetime.datetime, last: datetime.datetime):
    """An expression of a job's month: the first day of the month of ``end_time`` in
    ``TIME_ZONE``, for end times between ``first`` and ``last`` (aware datetimes).

    Built as ``CASE WHEN end_time < <start of next local month, in UTC> THEN <month>
    …``: comparisons on the stored UTC times, exact across daylight saving time, and
    fast on SQLite, where a time zone conversion per row is a Python function call.
    Falls back to ``TruncMonth`` in the time zone beyond :data:`MAX_MONTHS_COMPARED`.
    """
    zone = timezone.get_default_timezone()
    month = timezone.localtime(first, zone).date().replace(day=1)
    final = timezone.localtime(last, zone).date().replace(day=1)
    whens = []
    while month < final and len(whens) <= MAX_MONTHS_COMPARED:
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        starts = datetime.datetime.combine(following, datetime.time(), tzinfo=zone)
        whens.append(When(end_time__lt=starts, then=Value(month)))
        month = following
    if len(whens) > MAX_MONTHS_COMPARED:
        return TruncMonth("end_time", tzinfo=zone, output_field=DateField())
    return Case(*whens, default=Value(final), output_field=DateField())


def usage_summaries_add(*, accounting_import: AccountingImport,
                        end_span: tuple[datetime.datetime, datetime.datetime] | None = None,
                        ) -> int:
    """Add the jobs ``accounting_import`` inserted to the usage summaries.

    Groups them by cluster, account, partition, user, state and month (the first day
    of the month of the end time in ``TIME_ZONE``: a job ending 2026-12-31 23:30 UTC
    counts in January 2027 in Europe/Paris), sums jobs, core-hours, GPU-hours,
    measured and estimated kWh and wait (start − submit, seconds; jobs that never
    started count 0), and adds the sums to the existing rows (``INSERT … ON CONFLICT
    DO UPDATE``, on PostgreSQL and SQLite alike). Run it once per import, in the
    import's transaction. ``end_span``: the earliest and latest end time of the
    file's jobs (aware datetimes), when known; else read from the jobs (on PostgreSQL
    that query may walk the end-time index). Returns the number of summary rows touched.
    """
    jobs = JobRecord.objects.filter(accounting_import=accounting_import)
    # The public statistics read the summaries: their pages are served again after commit.
    content_changed("usage")
    if end_span is None:
        span = jobs.aggregate(first=Min("end_time"), last=Max("end_time"))
        if span["first"] is None:
            return 0
        end_span = (span["first"], span["last"])
    groups = (
        jobs.annotate(month=month_of_end(*end_span))
        .values(*SUMMARY_KEYS)
        .annotate(
            jobs=Count("pk"),
            core_hours_sum=Sum("core_hours"),
            gpu_hours_sum=Sum("gpu_hours"),
            measured=Sum("energy_kwh", filter=Q(energy_method=JobRecord.EnergyMethod.MEASURED)),
            estimated=Sum("energy_kwh",
                          filter=Q(energy_method=JobRecord.EnergyMethod.ESTIMATED)),
            wait=Sum(job_wait_seconds()),
        )
        .order_by()
    )
    rows = [
        (group["cluster"], group["account"], group["partition"], group["user"], group["month"],
         group["state"], group["jobs"], group["core_hours_sum"] or 0.0,
         group["gpu_hours_sum"] or 0.0, group["measured"] or 0.0, group["estimated"] or 0.0,
         int(group["wait"] or 0))
        for group in groups
    ]
    if not rows:
        return 0
    quote = connection.ops.quote_name
    table = UsageSummary._meta.db_table
    columns = ", ".join(quote(name) for name in (*SUMMARY_KEYS, *SUMMARY_SUMS))
    updates = ", ".join(f"{quote(name)} = {table}.{quote(name)} + excluded.{quote(name)}"
                        for name in SUMMARY_SUMS)
    # Only identifiers of this module are formatted in; values go as parameters.
    sql = (f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * 12)}) "  # noqa: S608  # nosec B608
           f"ON CONFLICT ({', '.join(quote(name) for name in SUMMARY_KEYS)}) "
           f"DO UPDATE SET {updates}")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)
