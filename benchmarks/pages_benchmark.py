"""Pages that show usage, timed with 100,000 and then 10,000,000 jobs in PostgreSQL.

Issue 5, item 6: "aggregates that pages need must not scan all jobs on every request
[…] pages stay fast with 10 million jobs." The pages read the monthly usage summaries
that the import keeps up to date; this script shows it by timing the same pages, in the
same run, over a small and a large job table.

What runs:

1. The real Pozidriv trace (11,704 jobs, ``../shared/data/accounting/pozidriv.sacct.log``
   or ``$ALGORIC_SHARED_DATA/accounting/…``) is copied ``--jobs / 11,704`` times (855
   copies for 10 million): copy *k* has its job ids shifted by k × 10,000,000 and its
   times moved so that the copies end, evenly spread, from 1 January two years ago to
   last week — a large centre's last three years. The trace has 7 accounts and 18
   users; each account becomes ``--accounts`` accounts (default 20: ``calla00`` …
   ``calla19``) and each user ``--users`` users (default 40), the copy choosing which,
   so the tables hold 140 accounts and 720 users, like a real centre's.
2. A fresh PostgreSQL database is migrated. **Small**: about ``--small`` jobs (copies
   taken evenly over the whole period, so every month has some) are imported with
   ``manage.py import_accounting`` (the portal's own path, which keeps the summaries);
   organisations, one project per Slurm account (but ``--unmatched`` of them, left for
   staff to map) with grants for this year and last year, and a staff member with MFA
   are created; ``ANALYZE``; every page below is timed.
3. **Large**: the other copies are imported the same way, in files of at most
   1,000,000 lines, up to ``--jobs`` jobs in all; ``ANALYZE``; the same pages are timed
   again.
4. Per page and size: the median and the slowest of ``--rounds`` requests (after one
   untimed request), and the number of SQL queries. Requests go through Django's test
   client in this process (the whole middleware stack, templates, charts; no network),
   with ``DEBUG`` off. The public statistics are cached: they are timed with the cache
   emptied before each request (what the first visitor after expiry waits for) and
   from the cache.

Verdict per page: PASS when its median with the large table is under 1 s and at most
twice its median with the small one (plus 20 ms, the noise of a page of a few ms).

Usage::

    .venv/bin/python benchmarks/pages_benchmark.py                    # 100k, then 10M jobs
    .venv/bin/python benchmarks/pages_benchmark.py --jobs 1000000     # quick mode

Only a PostgreSQL server on 127.0.0.1 is used (``--database-url``, default
``postgres://postgres@127.0.0.1:5432/algoric_pages_bench``); the database is dropped
at the end unless ``--keep``. About 4 GB of disk for 10 million jobs.

Exit status: 0 when every page passes, 1 when one fails, 2 on a missing trace or a
refused database URL.
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
import report_benchmark as rb  # noqa: E402  (same folder: projects with grants)

REPO = Path(__file__).resolve().parents[1]
ID_SHIFT = ib.ID_SHIFT
#: Lines per imported file in the large step.
FILE_LINES = 1_000_000
#: Verdict: the large median must be under this many seconds …
TARGET_SECONDS = 1.0
#: … and at most this multiple of the small median plus ``NOISE_SECONDS``.
TARGET_RATIO = 2.0
NOISE_SECONDS = 0.020


# --- The files ------------------------------------------------------------------------------


def read_trace(trace: Path) -> list[list[str]]:
    """The trace's lines split into fields (``|``-separated, 26 fields)."""
    return [line.rstrip("\r\n").split("|") for line in trace.open(encoding="utf-8")
            if line.strip()]


def _end_bounds(rows: list[list[str]]) -> tuple[dt.datetime, dt.datetime]:
    ends = [dt.datetime.fromisoformat(fields[13]) for fields in rows if fields[13][:1].isdigit()]
    return min(ends), max(ends)


