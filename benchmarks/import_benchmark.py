"""Accounting import benchmark: the real importer against bare PostgreSQL, same rows.

Run from the repository root::

    .venv/bin/python benchmarks/import_benchmark.py                  # 1,000,000 lines
    .venv/bin/python benchmarks/import_benchmark.py --lines 100000   # quick mode
    .venv/bin/python benchmarks/import_benchmark.py --profile        # cProfile, 100,000 lines

What it does (see benchmarks/README.md and docs/benchmarks.md):

1. Builds a sacct file of ``--lines`` lines in a temporary directory (deleted at the
   end) by repeating the real trace ``../shared/data/accounting/pozidriv.sacct.log``
   (or ``$ALGORIC_SHARED_DATA/accounting/…``); copy ``k`` has its JobID and JobIDRaw
   shifted by ``k × 10,000,000`` (``123_7`` → ``<123 + shift>_7``), so every line is a
   distinct job. The file is written one copy of the trace at a time.
2. Importer: a fresh database (dropped first if it exists), ``manage.py migrate``,
   then a child process (Django set up with ``DJANGO_SETTINGS_MODULE=
   algoric.settings.local`` and ``DATABASE_URL`` pointing at that database) times
   ``sha256_of`` + ``accounting_import_create`` + ``accounting_import_run`` from
   opening the file to the import marked done (usage summaries and commit
   included), and reports its own peak RSS (``getrusage(RUSAGE_SELF).ru_maxrss``)
   and its RSS growth over the run.
3. Baseline: a second fresh database migrated the same way; the same rows (the
   importer's own parser turns the file into PostgreSQL ``COPY`` text *before*
   timing starts) are loaded by bare SQL: a temporary staging table with the job
   table's columns and types, one ``COPY … FROM STDIN`` of the prepared text, then
   ``INSERT INTO resources_jobrecord … SELECT … FROM staging ON CONFLICT (cluster,
   job_id_raw, submit_time) DO NOTHING`` into the real table (its unique
   constraint, indexes and foreign key), and the commit. That is timed.
4. Memory flatness: the importer again on ``--memory-lines`` lines (default a
   quarter of ``--lines``) in a fresh database; both peaks are reported.
5. Prints the figures and PASS/FAIL against the targets of issue 5 (≥ 100,000 jobs/s
   end to end, ≥ 50 % of the baseline's rate, peak memory < 300 MB), drops the
   databases. Only a PostgreSQL on 127.0.0.1 / localhost is accepted.

Exit status: 0 when the runs completed (whatever the verdict), 1 on a missing trace or
a refused database URL, 2 when a step failed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
TRACE = Path("accounting") / "pozidriv.sacct.log"
SETTINGS = "algoric.settings.local"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/algoric_bench"
CLUSTER = "bench"
#: JobID / JobIDRaw shift between two copies of the trace (its ids are below 1.1 million).
ID_SHIFT = 10_000_000
#: Targets of issue 5, item 6.
TARGET_JOBS_PER_SECOND = 100_000
TARGET_BASELINE_FRACTION = 0.5
TARGET_PEAK_MB = 300
#: Bounds on the child processes and on migrate, seconds.
CHILD_TIMEOUT = 3600
MIGRATE_TIMEOUT = 600
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


# --- The file ---------------------------------------------------------------------------------


def find_trace() -> Path:
    """The real sacct trace: ``$ALGORIC_SHARED_DATA/accounting/…`` or ``../shared/data/…``
    from the repository root. Exits with a message when it is absent."""
    roots = []
    if os.environ.get("ALGORIC_SHARED_DATA"):
        roots.append(Path(os.environ["ALGORIC_SHARED_DATA"]))
    roots.append(REPO.parent / "shared" / "data")
    for root in roots:
        if (root / TRACE).is_file():
            return root / TRACE
    sys.exit("import_benchmark: the real trace is absent (looked for "
             + " and ".join(str(root / TRACE) for root in roots)
             + "); set ALGORIC_SHARED_DATA to the folder holding accounting/.")


def _split_id(value: str) -> tuple[int | None, str]:
    """``"123_7"`` → ``(123, "_7")``; ``"123.batch"`` → ``(123, ".batch")``; no digits → None."""
    end = 0
    while end < len(value) and value[end].isdigit():
        end += 1
    return (int(value[:end]) if end else None), value[end:]


def _shifted(number: int | None, rest: str, shift: int) -> str:
    return rest if number is None else f"{number + shift}{rest}"


#: Positions of Submit, Eligible, Start and End among the 26 sacct fields.
TIME_FIELDS = (10, 11, 12, 13)


def shifted_fields(fields: list[str], id_shift: int, time_shift) -> list[str]:
    """A copy of one trace line's fields (26 sacct fields) with ``JobID`` and
    ``JobIDRaw`` moved by ``id_shift`` (suffixes kept: ``123_7`` → ``<123+shift>_7``)
    and its four times (ISO 8601, ``Unknown`` left alone) moved by ``time_shift``
    (a ``datetime.timedelta``)."""
    import datetime as dt

    fields = list(fields)
    for position in (0, 1):
        fields[position] = _shifted(*_split_id(fields[position]), id_shift)
    if time_shift:
        for position in TIME_FIELDS:
            value = fields[position]
            if value[:1].isdigit():
                fields[position] = (dt.datetime.fromisoformat(value) + time_shift).isoformat()
    return fields


def build_file(trace: Path, target: Path, lines: int) -> int:
    """Write ``lines`` lines to ``target``: copies of ``trace`` with shifted job ids.

    Written one copy of the trace at a time (a few MB), never the whole file in
    memory. Returns the file size in bytes.
    """
    parsed = []
    with trace.open(encoding="utf-8", newline="") as handle:
        for line in handle:
            line = line.rstrip("\r\n")
            if not line:
                continue
            job_id, raw, rest = line.split("|", 2)
            parsed.append((*_split_id(job_id), *_split_id(raw), rest))
    written = 0
    copy = 0
    with target.open("w", encoding="utf-8", newline="\n") as out:
        while written < lines:
            shift = copy * ID_SHIFT
            take = parsed[: lines - written]
            out.write("".join(
                f"{_shifted(jn, jr, shift)}|{_shifted(rn, rr, shift)}|{rest}\n"
                for jn, jr, rn, rr, rest in take))
            written += len(take)
            copy += 1
    return target.stat().st_size


# --- The databases ---------------------------------------------------------------------------


def database_url(url: str, name: str) -> str:
    """``url`` with its database name replaced by ``name``."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def check_local(url: str) -> str:
    """The database name of ``url``; exits unless it is PostgreSQL on this machine."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        sys.exit(f"import_benchmark: {url!r} is not a PostgreSQL URL")
    if (parts.hostname or "") not in LOCAL_HOSTS:
        sys.exit(f"import_benchmark: only a local PostgreSQL (127.0.0.1) is used, not "
                 f"{parts.hostname!r}")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        sys.exit("import_benchmark: the database URL names no database")
    return name


def _maintenance(url: str):
    import psycopg

    return psycopg.connect(database_url(url, "postgres"), autocommit=True, connect_timeout=5)


def recreate_database(url: str, name: str) -> None:
    """Drop database ``name`` if it exists and create it empty."""
    from psycopg import sql

    with _maintenance(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                     .format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str, name: str) -> None:
    """Drop database ``name`` if it exists (errors are printed, not raised)."""
    from psycopg import sql

    try:
        with _maintenance(url) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                         .format(sql.Identifier(name)))
    except Exception as exc:  # cleaning up must not hide the figures
        print(f"warning: could not drop database {name}: {exc}", file=sys.stderr)


def django_env(url: str) -> dict[str, str]:
    """The environment of a Django process working on database ``url``."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = SETTINGS
    env["DATABASE_URL"] = url
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def migrate(url: str) -> float:
    """``manage.py migrate`` on ``url``; returns the seconds it took."""
    began = time.perf_counter()
    subprocess.run([sys.executable, str(REPO / "manage.py"), "migrate", "--noinput", "-v", "0"],
                   cwd=REPO, env=django_env(url), check=True, timeout=MIGRATE_TIMEOUT)
    return time.perf_counter() - began


