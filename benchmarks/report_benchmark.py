"""Time the yearly usage reports over 1,000,000 jobs in PostgreSQL, against the bare SQL.

Issue 6, item 8 ("Speed"): all three formats of the centre report in under 10 s on the
2-core machine, and within 3× the bare SQL aggregate queries the report needs, measured
in the same run.

What runs:

1. A sacct file of ``--lines`` lines (default 1,000,000) is built from the real Pozidriv
   trace (11,704 jobs): copy *k* has its job ids shifted by k × 10,000,000 and its
   times moved by k × 4 days + 2 days, so the jobs of the 86 copies end all through
   one year (``REPORT_YEAR``) instead of in the trace's three days.
2. A fresh PostgreSQL database is migrated; the file is imported with
   ``manage.py import_accounting`` (the portal's own path, which also keeps the usage
   summaries); organisations of every kind and one project per Slurm account of the
   trace, with CPU grants, are created.
3. Timed, in one process, three rounds each (the best round is kept):

   - **bare SQL**: the aggregates the centre report shows, computed straight from the
     job table with psycopg — totals, by month (Europe/Paris), by account, by
     account and user, by state, by size, by wait, and last year's totals by account;
   - **centre report**: building its content (French) and writing the PDF, the XLSX
     workbook and the CSV archive;
   - **project report**: the same for the project with the most jobs.

Usage::

    .venv/bin/python benchmarks/report_benchmark.py                  # 1,000,000 jobs
    .venv/bin/python benchmarks/report_benchmark.py --lines 100000   # quick mode

Only a PostgreSQL server on 127.0.0.1 is used (``--database-url``, default
``postgres://postgres@127.0.0.1:5432/algoric_report_bench``); the database is dropped at
the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import import_benchmark as ib  # noqa: E402  (same folder: trace, databases, migrate)

REPO = Path(__file__).resolve().parents[1]
REPORT_YEAR = 2017
#: Job ids and times of copy k move by k × these.
ID_SHIFT = 10_000_000
DAYS_SHIFT = 4
#: Targets of issue 6, item 8.
TARGET_SECONDS = 10.0
TARGET_RATIO = 3.0
ROUNDS = 3

#: The aggregates the centre report shows, straight from the job table (bare SQL).
BARE_QUERIES = {
    "totals": """
        SELECT count(*), sum(core_hours), sum(gpu_hours),
               sum(energy_kwh) FILTER (WHERE energy_method = 'measured'),
               sum(energy_kwh) FILTER (WHERE energy_method = 'estimated')
        FROM resources_jobrecord WHERE end_time >= %(start)s AND end_time < %(end)s""",
    "by month": """
        SELECT date_trunc('month', end_time AT TIME ZONE 'Europe/Paris') AS month,
               count(*), sum(core_hours), sum(gpu_hours), sum(energy_kwh)
        FROM resources_jobrecord WHERE end_time >= %(start)s AND end_time < %(end)s
        GROUP BY 1 ORDER BY 1""",
    "by account": """
        SELECT cluster, account, count(*), sum(core_hours), sum(gpu_hours), sum(energy_kwh)
        FROM resources_jobrecord WHERE end_time >= %(start)s AND end_time < %(end)s
        GROUP BY 1, 2""",
    "by account and user": """
        SELECT cluster, account, "user", count(*), sum(core_hours), sum(gpu_hours)
        FROM resources_jobrecord WHERE end_time >= %(start)s AND end_time < %(end)s
        GROUP BY 1, 2, 3""",
    "by state": """
        SELECT state, count(*), sum(core_hours)
        FROM resources_jobrecord WHERE end_time >= %(start)s AND end_time < %(end)s
        GROUP BY 1""",
    "by size": """
        SELECT width_bucket(cpus, ARRAY[2, 5, 17, 65, 257]), count(*), sum(core_hours)
        FROM resources_jobrecord WHERE end_time >= %(start)s AND end_time < %(end)s
        GROUP BY 1""",
    "by wait": """
        SELECT width_bucket(EXTRACT(EPOCH FROM start_time - submit_time),
                            ARRAY[60, 600, 3600, 21600, 86400]::float8[]), count(*)
        FROM resources_jobrecord WHERE end_time >= %(start)s AND end_time < %(end)s
              AND start_time IS NOT NULL
        GROUP BY 1""",
    "last year by account": """
        SELECT cluster, account, count(*), sum(core_hours), sum(gpu_hours)
        FROM resources_jobrecord WHERE end_time >= %(previous)s AND end_time < %(start)s
        GROUP BY 1, 2""",
}


def build_spread_file(trace: Path, target: Path, lines: int) -> int:
    """Write ``lines`` lines: copies of ``trace`` with shifted ids and times (see the
    module docstring). Returns the number of lines written."""
    rows = [line.rstrip("\r\n").split("|") for line in trace.open(encoding="utf-8")
            if line.strip()]
    written, copy = 0, 0
    with target.open("w", encoding="utf-8", newline="\n") as out:
        while written < lines:
            shift = dt.timedelta(days=copy * DAYS_SHIFT + 2)
            chunk = []
            for fields in rows[: lines - written]:
                chunk.append("|".join(ib.shifted_fields(fields, copy * ID_SHIFT, shift)))
            out.write("\n".join(chunk) + "\n")
            written += len(chunk)
            copy += 1
    return written


def drop_database_after_django(url: str, name: str) -> None:
    """Close this process's Django connections (when Django is set up), then drop
    database ``name`` of the server of ``url``."""
    from django.conf import settings

    if settings.configured:
        from django.db import connections

        connections.close_all()
    ib.drop_database(url, name)


def setup_django(url: str) -> None:
    os.environ.update(ib.django_env(url))
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def create_account_project(index: int, account: str, resource, *, years: list[int],
                           starts_on: dt.date, ends_on: dt.date):
    """One active project for Slurm account ``account``: its organisation (kinds taken
    in turn by ``index``), its PI, and a grant of 1,000,000 core-hours on ``resource``
    for each of ``years``. Returns ``(pi, project)``."""
    from decimal import Decimal

    from members.models import Organisation, OrganisationKind, User
    from projects.models import Allocation, Project, ProjectMember

    kinds = OrganisationKind.values
    kind = kinds[index % len(kinds)]
    user = User.objects.create_user(email=f"pi-{index}@bench.invalid", password=None,
                                    first_name="PI", last_name=account)
    organisation = Organisation.objects.create(
        kind=kind, name=f"Organisation {index}", address="1 rue du Port",
        postal_code="56400", city="Auray", contact_email=f"org{index}@bench.invalid",
        siret=f"{73282932000000 + index:014d}" if kind == "sme" else "",
        research_code="UMR6523" if kind == "lab" else "")
    project = Project.objects.create(
        title=f"Project {account}", acronym=account.upper()[:30], summary="Benchmark.",
        field="physics", organisation=organisation, starts_on=starts_on, ends_on=ends_on,
        slurm_account=account, status="active", created_by=user)
    ProjectMember.objects.create(project=project, user=user, role="pi")
    for year in years:
        Allocation.objects.create(project=project, resource=resource, year=year,
                                  amount=Decimal(1_000_000), starts_on=dt.date(year, 1, 1),
                                  ends_on=dt.date(year, 12, 31))
    return user, project


def cpu_resource(cluster: str):
    """The CPU resource of the catalogue on ``cluster`` (50 M core-hours a year)."""
    from decimal import Decimal

    from resources.models import Resource

    return Resource.objects.create(name="CPU", kind="cpu", capacity_per_year=Decimal(50_000_000),
                                   slurm_cluster=cluster, watts_per_core=Decimal(12),
                                   memory_gb_per_core=Decimal(4))


def create_projects() -> list[str]:
    """One project per Slurm account seen, over organisations of every kind; a CPU
    resource on the trace's cluster and a grant per project. Returns the accounts."""
    from resources.models import JobRecord

    accounts = list(JobRecord.objects.order_by().values_list("account", flat=True).distinct())
    cpu = cpu_resource(JobRecord.objects.values_list("cluster", flat=True).first())
    for index, account in enumerate(sorted(accounts)):
        create_account_project(index, account, cpu, years=[REPORT_YEAR],
                               starts_on=dt.date(REPORT_YEAR - 1, 1, 1),
                               ends_on=dt.date(REPORT_YEAR + 1, 12, 31))
    return accounts