def copy_shifts(rows: list[list[str]], copies: int, today: dt.date) -> list[dt.timedelta]:
    """The time shift of each copy: copy 0's first end on 1 January two years before
    ``today``, the last copy's last end seven days before ``today``; evenly spread."""
    first_end, last_end = _end_bounds(rows)
    start = dt.datetime(today.year - 2, 1, 1, 12)
    stop = dt.datetime.combine(today - dt.timedelta(days=7), dt.time(12)) - (last_end - first_end)
    step = (stop - start) / max(copies - 1, 1)
    return [start - first_end + step * k for k in range(copies)]


def variant(copy: int, accounts: int, users: int) -> tuple[str, str]:
    """The suffixes of copy ``copy``'s accounts and users: account variant
    ``copy % accounts``, user variant ``(copy // accounts) % users``, two digits each,
    so that every (account, user) pair of variants occurs."""
    return f"{copy % accounts:02d}", f"{(copy // accounts) % users:02d}"


def write_copies(rows: list[list[str]], copies: list[int], shifts: list[dt.timedelta],
                 target: Path, accounts: int = 1, users: int = 1) -> int:
    """Write the given copies of the trace to ``target``, each trace account and user
    suffixed by the copy's :func:`variant` when ``accounts`` / ``users`` > 1; returns the
    lines written."""
    written = 0
    with target.open("w", encoding="utf-8", newline="\n") as out:
        for copy in copies:
            shift = shifts[copy]
            account_suffix, user_suffix = variant(copy, accounts, users)
            chunk = []
            for fields in rows:
                fields = ib.shifted_fields(fields, copy * ID_SHIFT, shift)
                if accounts > 1:
                    fields[5] += account_suffix  # Account
                if users > 1:
                    fields[8] += user_suffix  # User
                chunk.append("|".join(fields))
            out.write("\n".join(chunk) + "\n")
            written += len(chunk)
    return written


def split_copies(total: int, small: int) -> tuple[list[int], list[int]]:
    """Copies of the small step (``small`` of them, evenly over ``range(total)``) and
    the others."""
    chosen = sorted({round(i * (total - 1) / max(small - 1, 1)) for i in range(small)})
    taken = set(chosen)
    return chosen, [k for k in range(total) if k not in taken]


# --- The portal -----------------------------------------------------------------------------


def setup_django(url: str) -> None:
    os.environ.update(ib.django_env(url))
    os.environ["DJANGO_DEBUG"] = "false"
    sys.path.insert(0, str(REPO))
    import logging
    import warnings

    import django

    django.setup()
    # The audit trail logs every sign-in of the test client; the static folder is not
    # collected here. Neither is what is measured.
    for logger in ("algoric", "algoric.security", "algoric.audit"):
        logging.getLogger(logger).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message="No directory at")


def import_file(path: Path) -> float:
    """``manage.py import_accounting`` on ``path``; seconds."""
    from django.core.management import call_command

    began = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("import_accounting", str(path), "--format", "sacct",
                     "--cluster", "pozidriv", stdout=quiet)
    return time.perf_counter() - began


def all_accounts(rows: list[list[str]], copies: int, accounts: int, users: int) -> list[str]:
    """Every Slurm account the files will hold, in name order."""
    names = {fields[5] for fields in rows}
    suffixes = {variant(copy, accounts, users)[0] if accounts > 1 else ""
                for copy in range(copies)}
    return sorted(name + suffix for name in names for suffix in suffixes)