def run_child(url: str, *args: str) -> dict:
    """Run this script as a child (``--child …``) on database ``url``; its JSON result."""
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", *args],
                          cwd=REPO, env=django_env(url), check=True, timeout=CHILD_TIMEOUT,
                          stdout=subprocess.PIPE, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def fresh_database(url: str, name: str) -> str:
    """Recreate and migrate database ``name``; returns its URL."""
    db_url = database_url(url, name)
    recreate_database(url, name)
    seconds = migrate(db_url)
    print(f"  database {name}: created and migrated in {seconds:.1f} s", flush=True)
    return db_url


# --- Children (Django set up from the environment) ---------------------------------------------


def _setup_django() -> None:
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def _rss_kb() -> int:
    """The current resident set size of this process, KB (Linux ``/proc``)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def backend_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` (a PostgreSQL backend
    on this machine), from ``/proc/<pid>/stat``; 0 when it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _LogCapture:
    """Keeps the messages of the import service's logger (its time breakdown)."""

    def __init__(self):
        import logging

        self.messages: list[str] = []
        handler = logging.Handler(level=logging.INFO)
        handler.emit = lambda record: self.messages.append(record.getMessage())
        logger = logging.getLogger("resources.accounting.services")
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
        logger.propagate = False  # reported once, by the parent


