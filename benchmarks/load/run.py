"""Load benchmark: 50 simulated users for 2 minutes against gunicorn with the production
settings on 127.0.0.1, and a Celery worker.

What runs:

1. A fresh database on the PostgreSQL server of ``--database-url`` (default
   ``postgres://postgres@127.0.0.1:5432/algoric_load``; dropped at the end unless
   ``--keep``) is migrated; ``seed.py`` writes the members, their projects, requests,
   reports, and signed-in sessions.
2. A private ``redis-server`` (broker) and an SMTP sink (aiosmtpd) are started on free
   ports of 127.0.0.1; then gunicorn (3 sync workers, as in docker-compose.yml) and a
   Celery worker (concurrency 2), both with ``algoric.settings.production``.
3. ``locust`` runs headless (``locustfile.py``): ``--users`` users (default 50), spawned
   at 10 a second, for ``--duration`` seconds (default 120). With ``--redis-outage S``,
   the private Redis is stopped ``--duration``/4 seconds in and started again S seconds
   later (default off; the documented run uses 60).
4. It prints, per page: requests, requests per second, p50/p95/p99 (ms) and failures,
   then the totals; it exits 1 when any answer was 500 or more (or no answer).

Usage::

    .venv/bin/python benchmarks/load/run.py                      # the normal run
    .venv/bin/python benchmarks/load/run.py --redis-outage 60    # Redis stopped 60 s
    .venv/bin/python benchmarks/load/run.py --users 10 --duration 30   # a quick look

Only servers on 127.0.0.1 are used; everything started is stopped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if predicate():
                return
        time.sleep(0.2)
    raise SystemExit(f"{what} not ready within {timeout:.0f} s")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def spawn(command: list[str], *, env: dict, log: Path) -> subprocess.Popen:
    with open(log, "ab") as handle:
        return subprocess.Popen(command, cwd=REPO, env=env, stdout=handle,
                                stderr=subprocess.STDOUT, start_new_session=True)


class Redis:
    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.process = None

    def start(self):
        self.process = spawn(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
                             env=dict(os.environ), log=self.folder / "redis.log")

        def ping():
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")

        wait_until(ping, 10, "redis-server")

    def stop(self):
        stop(self.process)
        self.process = None


def database(url: str, *, create: bool) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.hostname not in {"127.0.0.1", "localhost"}:
        raise SystemExit("the load benchmark uses a PostgreSQL server on 127.0.0.1 only")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            connection.execute(f'CREATE DATABASE "{name}"')


def read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def server_errors(prefix: Path) -> int:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return 0
    total = 0
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            error = row.get("Error", "")
            if error[:1] == "5" or error.startswith(("0", "ConnectionError", "Remote")):
                total += int(row.get("Occurrences", 0))
    return total


def report(rows: list[dict], seconds: float) -> str:
    lines = ["| page | requests | req/s | p50 ms | p95 ms | p99 ms | failures |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        name = "**all pages**" if row["Name"] == "Aggregated" else row["Name"]
        count = int(row["Request Count"])
        lines.append(f"| {name} | {count} | {count / seconds:.1f} | {row['50%']} | "
                     f"{row['95%']} | {row['99%']} | {row['Failure Count']} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=120, help="seconds")
    parser.add_argument("--redis-outage", type=int, default=0,
                        help="stop Redis for this many seconds a quarter of the way in")
    parser.add_argument("--database-url", default=os.environ.get(
        "LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/algoric_load"))
    parser.add_argument("--keep", action="store_true", help="keep the database and logs")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="algoric-load-"))
    redis = Redis(work)
    processes: list[subprocess.Popen] = []
    sink = None
    database(args.database_url, create=True)
    try:
        from aiosmtpd.controller import Controller

        class Count:
            received = 0

            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                Count.received += 1
                return "250 OK"

        sink = Controller(Count(), hostname="127.0.0.1", port=free_port())
        sink.start()
        redis.start()
        web_port = free_port()
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_", "EMAIL_"))}
        env.update({
            "DJANGO_SETTINGS_MODULE": "algoric.settings.production",
            "DJANGO_SECRET_KEY": "load-" + os.urandom(24).hex(),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": args.database_url,
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis.port}/0",
            "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
            "SECURE_SSL_REDIRECT": "False",
            "ALGORIC_VAR_DIR": str(work / "var"),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        })
        print(f"preparing {args.database_url} (migrate, static files, {args.users} members)…")
        for command in (["migrate", "--noinput", "-v", "0"], ["createcachetable"],
                        ["collectstatic", "--noinput", "-v", "0"]):
            subprocess.run([PYTHON, "manage.py", *command], cwd=REPO, env=env, check=True,
                           timeout=900)
        sessions = work / "sessions.json"
        subprocess.run([PYTHON, str(HERE / "seed.py"), str(sessions), str(args.users)],
                       cwd=REPO, env={**env, "PYTHONPATH": str(REPO)}, check=True, timeout=900)

        processes.append(spawn(
            [PYTHON, "-m", "gunicorn", "algoric.wsgi", "--bind", f"127.0.0.1:{web_port}",
             "--workers", "3", "--timeout", "30", "--graceful-timeout", "20"],
            env=env, log=work / "gunicorn.log"))
        processes.append(spawn(
            [PYTHON, "-m", "celery", "-A", "algoric", "worker", "--loglevel", "WARNING",
             "--concurrency", "2", "-Q", "algoric", "--without-gossip", "--without-mingle"],
            env=env, log=work / "worker.log"))
        host = f"http://127.0.0.1:{web_port}"

        def web_up():
            import urllib.request

            with urllib.request.urlopen(host + "/accounts/login/", timeout=5) as response:  # noqa: S310 (http://127.0.0.1)
                return response.status == 200

        wait_until(web_up, 60, "gunicorn")

        outage = {}
        if args.redis_outage:
            def cut():
                time.sleep(args.duration / 4)
                outage["stopped_at"] = time.monotonic()
                redis.stop()
                time.sleep(args.redis_outage)
                redis.start()
                outage["started_at"] = time.monotonic()
            threading.Thread(target=cut, daemon=True).start()

        prefix = work / "locust"
        print(f"locust: {args.users} users for {args.duration} s against {host}"
              + (f", Redis stopped for {args.redis_outage} s" if args.redis_outage else ""))
        load_avg_before = os.getloadavg()
        started = time.monotonic()
        subprocess.run(
            [PYTHON, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
             "--users", str(args.users), "--spawn-rate", "10", "--run-time",
             f"{args.duration}s", "--host", host, "--csv", str(prefix), "--only-summary",
             "--stop-timeout", "10", "--loglevel", "WARNING"],
            cwd=REPO, env={**os.environ, "LOAD_SESSIONS": str(sessions)},
            timeout=args.duration + 180, check=False)
        seconds = time.monotonic() - started
        load_avg_after = os.getloadavg()
        rows = read_stats(prefix)
        errors = server_errors(prefix)
        table = report(rows, seconds=float(args.duration))
        total = next(r for r in rows if r["Name"] == "Aggregated")
        print()
        print(table)
        print(f"\n{int(total['Request Count'])} requests in {args.duration} s: "
              f"{float(total['Requests/s']):.1f} req/s; 5xx or no answer: {errors}; "
              f"emails received by the SMTP sink: {Count.received}; load average "
              f"{load_avg_before[0]:.2f} before, {load_avg_after[0]:.2f} after")
        if args.json:
            args.json.write_text(json.dumps({"rows": rows, "server_errors": errors,
                                             "seconds": seconds, "outage": outage},
                                            indent=2))
        if errors:
            print("FAILED: answers of 500 or more (see the failures above)")
            return 1
        return 0
    finally:
        for process in processes:
            stop(process)
        redis.stop()
        if sink is not None:
            sink.stop()
        if not args.keep:
            with contextlib.suppress(Exception):
                database(args.database_url, create=False)
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept: {args.database_url} and {work}")


if __name__ == "__main__":
    sys.exit(main())