def create_portal(year: int, accounts: list[str], unmatched: int) -> dict:
    """Organisations of every kind, one active project per Slurm account of
    ``accounts`` (but the last ``unmatched``, left for staff to map) with CPU grants for
    ``year`` and the year before, a PI each, and a staff member with MFA. Returns the
    users and the project with the most jobs in the table now."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.db.models import Count

    from members.models import OrganisationMember, User
    from projects.models import Project
    from resources.models import JobRecord

    accounts = accounts[:max(len(accounts) - unmatched, 1)]
    cpu = rb.cpu_resource("pozidriv")
    pis = {}
    for index, account in enumerate(accounts):
        user, project = rb.create_account_project(
            index, account, cpu, years=[year - 1, year], starts_on=dt.date(year - 2, 1, 1),
            ends_on=dt.date(year + 1, 12, 31))
        OrganisationMember.objects.create(organisation=project.organisation, user=user,
                                          role="representative")
        pis[account] = user
    staff = User.objects.create_user(email="staff@bench.invalid", password=None,
                                     first_name="Staff", last_name="Bench", is_staff=True)
    TOTP.activate(staff, generate_totp_secret())
    biggest = (JobRecord.objects.filter(account__in=accounts).values("account")
               .annotate(n=Count("pk")).order_by("-n").first()["account"])
    return {"staff": staff, "pi": pis[biggest],
            "project": Project.objects.get(slurm_account=biggest)}


def pages(portal: dict, year: int) -> list[tuple[str, str, object, bool]]:
    """(label, URL, user or None, empty the cache first) for every timed page."""
    from django.urls import reverse

    project = portal["project"]
    staff, pi = portal["staff"], portal["pi"]
    usage = reverse("projects:project_usage", args=[project.pk])
    return [
        ("home (public)", reverse("pages:home"), None, False),
        ("statistics, cache emptied (public)", reverse("projects:public_statistics"), None, True),
        ("statistics, cached (public)", reverse("projects:public_statistics"), None, False),
        ("hardware (public)", reverse("resources:hardware"), None, False),
        ("project usage, this year (PI)", usage, pi, False),
        ("project usage, last year (PI)", f"{usage}?year={year - 1}", pi, False),
        ("project page (PI)", reverse("projects:project_detail", args=[project.pk]), pi, False),
        ("usage dashboard, this year (staff)", reverse("projects:staff_usage_dashboard"), staff,
         False),
        ("usage dashboard, last year (staff)",
         f"{reverse('projects:staff_usage_dashboard')}?year={year - 1}", staff, False),
        ("unmatched accounts (staff)", reverse("projects:staff_unmatched_accounts"), staff, False),
        ("accounting imports (staff)", reverse("resources:accounting:list"), staff, False),
        ("staff dashboard (staff)", reverse("members:staff_dashboard"), staff, False),
    ]


def time_pages(portal: dict, year: int, rounds: int) -> dict[str, dict]:
    """Each page: one untimed request, then ``rounds`` timed ones. Returns, per label,
    ``{"median": s, "max": s, "queries": n, "status": code}``. Raises ``RuntimeError``
    when a page does not answer 200."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    results = {}
    for label, url, user, cold in pages(portal, year):
        client = Client(HTTP_HOST="127.0.0.1")
        if user is not None:
            client.force_login(user)
        if cold:
            cache.clear()
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{label}: {url} answered {response.status_code}")
        seconds = []
        for _ in range(rounds):
            if cold:
                cache.clear()
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                response = client.get(url)
                seconds.append(time.perf_counter() - began)
        results[label] = {"median": statistics.median(seconds), "max": max(seconds),
                          "queries": len(queries), "status": response.status_code,
                          "url": url}
    return results


def job_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM resources_jobrecord")
        return cursor.fetchone()[0]


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def summary_rows() -> int:
    from resources.models import UsageSummary

    return UsageSummary.objects.count()


def people() -> str:
    """How many accounts and users the summaries hold, as text."""
    from resources.models import UsageSummary

    summaries = UsageSummary.objects.order_by()
    return (f"{summaries.values('account').distinct().count()} accounts, "
            f"{summaries.values('user').distinct().count()} users")