def child_import(path: str, profile_out: str | None, staging: bool = False) -> dict:
    """Import ``path`` through the real service; figures as a dict (run in a child).

    ``staging``: the importer is made to take its staging path (``COPY`` into a
    staging table, ``INSERT … ON CONFLICT DO NOTHING``) for every batch, as it does
    for an export overlapping jobs already stored.
    """
    _setup_django()
    from django.db import connection

    if staging:
        from resources.accounting.services import imports as services

        services.import_submit_spans = lambda *, accounting_import: None

    from resources.accounting.services.imports import (
        accounting_import_create,
        accounting_import_run,
    )
    from resources.accounting.services.intake import sha256_of
    from resources.models import AccountingImport, JobRecord, UsageSummary

    logs = _LogCapture()
    connection.ensure_connection()  # connecting is not the importer's work
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    backend_cpu = backend_cpu_seconds(backend)
    own_cpu = time.process_time()
    rss_before = _rss_kb()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    profiler = None
    if profile_out:
        import cProfile

        # Since Python 3.12 cProfile uses sys.monitoring and sees every thread: the
        # importer's writer thread is profiled too.
        profiler = cProfile.Profile()
        profiler.enable()
    began = time.perf_counter()
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        digest = sha256_of(handle)
        hashed = time.perf_counter()
        accounting_import = accounting_import_create(
            file_name=os.path.basename(path), size_bytes=size, sha256=digest, format="sacct",
            cluster=CLUSTER, source=AccountingImport.Source.COMMAND)
        accounting_import = accounting_import_run(accounting_import=accounting_import,
                                                  stream=handle)
    ended = time.perf_counter()
    own_cpu = time.process_time() - own_cpu
    backend_cpu = backend_cpu_seconds(backend) - backend_cpu
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile_out)
    peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_after = _rss_kb()
    imp = accounting_import
    return {
        "file_bytes": size,
        "status": imp.status,
        "failure": imp.failure,
        "lines_read": imp.lines_read,
        "jobs_added": imp.jobs_added,
        "duplicates_skipped": imp.duplicates_skipped,
        "steps_skipped": imp.steps_skipped,
        "unfinished_skipped": imp.unfinished_skipped,
        "error_count": imp.error_count,
        "seconds": ended - began,
        "sha256_seconds": hashed - began,
        "cpu_seconds": own_cpu,
        "backend_cpu_seconds": backend_cpu,
        "rss_before_kb": rss_before,
        "rss_after_kb": rss_after,
        "peak_before_kb": peak_before,
        "peak_kb": peak_after,
        "jobs_in_table": JobRecord.objects.count(),
        "summary_rows": UsageSummary.objects.count(),
        "service_log": logs.messages,
    }


