"""What each index of the job table costs a bulk load: bare ``COPY`` with and without it.

Run from the repository root::

    .venv/bin/python benchmarks/job_index_cost.py                  # 1,000,000 rows
    .venv/bin/python benchmarks/job_index_cost.py --lines 200000   # quicker

The accounting import cannot be faster than PostgreSQL taking the rows into
``resources_jobrecord`` with its primary key, its unique key ``(cluster, job_id_raw,
submit_time)`` and the indexes the pages and reports read through. This script shows
how that floor splits between them, on the rows of ``import_benchmark.py``:

1. Builds the same sacct file as ``import_benchmark.py`` (the real trace repeated with
   shifted job ids) and a freshly migrated database ``<name>_indexes``.
2. Has the importer's own parser turn the file into PostgreSQL COPY text (the
   ``direct`` child of ``import_benchmark.py``, which also loads it once: a warm-up).
3. Times one ``COPY … FROM STDIN`` of that text into the emptied job table, in one
   transaction, for: the table as migrated (twice: the spread between the two runs is
   the noise of the machine); the table without each secondary index in turn (the
   index is dropped, then created again); and the table with only its primary key
   and unique key. Before each run: ``TRUNCATE`` and ``CHECKPOINT``.
4. Prints seconds, rows/s and the backend's CPU seconds (``/proc/<pid>/stat``) per
   configuration, and each index's cost (as migrated minus without it), then drops
   the database and deletes the files.

Only a PostgreSQL on 127.0.0.1 / localhost is accepted (``--database-url``, default
``$BENCH_DATABASE_URL`` or ``postgres://postgres@127.0.0.1:5432/algoric_bench``).
Exit status: 0 when the runs completed, 1 on a missing trace or a refused URL.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import import_benchmark as bench  # noqa: E402  (the sibling script, for its helpers)

#: Bound on one COPY, seconds (a statement_timeout; a million rows take about 15 s).
COPY_TIMEOUT_SECONDS = 600


def copy_once(conn, columns: str, copy_path: Path) -> dict:
    """Empty the job table, then time one COPY of ``copy_path`` into it and the commit.

    ``conn``: an autocommit psycopg connection to the benchmark database. Returns
    ``{"seconds": float, "cpu": backend CPU seconds, "rows": rows in the table}``.
    """
    conn.execute("TRUNCATE resources_jobrecord")
    conn.execute("CHECKPOINT")
    pid = conn.info.backend_pid
    cpu_before = bench.backend_cpu_seconds(pid)
    began = time.perf_counter()
    with conn.transaction(), conn.cursor() as cursor, \
            cursor.copy(f"COPY resources_jobrecord ({columns}) FROM STDIN") as copy, \
            copy_path.open("rb") as source:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            copy.write(chunk)
    seconds = time.perf_counter() - began
    rows = conn.execute("SELECT count(*) FROM resources_jobrecord").fetchone()[0]
    return {"seconds": seconds, "cpu": bench.backend_cpu_seconds(pid) - cpu_before,
            "rows": rows}


def main() -> int:
    """Parse the arguments, run the configurations, print the table; see module doc."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--database-url",
                        default=os.environ.get("BENCH_DATABASE_URL", bench.DEFAULT_URL))
    args = parser.parse_args()
    if args.lines < 1:
        parser.error("--lines must be positive")
    prefix = bench.check_local(args.database_url)
    name = f"{prefix}_indexes"
    trace = bench.find_trace()
    import psycopg

    tmp = Path(tempfile.mkdtemp(prefix="algoric-index-cost-"))
    try:
        big, copy_path = tmp / "bench.sacct", tmp / "rows.copy"
        bench.build_file(trace, big, args.lines)
        url = bench.fresh_database(args.database_url, name)
        warm = bench.run_child(url, "direct", str(big), str(copy_path))
        print(f"  warm-up COPY: {warm['rows_inserted']:,} rows in {warm['seconds']:.2f} s",
              flush=True)
        sys.path.insert(0, str(bench.REPO))
        from resources.accounting.parsing import COPY_COLUMNS

        columns = ", ".join(f'"{column}"' for column in COPY_COLUMNS)
        runs: list[tuple[str, dict]] = []
        with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True,
                             options=f"-c TimeZone=UTC "
                                     f"-c statement_timeout={COPY_TIMEOUT_SECONDS * 1000}"
                             ) as conn:
            keys = {row[0] for row in conn.execute(
                "SELECT conindid::regclass::text FROM pg_constraint "
                "WHERE conrelid = 'resources_jobrecord'::regclass AND contype IN ('p', 'u')")}
            secondary = conn.execute(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE tablename = 'resources_jobrecord' ORDER BY indexname").fetchall()
            secondary = [(index, ddl) for index, ddl in secondary if index not in keys]

            def measure(label: str) -> dict:
                run = copy_once(conn, columns, copy_path)
                runs.append((label, run))
                print(f"  {label}: {run['seconds']:.2f} s", flush=True)
                return run

            first = measure("as migrated")
            second = measure("as migrated, again")
            whole = min(first["seconds"], second["seconds"])
            costs = []
            for index, ddl in secondary:
                conn.execute(f'DROP INDEX "{index}"')
                run = measure(f"without {index}")
                conn.execute(ddl)
                costs.append((index, ddl.split(" USING ", 1)[1], whole - run["seconds"]))
            for index, _ddl in secondary:
                conn.execute(f'DROP INDEX "{index}"')
            measure("primary key and unique key only")
            for _index, ddl in secondary:
                conn.execute(ddl)
        print()
        print(f"Job table indexes and a bulk load — {args.lines:,} rows, one COPY each, "
              f"{bench.cpu_model()}, {os.cpu_count()} CPUs, load average "
              f"{os.getloadavg()[0]:.2f} at the end")
        print(f"  {'configuration':<58} {'seconds':>8} {'rows/s':>9} {'backend CPU s':>14}")
        for label, run in runs:
            print(f"  {label:<58} {run['seconds']:>8.2f} {run['rows'] / run['seconds']:>9,.0f} "
                  f"{run['cpu']:>14.2f}")
        print(f"  noise: the two 'as migrated' runs differ by "
              f"{abs(first['seconds'] - second['seconds']):.2f} s")
        print("Cost of each secondary index (fastest 'as migrated' minus without it):")
        for index, definition, cost in costs:
            print(f"  {index:<45} {definition:<40} {cost:+.2f} s")
        return 0
    finally:
        bench.drop_database(args.database_url, name)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