# --- Run ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=10_000_000,
                        help="jobs in the large step (default 10,000,000)")
    parser.add_argument("--small", type=int, default=100_000,
                        help="jobs in the small step (default 100,000)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--accounts", type=int, default=20,
                        help="each account of the trace becomes this many (default 20)")
    parser.add_argument("--users", type=int, default=40,
                        help="each user of the trace becomes this many (default 40)")
    parser.add_argument("--unmatched", type=int, default=10,
                        help="accounts left without a project (default 10)")
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/algoric_pages_bench"))
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    name = ib.check_local(args.database_url)
    trace = ib.find_trace()
    url = ib.database_url(args.database_url, name)
    rows = read_trace(trace)
    total_copies = max(args.jobs // len(rows), 2)
    small_copies, large_copies = split_copies(total_copies, max(args.small // len(rows), 1))
    today = dt.date.today()
    shifts = copy_shifts(rows, total_copies, today)
    results = {"machine": f"{platform.processor() or platform.machine()}, "
                          f"{os.cpu_count()} cores", "trace_jobs": len(rows)}
    with tempfile.TemporaryDirectory(prefix="pages-bench-") as tmp:
        try:
            ib.fresh_database(args.database_url, name)
            setup_django(url)
            from django.utils import timezone

            year = timezone.localdate().year
            path = Path(tmp) / "small.sacct"
            lines = write_copies(rows, small_copies, shifts, path, args.accounts, args.users)
            print(f"small: {lines:,} lines, import {import_file(path):.1f} s", flush=True)
            path.unlink()
            portal = create_portal(
                year, all_accounts(rows, total_copies, args.accounts, args.users),
                args.unmatched)
            analyze()
            small = {"jobs": job_count(), "summary_rows": summary_rows(), "people": people(),
                     "pages": time_pages(portal, year, args.rounds)}
            print(f"small: {small['jobs']:,} jobs, {small['summary_rows']:,} summary rows, "
                  "pages timed", flush=True)
            per_file = max(FILE_LINES // len(rows), 1)
            for start in range(0, len(large_copies), per_file):
                path = Path(tmp) / f"large-{start}.sacct"
                began = time.perf_counter()
                lines = write_copies(rows, large_copies[start:start + per_file], shifts, path,
                                     args.accounts, args.users)
                built = time.perf_counter() - began
                print(f"large: file {start // per_file + 1}, {lines:,} lines "
                      f"(built {built:.0f} s), import {import_file(path):.1f} s", flush=True)
                path.unlink()
            analyze()
            large = {"jobs": job_count(), "summary_rows": summary_rows(), "people": people(),
                     "pages": time_pages(portal, year, args.rounds)}
            results.update(small=small, large=large, rounds=args.rounds)
        finally:
            if not args.keep:
                rb.drop_database_after_django(args.database_url, name)
    return report(results, args.json)


def report(results: dict, json_path: str | None) -> int:
    """Print the table and the verdicts; 0 when every page passes."""
    small, large = results["small"], results["large"]
    print()
    print(f"machine: {results['machine']}; median of {results['rounds']} requests per page")
    for name, step in (("small", small), ("large", large)):
        print(f"{name}: {step['jobs']:,} jobs, {step['people']}, "
              f"{step['summary_rows']:,} summary rows")
    print()
    print(f"| page | {small['jobs']:,} jobs (ms) | {large['jobs']:,} jobs (ms) | "
          "slowest (ms) | SQL queries | verdict |")
    print("|---|---:|---:|---:|---:|---|")
    passed = True
    for label, before in small["pages"].items():
        after = large["pages"][label]
        ok = (after["median"] < TARGET_SECONDS
              and after["median"] <= TARGET_RATIO * before["median"] + NOISE_SECONDS)
        passed &= ok
        print(f"| {label} | {before['median'] * 1000:.1f} | {after['median'] * 1000:.1f} | "
              f"{after['max'] * 1000:.1f} | {before['queries']} → {after['queries']} | "
              f"{'PASS' if ok else 'FAIL'} |")
    print()
    print(f"{'PASS' if passed else 'FAIL'}  every page under {TARGET_SECONDS:.0f} s with "
          f"{large['jobs']:,} jobs and at most {TARGET_RATIO:.0f}× "
          f"(+{NOISE_SECONDS * 1000:.0f} ms) its time with {small['jobs']:,}")
    if json_path:
        Path(json_path).write_text(json.dumps(results, indent=2, default=str))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