def child_baseline(path: str, copy_path: str, direct: bool = False) -> dict:
    """Bare PostgreSQL for the rows of ``path``: COPY + INSERT … SELECT, timed.

    Before timing: the import row the jobs point to and the COPY text of the rows
    (``copy_path``), made by the importer's own parser so that the rows are the same.
    Timed: creating the staging table, ``COPY`` of the text (streamed from the file
    by 1 MiB), ``INSERT … SELECT … ON CONFLICT DO NOTHING`` into
    ``resources_jobrecord`` and the commit. ``direct``: instead, one ``COPY`` of the
    text straight into ``resources_jobrecord`` and the commit (the bare form of the
    importer's direct path; a reference, not the baseline).
    """
    _setup_django()
    import psycopg
    from django.conf import settings

    from resources.accounting.parsing import COPY_COLUMNS, ParseStats, parse
    from resources.accounting.selectors import power_by_partition
    from resources.accounting.services.imports import accounting_import_create
    from resources.accounting.services.intake import sha256_of
    from resources.models import AccountingImport

    with open(path, "rb") as handle:
        accounting_import = accounting_import_create(
            file_name=os.path.basename(path), size_bytes=os.fstat(handle.fileno()).st_size,
            sha256=sha256_of(handle), format="sacct", cluster=CLUSTER,
            source=AccountingImport.Source.COMMAND)
        stats = ParseStats()
        # The importer's parser writes COPY text lines (cluster and import id included).
        batches, _counter = parse("sacct", handle, stats=stats,
                                  power=power_by_partition(CLUSTER), batch_size=10_000,
                                  cluster=CLUSTER, import_id=accounting_import.pk)
        prepared = 0
        began = time.perf_counter()
        with open(copy_path, "w", encoding="utf-8", newline="\n") as out:
            for batch in batches:
                out.write(batch.text)
                prepared += batch.rows
        prepare_seconds = time.perf_counter() - began
    columns = COPY_COLUMNS
    names = ", ".join(f'"{name}"' for name in columns)
    db = settings.DATABASES["default"]
    with psycopg.connect(dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"] or None,
                         host=db["HOST"], port=db["PORT"] or None,
                         options="-c TimeZone=UTC") as conn:
        existing = {row[0] for row in conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'resources_jobrecord' AND column_name <> 'id'")}
        if existing != set(columns):
            raise SystemExit("job table columns differ from the parser's: "
                             f"{sorted(existing ^ set(columns))}")
        conn.commit()
        backend = conn.info.backend_pid
        backend_cpu = backend_cpu_seconds(backend)
        began = time.perf_counter()
        if direct:
            with conn.cursor() as cursor, \
                    cursor.copy(f"COPY resources_jobrecord ({names}) FROM STDIN") as copy, \
                    open(copy_path, "rb") as source:
                for chunk in iter(lambda: source.read(1 << 20), b""):
                    copy.write(chunk)
            copied = time.perf_counter()
            conn.commit()
            ended = time.perf_counter()
            rows = conn.execute("SELECT count(*) FROM resources_jobrecord").fetchone()[0]
            return {"rows_inserted": rows, "rows_in_table": rows, "seconds": ended - began,
                    "copy_seconds": copied - began, "commit_seconds": ended - copied,
                    "backend_cpu_seconds": backend_cpu_seconds(backend) - backend_cpu}
        with conn.cursor() as cursor:
            # The staging table has the job table's columns and types, no constraint.
            cursor.execute(f"CREATE TEMPORARY TABLE bench_staging AS SELECT {names} "  # noqa: S608
                           "FROM resources_jobrecord WITH NO DATA")
            with cursor.copy(f"COPY bench_staging ({names}) FROM STDIN") as copy, \
                    open(copy_path, "rb") as source:
                for chunk in iter(lambda: source.read(1 << 20), b""):
                    copy.write(chunk)
            copied = time.perf_counter()
            cursor.execute(f"INSERT INTO resources_jobrecord ({names}) "  # noqa: S608
                           f"SELECT {names} FROM bench_staging "
                           "ON CONFLICT (cluster, job_id_raw, submit_time) DO NOTHING")
            inserted = cursor.rowcount
            selected = time.perf_counter()
        conn.commit()
        ended = time.perf_counter()
        backend_cpu = backend_cpu_seconds(backend) - backend_cpu
        rows_in_table = conn.execute("SELECT count(*) FROM resources_jobrecord").fetchone()[0]
    return {
        "rows_prepared": prepared,
        "prepare_seconds": prepare_seconds,
        "copy_bytes": os.path.getsize(copy_path),
        "rows_inserted": inserted,
        "rows_in_table": rows_in_table,
        "seconds": ended - began,
        "backend_cpu_seconds": backend_cpu,
        "copy_seconds": copied - began,
        "insert_seconds": selected - copied,
        "commit_seconds": ended - selected,
    }


# --- Report ------------------------------------------------------------------------------------


def _mb(kb: int) -> float:
    return kb / 1024


def verdicts(result: dict) -> list[tuple[str, bool, str]]:
    """``(target, passed, measured)`` for the three targets of issue 5."""
    imp, base = result["import"], result["baseline"]
    rate = imp["jobs_added"] / imp["seconds"]
    base_rate = base["rows_inserted"] / base["seconds"]
    peaks = [_mb(imp["peak_kb"])] + [_mb(run["peak_kb"]) for run in result.get("memory", [])]
    return [
        (f"≥ {TARGET_JOBS_PER_SECOND:,} jobs/s end to end", rate >= TARGET_JOBS_PER_SECOND,
         f"{rate:,.0f} jobs/s"),
        (f"≥ {TARGET_BASELINE_FRACTION:.0%} of the baseline's rate",
         rate >= TARGET_BASELINE_FRACTION * base_rate, f"{rate / base_rate:.0%}"),
        (f"peak memory < {TARGET_PEAK_MB} MB", max(peaks) < TARGET_PEAK_MB,
         f"{max(peaks):.0f} MB"),
    ]


def report(result: dict) -> None:
    """Print the figures and the verdicts."""
    imp, base = result["import"], result["baseline"]
    rate = imp["jobs_added"] / imp["seconds"]
    base_rate = base["rows_inserted"] / base["seconds"]
    print()
    print(f"Accounting import benchmark — {result['lines']:,} sacct lines "
          f"({imp['file_bytes'] / 1e6:,.0f} MB), PostgreSQL {result['server_version']}, "
          f"{result['cpus']} CPUs ({result['cpu_model']}), load average "
          f"{result['load_before']:.2f} before, {result['load_after']:.2f} after")
    print("Importer (sha256_of + accounting_import_create + accounting_import_run, end to end)")
    print(f"  status            {imp['status']}{'  ' + imp['failure'] if imp['failure'] else ''}")
    print(f"  lines read        {imp['lines_read']:,}")
    print(f"  jobs added        {imp['jobs_added']:,}  (in the table: {imp['jobs_in_table']:,};"
          f" duplicates {imp['duplicates_skipped']:,}, errors {imp['error_count']:,})")
    print(f"  seconds           {imp['seconds']:.2f}  (of which SHA-256 "
          f"{imp['sha256_seconds']:.2f})")
    print(f"  jobs/s            {rate:,.0f}")
    print(f"  CPU seconds       {imp['cpu_seconds']:.2f} importer process (all threads) + "
          f"{imp['backend_cpu_seconds']:.2f} its PostgreSQL backend")
    for message in imp["service_log"]:
        print(f"  service log       {message}")
    print(f"  peak memory       {_mb(imp['peak_kb']):.0f} MB (ru_maxrss); RSS before the import "
          f"{_mb(imp['rss_before_kb']):.0f} MB, growth to peak "
          f"{_mb(imp['peak_kb'] - imp['rss_before_kb']):.0f} MB")
    for run in result.get("memory", []):
        print(f"  peak at {run['lines']:>9,} lines  {_mb(run['peak_kb']):.0f} MB (growth "
              f"{_mb(run['peak_kb'] - run['rss_before_kb']):.0f} MB; {run['seconds']:.2f} s, "
              f"{run['jobs_added'] / run['seconds']:,.0f} jobs/s)")
    print(f"  peak at {result['lines']:>9,} lines  {_mb(imp['peak_kb']):.0f} MB")
    print("Baseline (bare PostgreSQL: COPY into staging + INSERT … SELECT … "
          "ON CONFLICT DO NOTHING)")
    print(f"  rows inserted     {base['rows_inserted']:,}  (COPY text prepared before timing, "
          f"{base['copy_bytes'] / 1e6:,.0f} MB, in {base['prepare_seconds']:.1f} s)")
    print(f"  seconds           {base['seconds']:.2f}  (COPY {base['copy_seconds']:.2f}, INSERT "
          f"{base['insert_seconds']:.2f}, commit {base['commit_seconds']:.2f})")
    print(f"  rows/s            {base_rate:,.0f}")
    print(f"  CPU seconds       {base['backend_cpu_seconds']:.2f} PostgreSQL backend")
    print(f"Importer / baseline rate: {rate / base_rate:.0%}")
    direct = result.get("direct")
    if direct:
        direct_rate = direct["rows_inserted"] / direct["seconds"]
        print("Reference (not the baseline): bare COPY straight into the job table, as the "
              "importer's direct path")
        print(f"  seconds           {direct['seconds']:.2f}  (COPY {direct['copy_seconds']:.2f},"
              f" commit {direct['commit_seconds']:.2f})")
        print(f"  rows/s            {direct_rate:,.0f}  (importer / this: "
              f"{rate / direct_rate:.0%})")
        print(f"  CPU seconds       {direct['backend_cpu_seconds']:.2f} PostgreSQL backend")
    print("Targets")
    for target, passed, measured in verdicts(result):
        print(f"  {'PASS' if passed else 'FAIL'}  {target:<32} {measured}")


def cpu_model() -> str:
    """The CPU model name from ``/proc/cpuinfo`` (empty when unknown)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000,
                        help="lines of the generated sacct file (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help="same as --lines 100000")
    parser.add_argument("--memory-lines", type=int, default=None,
                        help="lines of the second importer run for memory flatness "
                             "(default a quarter of --lines; 0: none)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                 DEFAULT_URL),
                        help="PostgreSQL on 127.0.0.1; its database name is the prefix of "
                             "the databases created and dropped (default %(default)s)")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--profile", action="store_true",
                        help="instead: profile the importer with cProfile on --lines "
                             "(default 100,000) lines and print the top functions")
    parser.add_argument("--staging-path", action="store_true",
                        help="make the importer take its staging path (COPY into a staging "
                             "table, INSERT … ON CONFLICT) for every batch, as for an export "
                             "overlapping stored jobs, instead of COPY into the job table")
    parser.add_argument("--keep", action="store_true", help="keep the databases (debugging)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        kind, *rest = args.child
        if kind == "import":
            figures = child_import(rest[0], (rest[1] or None) if len(rest) > 1 else None,
                                   staging=len(rest) > 2 and rest[2] == "staging")
        else:
            figures = child_baseline(rest[0], rest[1], direct=kind == "direct")
        print(json.dumps(figures))
        return 0

    if args.quick:
        args.lines = 100_000
    if args.profile and "--lines" not in sys.argv:
        args.lines = 100_000
    if args.lines < 1:
        parser.error("--lines must be positive")
    # A SIGTERM still drops the databases and deletes the file (``finally`` below);
    # subprocess.run kills a running child on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    memory_lines = args.lines // 4 if args.memory_lines is None else args.memory_lines
    prefix = check_local(args.database_url)
    trace = find_trace()
    import psycopg

    try:
        with _maintenance(args.database_url) as conn:
            server_version = conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error as exc:
        sys.exit(f"import_benchmark: cannot reach PostgreSQL at {args.database_url}: {exc}")

    names = {"import": prefix, "baseline": f"{prefix}_baseline", "memory": f"{prefix}_memory",
             "direct": f"{prefix}_direct"}
    result: dict = {"lines": args.lines, "server_version": server_version,
                    "cpus": os.cpu_count(), "cpu_model": cpu_model(),
                    "load_before": os.getloadavg()[0], "memory": []}
    tmp = Path(tempfile.mkdtemp(prefix="algoric-bench-"))
    try:
        print(f"Building {args.lines:,} lines from {trace} …", flush=True)
        began = time.perf_counter()
        big = tmp / f"bench-{args.lines}.sacct"
        size = build_file(trace, big, args.lines)
        print(f"  {big.name}: {size / 1e6:,.0f} MB in {time.perf_counter() - began:.1f} s",
              flush=True)

        if args.profile:
            return profile(args, names["import"], big, tmp)

        print("Importer …", flush=True)
        url = fresh_database(args.database_url, names["import"])
        result["import"] = run_child(url, "import", str(big), "",
                                     "staging" if args.staging_path else "direct")
        print(f"  {result['import']['jobs_added']:,} jobs in "
              f"{result['import']['seconds']:.2f} s", flush=True)
        if not args.keep:
            drop_database(args.database_url, names["import"])

        print("Baseline …", flush=True)
        url = fresh_database(args.database_url, names["baseline"])
        result["baseline"] = run_child(url, "baseline", str(big), str(tmp / "rows.copy"))
        (tmp / "rows.copy").unlink(missing_ok=True)
        print(f"  {result['baseline']['rows_inserted']:,} rows in "
              f"{result['baseline']['seconds']:.2f} s", flush=True)
        if not args.keep:
            drop_database(args.database_url, names["baseline"])

        print("Reference: bare COPY straight into the job table …", flush=True)
        url = fresh_database(args.database_url, names["direct"])
        result["direct"] = run_child(url, "direct", str(big), str(tmp / "rows.copy"))
        (tmp / "rows.copy").unlink(missing_ok=True)
        print(f"  {result['direct']['rows_inserted']:,} rows in "
              f"{result['direct']['seconds']:.2f} s", flush=True)
        if not args.keep:
            drop_database(args.database_url, names["direct"])

        if memory_lines:
            print(f"Importer on {memory_lines:,} lines (memory flatness) …", flush=True)
            small = tmp / f"bench-{memory_lines}.sacct"
            build_file(trace, small, memory_lines)
            url = fresh_database(args.database_url, names["memory"])
            run = run_child(url, "import", str(small))
            run["lines"] = memory_lines
            result["memory"].append(run)
            small.unlink()
            if not args.keep:
                drop_database(args.database_url, names["memory"])
    except subprocess.CalledProcessError as exc:
        print(f"import_benchmark: a step failed: {exc}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if not args.keep:
            for name in names.values():
                drop_database(args.database_url, name)

    result["load_after"] = os.getloadavg()[0]
    report(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


def profile(args, name: str, path: Path, tmp: Path) -> int:
    """Import ``path`` under cProfile (main and writer threads) and print the top functions."""
    import pstats

    url = fresh_database(args.database_url, name)
    out = tmp / "import.prof"
    try:
        figures = run_child(url, "import", str(path), str(out))
    finally:
        if not args.keep:
            drop_database(args.database_url, name)
    print(f"\nProfiled import: {figures['jobs_added']:,} jobs in {figures['seconds']:.2f} s "
          "(slowed by the profiler); main thread + writer thread")
    for message in figures["service_log"]:
        print(f"  service log: {message}")
    stats = pstats.Stats(str(out))
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