def time_bare(connection) -> tuple[float, dict[str, float]]:
    """One round of the bare queries; total seconds and seconds per query."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Paris")
    params = {"start": dt.datetime(REPORT_YEAR, 1, 1, tzinfo=zone),
              "end": dt.datetime(REPORT_YEAR + 1, 1, 1, tzinfo=zone),
              "previous": dt.datetime(REPORT_YEAR - 1, 1, 1, tzinfo=zone)}
    each = {}
    with connection.cursor() as cursor:
        for name, sql in BARE_QUERIES.items():
            began = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            each[name] = time.perf_counter() - began
    return sum(each.values()), each


def time_report(build, language: str = "fr") -> dict[str, float]:
    """One round of a report: content, then each format; seconds per step and total."""
    from projects.reports import render

    steps = {}
    began = time.perf_counter()
    content = build(language)
    steps["content"] = time.perf_counter() - began
    sizes = {}
    for name, function in (("pdf", render.render_pdf), ("xlsx", render.render_xlsx),
                           ("csv", render.render_csv_zip)):
        began = time.perf_counter()
        sizes[name] = len(function(content))
        steps[name] = time.perf_counter() - began
    steps["total"] = sum(steps.values())
    steps["sizes"] = sizes
    return steps


def best(rounds: list[dict]) -> dict:
    return min(rounds, key=lambda r: r["total"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/algoric_report_bench"))
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    name = ib.check_local(args.database_url)
    trace = ib.find_trace()
    url = ib.database_url(args.database_url, name)
    with tempfile.TemporaryDirectory(prefix="report-bench-") as tmp:
        path = Path(tmp) / "spread.sacct"
        began = time.perf_counter()
        lines = build_spread_file(trace, path, args.lines)
        print(f"file: {lines:,} lines in {time.perf_counter() - began:.1f} s", flush=True)
        try:
            ib.fresh_database(args.database_url, name)
            setup_django(url)
            from django.core.management import call_command
            from django.db import connection

            began = time.perf_counter()
            with open(os.devnull, "w") as quiet:
                call_command("import_accounting", str(path), "--format", "sacct",
                             "--cluster", "pozidriv", stdout=quiet)
            print(f"import: {time.perf_counter() - began:.1f} s", flush=True)
            accounts = create_projects()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            return measure(accounts, lines, args.json)
        finally:
            if not args.keep:
                drop_database_after_django(args.database_url, name)


def measure(accounts: list[str], lines: int, json_path: str | None) -> int:
    from django.db import connection
    from django.db.models import Count

    from projects.models import Project
    from projects.reports.centre import centre_report_content
    from projects.reports.project import project_report_content
    from resources.models import JobRecord

    jobs_in_year = JobRecord.objects.filter(end_time__year=REPORT_YEAR).count()
    biggest = (JobRecord.objects.values("account").annotate(n=Count("pk")).order_by("-n")
               .first()["account"])
    project = Project.objects.select_related("organisation").get(slurm_account=biggest)
    project_jobs = JobRecord.objects.filter(account=biggest, end_time__year=REPORT_YEAR).count()

    bare_rounds = [time_bare(connection) for _ in range(ROUNDS)]
    bare_total, bare_each = min(bare_rounds, key=lambda r: r[0])
    centre = best([time_report(lambda lang: centre_report_content(year=REPORT_YEAR,
                                                                  language=lang))
                   for _ in range(ROUNDS)])
    project_report = best([time_report(lambda lang: project_report_content(
        project=project, year=REPORT_YEAR, language=lang)) for _ in range(ROUNDS)])
    centre_en = time_report(lambda lang: centre_report_content(year=REPORT_YEAR, language=lang),
                            language="en")

    ratio = centre["total"] / bare_total if bare_total else float("inf")
    print()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"{lines:,} jobs imported, {jobs_in_year:,} ending in {REPORT_YEAR}; "
          f"{len(accounts)} projects; best of {ROUNDS} rounds")
    print()
    print("| step | bare SQL (s) | centre report (s) | project report (s) |")
    print("|---|---:|---:|---:|")
    print(f"| aggregates / content | {bare_total:.3f} | {centre['content']:.3f} | "
          f"{project_report['content']:.3f} |")
    for step in ("pdf", "xlsx", "csv"):
        print(f"| {step.upper()} | | {centre[step]:.3f} | {project_report[step]:.3f} |")
    print(f"| **total** | **{bare_total:.3f}** | **{centre['total']:.3f}** | "
          f"**{project_report['total']:.3f}** |")
    print()
    print("bare queries (s): " + ", ".join(f"{k} {v:.3f}" for k, v in bare_each.items()))
    print(f"project report: {project.acronym}, {project_jobs:,} jobs in {REPORT_YEAR}")
    print(f"centre report in English, three formats: {centre_en['total']:.3f} s")
    print(f"file sizes (bytes): centre {centre['sizes']}, project {project_report['sizes']}")
    print()
    verdicts = [
        (f"centre report, three formats < {TARGET_SECONDS:.0f} s", centre["total"] < TARGET_SECONDS,
         f"{centre['total']:.2f} s"),
        (f"centre report ≤ {TARGET_RATIO:.0f} × bare SQL", ratio <= TARGET_RATIO,
         f"{ratio:.2f} ×"),
    ]
    for label, ok, figure in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}  {label}: {figure}")
    if json_path:
        Path(json_path).write_text(json.dumps({
            "lines": lines, "jobs_in_year": jobs_in_year, "bare": bare_each,
            "bare_total": bare_total, "centre": centre, "project": project_report,
            "centre_en_total": centre_en["total"], "ratio": ratio,
            "median_bare": statistics.median(r[0] for r in bare_rounds)}, indent=2))
    return 0 if all(ok for _l, ok, _f in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
