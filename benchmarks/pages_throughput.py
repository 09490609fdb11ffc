"""Throughput of the portal's pages under load, beside a minimal Django project (the ceiling).

Issue 19, item 4. Served as in production: gunicorn (2 sync workers) with
``algoric.settings.production`` on 127.0.0.1, PostgreSQL, and in the same run the ceiling
(``benchmarks/ceiling/``: one anonymous and one signed-in template page, database
sessions) served by the same gunicorn on the same PostgreSQL server.

What runs:

1. **Data.** A fresh database (``--database-url``, default
   ``postgres://postgres@127.0.0.1:5432/algoric_throughput``) is migrated and filled with
   ``manage.py demo_centre`` (the real traces of ``../shared/data/accounting``: 21
   projects, about 200,000 jobs) and ``benchmarks/load/seed.py 1000`` (1,000 SMEs, each
   with a project, a grant, a draft request and a report): 1,021 projects. ``--quick``:
   the demo centre on its small synthetic files and 50 seeded members. A second database
   ``<name>_ceiling`` holds the ceiling's users and sessions. Static files are collected
   into a temporary folder (the production storage needs its manifest).
2. **Servers.** Two gunicorn (``-w 2``, sync workers): the portal and the ceiling.
3. **Load.** Every page of the table below, and the ceiling's two pages, are loaded with
   ``wrk -t2 -c8`` for ``--duration`` seconds each, one after the other, the whole list
   ``--passes`` times (default 2) — interleaved, so a slow minute of the machine falls on
   every page alike. A Lua script counts any answer outside 200–299 as a failure.
   Signed-in pages send the session cookie of a PI of the largest demo project (member
   pages) or of staff with TOTP (staff pages), and ``X-Forwarded-Proto: https`` (TLS ends
   at the proxy in production).
4. **Report.** Per page, summed over the passes: requests per second, p50 and p99 of the
   latency (ms, the worst pass), failures, and the CPU seconds per request of the
   gunicorn workers (``/proc/<pid>/stat``) and of their PostgreSQL backends; then the
   ratio to the ceiling's page of the same kind, and PASS/FAIL against the issue's targets
   (signed-in pages ≥ 0.4× the ceiling's signed-in page and ≥ 150 req/s; anonymous public
   pages ≥ 0.5× the ceiling's anonymous page and ≥ 1,000 req/s). ``--json FILE`` writes
   every figure. The load average before and after is printed (other work on the machine
   lowers every figure).

Usage::

    .venv/bin/python benchmarks/pages_throughput.py            # full (about 15 min)
    .venv/bin/python benchmarks/pages_throughput.py --quick    # small data, 3 s per page
    .venv/bin/python benchmarks/pages_throughput.py --quick --duration 1 --passes 1 --smoke

Needs ``wrk`` (``apt-get install -y wrk``) and a PostgreSQL server on 127.0.0.1 whose role
may create databases. Everything started is stopped and the databases are dropped at the
end (``--keep`` keeps them). Exit status: 0 when the runs completed (whatever the verdict;
``--strict``: 1 when a target is missed), 2 when a step failed.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent / "load"))
import run as load_run  # noqa: E402  (same folder: free ports, spawn, stop, wait_until)

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/algoric_throughput"
SESSION_COOKIE = "__Host-sessionid"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

#: Targets of issue 19 (req/s; ratios to the ceiling's page of the same kind).
SIGNED_IN_MIN_RPS, SIGNED_IN_MIN_RATIO = 150, 0.4
PUBLIC_MIN_RPS, PUBLIC_MIN_RATIO = 1000, 0.5

WRK_SCRIPT = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) failures = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then failures = failures + 1 end
end
function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do failed = failed + thread:get("failures") end
  io.write(string.format(
    "RESULT {\"requests\": %d, \"failures\": %d, \"errors\": %d, \"p50_us\": %d, " ..
    "\"p99_us\": %d, \"duration_us\": %d}\n",
    summary.requests, failed,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), summary.duration))
end
"""

# The child that writes the sessions and URLs, run with the portal's settings.
CHILD = r"""
import json, sys
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Count
from django.urls import reverse
from members.models import Organisation, User
from projects.models import Project, ProjectMember, ResourceRequest

def session(user):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    # The backend that authenticated the session must be a configured one (the first:
    # ModelBackend with the course-login window), or Django treats the reader as anonymous.
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key

# The PI of the project with the most usage summaries (the largest demo project).
project = (Project.objects.annotate(n=Count("allocations")).order_by("-n", "pk").first())
from resources.models import UsageSummary
accounts = (UsageSummary.objects.values("account").annotate(n=Count("pk")).order_by("-n"))
for row in accounts:
    found = Project.objects.filter(slurm_account=row["account"]).first()
    if found:
        project = found
        break
pi = ProjectMember.objects.filter(project=project, role="pi").select_related("user").first().user
staff = User.objects.filter(is_staff=True, is_superuser=True).order_by("-pk").first()
request = ResourceRequest.objects.order_by("-pk").first()
organisation = Organisation.objects.filter(members__user=pi).first()
urls = {
    "member": {
        "home, signed in": reverse("pages:home"),
        "profile": reverse("members:profile"),
        "project list": reverse("projects:project_list"),
        "project detail": reverse("projects:project_detail", args=[project.pk]),
        "project usage": reverse("projects:project_usage", args=[project.pk]),
        "project reports": reverse("projects:reports:project_list", args=[project.pk]),
        "organisations": reverse("members:organisation_list"),
    },
    "staff": {
        "staff dashboard": reverse("members:staff_dashboard"),
        "staff request queue": reverse("projects:staff_request_queue"),
        "staff request review": reverse("projects:staff_request_review", args=[request.pk]),
        "staff usage dashboard": reverse("projects:staff_usage_dashboard"),
        "staff project list": reverse("projects:staff_project_list"),
        "staff allocation list": reverse("projects:staff_allocation_list"),
    },
    "public": {
        "home, anonymous": reverse("pages:home"),
        "missions, anonymous": reverse("pages:missions"),
        "hardware, anonymous": reverse("resources:hardware"),
        "statistics, anonymous": reverse("projects:public_statistics"),
        "public projects, anonymous": reverse("projects:public_list"),
    },
}
json.dump({"urls": urls, "member": session(pi), "staff": session(staff),
           "project": project.acronym, "projects": Project.objects.count()},
          open(sys.argv[1], "w"))
"""

CEILING_CHILD = r"""
import json, sys
import django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
user = get_user_model().objects.create_user("ceiling", password="ceiling-benchmark-only")
store = SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store.create()
json.dump({"session": store.session_key}, open(sys.argv[1], "w"))
"""


def database_url(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def portal_env(url: str, var: Path, *, production: bool) -> dict:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": url,
        "ALGORIC_VAR_DIR": str(var),
        "DJANGO_SECRET_KEY": "throughput-benchmark-only-0123456789abcdefghijklmnopqrstuv",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_URL": "consolemail://",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    })
    env["DJANGO_SETTINGS_MODULE"] = ("algoric.settings.production" if production
                                     else "throughput_build_settings")
    env["PYTHONPATH"] = f"{REPO}{os.pathsep}{HERE}"
    if production:
        # Never used by the pages measured (nothing is queued); production requires one.
        env["CELERY_BROKER_URL"] = "redis://127.0.0.1:1/0"
    else:
        env["DJANGO_DEBUG"] = "true"
    return env


def run(command: list[str], *, env: dict, log: Path, cwd: Path = REPO) -> None:
    began = time.monotonic()
    with open(log, "ab") as handle:
        result = subprocess.run(command, cwd=cwd, env=env, stdout=handle,
                                stderr=subprocess.STDOUT, check=False)
    if result.returncode:
        raise SystemExit(f"step failed ({' '.join(command[:4])} …), see {log}")
    shown = [Path(c).name if c.startswith("/") else c for c in command[:4]]
    if "-c" in shown:  # a child script: its first line is enough
        shown = shown[:2] + ["<child>"]
    print(f"  {' '.join(shown)} … {time.monotonic() - began:.0f} s", flush=True)


def build(args, tmp: Path, url: str, ceiling_url: str) -> dict:
    """Migrate and fill both databases; returns the URLs and sessions."""
    log = tmp / "build.log"
    env = portal_env(url, tmp / "var", production=False)
    manage = [PYTHON, str(REPO / "manage.py")]
    run(manage + ["migrate", "--noinput"], env=env, log=log)
    demo = manage + ["demo_centre", "--force", "--reports", "none"]
    if args.quick:
        empty = tmp / "no-data"
        empty.mkdir()
        demo += ["--data-dir", str(empty)]
    run(demo, env=env, log=log)
    run([PYTHON, str(HERE / "load" / "seed.py"), str(tmp / "seed.json"), str(args.members)],
        env=env, log=log)
    run([PYTHON, "-c", CHILD, str(tmp / "pages.json")], env=env, log=log)
    production = portal_env(url, tmp / "var", production=True)
    run(manage + ["collectstatic", "--noinput"], env=production, log=log)
    ceiling_env = dict(os.environ, DATABASE_URL=ceiling_url,
                       DJANGO_SETTINGS_MODULE="ceiling.settings",
                       PYTHONPATH=str(HERE / "ceiling"))
    run([PYTHON, str(HERE / "ceiling" / "manage.py"), "migrate", "--noinput"],
        env=ceiling_env, log=log, cwd=HERE / "ceiling")
    run([PYTHON, "-c", CEILING_CHILD, str(tmp / "ceiling.json")], env=ceiling_env, log=log,
        cwd=HERE / "ceiling")
    with psycopg_connect(url) as connection:
        connection.execute("ANALYZE")
    pages = json.loads((tmp / "pages.json").read_text())
    pages["ceiling"] = json.loads((tmp / "ceiling.json").read_text())["session"]
    pages["env"] = {"portal": production, "ceiling": ceiling_env}
    return pages


def refresh(tmp: Path, pages: dict) -> dict:
    """Bring kept databases and static files up to the code (``--reuse``): migrations and
    ``collectstatic`` only, the data and the sessions stay. Returns ``pages`` unchanged."""
    log = tmp / "build.log"
    manage = [PYTHON, str(REPO / "manage.py")]
    production = pages["env"]["portal"]
    run(manage + ["migrate", "--noinput"], env=production, log=log)
    run(manage + ["collectstatic", "--noinput"], env=production, log=log)
    return pages


def psycopg_connect(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def recreate(url: str, name: str, *, drop_only: bool = False) -> None:
    with psycopg_connect(database_url(url, "postgres")) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


def gunicorn(app: str, *, env: dict, port: int, log: Path, cwd: Path):
    command = [PYTHON, "-m", "gunicorn", app, "--workers", "2", "--worker-class", "sync",
               "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null",
               "--error-logfile", str(log), "--log-level", "warning", "--timeout", "60"]
    with open(log, "ab") as handle:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=handle,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    return process


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(item) for item in text.split()]


def server_pids(master: int, database: str, url: str) -> list[int]:
    """The gunicorn workers of ``master`` and the PostgreSQL backends connected to
    ``database`` (``pg_stat_activity``), as ``[pid, ...]`` (backends negative, to tell them
    apart)."""
    pids = _children(master)
    with contextlib.suppress(Exception), psycopg_connect(
            database_url(url, "postgres")) as connection:
        rows = connection.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s",
                                  [database]).fetchall()
        pids += [-row[0] for row in rows]
    return pids


def cpu_snapshot(pids: list[int]) -> dict[int, float]:
    """CPU seconds so far (user + system) of each process of ``pids``."""
    return {pid: _cpu_of(abs(pid)) for pid in pids}


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> tuple[float, float]:
    """CPU seconds spent between two snapshots by the workers and by the backends, counting
    only processes present in both (a process that ended or started meanwhile is left out)."""
    app = db = 0.0
    for pid, seconds in after.items():
        if pid in before and seconds >= before[pid]:
            if pid > 0:
                app += seconds - before[pid]
            else:
                db += seconds - before[pid]
    return app, db


def drain(master: int, *, limit: float = 120.0) -> None:
    """Wait until the workers of ``master`` are idle (under 20 ms of CPU in 0.5 s): requests
    of a slow page still queued when wrk stopped must not count against the next page."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = cpu_snapshot(_children(master))
        time.sleep(0.5)
        after = cpu_snapshot(list(before))
        if sum(after.values()) - sum(before.values()) < 0.02:
            return


def wrk(url: str, *, seconds: int, headers: dict, script: Path) -> dict:
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "10s", "-s", str(script)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=False,
                            timeout=seconds + 60).stdout
    match = re.search(r"^RESULT (\{.*\})$", output, re.MULTILINE)
    if not match:
        raise SystemExit(f"wrk gave no result for {url}:\n{output}")
    return json.loads(match.group(1))


def check_signed_in(url: str, headers: dict) -> None:
    """Refuse to measure a signed-in page that does not answer as signed in: one GET without
    following redirects must give 200 and a private answer (the public page cache marks what
    it serves to anonymous readers ``Cache-Control: public``).

    Raises ``SystemExit`` with the status and the header when it does not."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", parts.path, headers=headers)
        response = connection.getresponse()
        response.read()
        control = response.getheader("Cache-Control", "")
    finally:
        connection.close()
    if response.status != 200 or "public" in control:
        raise SystemExit(f"{url} does not answer as signed in (status {response.status}, "
                         f"Cache-Control {control!r}): the session is not accepted")


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def measure(args, pages: dict, ports: dict, masters: dict, databases: dict, tmp: Path) -> list:
    script = tmp / "count.lua"
    script.write_text(WRK_SCRIPT)
    proxy = {"X-Forwarded-Proto": "https"}
    targets = [("ceiling", "ceiling, anonymous", "/anonymous/", "public", {}),
               ("ceiling", "ceiling, signed in", "/signed-in/", "signed-in",
                {"Cookie": f"sessionid={pages['ceiling']}"})]
    for kind, urls in pages["urls"].items():
        for name, path in urls.items():
            if kind == "public":
                targets.append(("portal", name, path, "public", proxy))
            else:
                cookie = f"{SESSION_COOKIE}={pages[kind]}"
                targets.append(("portal", name, path, "signed-in", {**proxy, "Cookie": cookie}))
    results = {name: {"server": server, "kind": kind, "path": path, "requests": 0,
                      "failures": 0, "seconds": 0.0, "p50": 0.0, "p99": 0.0, "app_cpu": 0.0,
                      "db_cpu": 0.0}
               for server, name, path, kind, _headers in targets}
    for server, _name, path, kind, headers in targets:
        if server == "portal" and kind == "signed-in":
            check_signed_in(f"http://127.0.0.1:{ports[server]}{path}", headers)
    for number in range(1, args.passes + 1):
        print(f"pass {number}/{args.passes} (load average {load_average()})", flush=True)
        for server, name, path, _kind, headers in targets:
            url = f"http://127.0.0.1:{ports[server]}{path}"
            # A second of load first: the workers' connections and the page store are warm.
            wrk(url, seconds=1, headers=headers, script=script)
            drain(masters[server])
            pids = server_pids(masters[server], databases[server], args.database_url)
            before = cpu_snapshot(pids)
            figures = wrk(url, seconds=args.duration, headers=headers, script=script)
            drain(masters[server])
            app, db = cpu_spent(before, cpu_snapshot(pids))
            row = results[name]
            row["requests"] += figures["requests"]
            row["failures"] += figures["failures"] + figures["errors"]
            row["seconds"] += figures["duration_us"] / 1e6
            row["p50"] = max(row["p50"], figures["p50_us"] / 1000)
            row["p99"] = max(row["p99"], figures["p99_us"] / 1000)
            row["app_cpu"] += app
            row["db_cpu"] += db
            print(f"  {name:28} {figures['requests'] / (figures['duration_us'] / 1e6):8.0f} "
                  f"req/s  p50 {figures['p50_us'] / 1000:6.1f} ms  "
                  f"failures {figures['failures'] + figures['errors']}", flush=True)
    return [dict(name=name, **row) for name, row in results.items()]


def verdicts(rows: list[dict]) -> list[dict]:
    ceiling = {row["kind"]: row["requests"] / max(row["seconds"], 1e-9)
               for row in rows if row["server"] == "ceiling"}
    for row in rows:
        rps = row["requests"] / max(row["seconds"], 1e-9)
        row["rps"] = rps
        row["ratio"] = rps / ceiling[row["kind"]] if ceiling.get(row["kind"]) else None
        row["app_ms_per_request"] = 1000 * row["app_cpu"] / max(row["requests"], 1)
        row["db_ms_per_request"] = 1000 * row["db_cpu"] / max(row["requests"], 1)
        if row["server"] == "ceiling":
            row["verdict"] = ""
            continue
        if row["kind"] == "public":
            ok = rps >= PUBLIC_MIN_RPS and (row["ratio"] or 0) >= PUBLIC_MIN_RATIO
        else:
            ok = rps >= SIGNED_IN_MIN_RPS and (row["ratio"] or 0) >= SIGNED_IN_MIN_RATIO
        row["verdict"] = "PASS" if ok and not row["failures"] else "FAIL"
    return rows


def report(rows: list[dict], meta: dict) -> None:
    print()
    print(f"{meta['projects']} projects; largest demo project {meta['project']}; "
          f"{meta['passes']} passes of {meta['duration']} s per page; wrk -t2 -c8; "
          f"load average before {meta['load_before']}, after {meta['load_after']}; "
          f"signed-in page cache {meta['signed_in_cache_seconds']} s")
    print(f"{'page':30} {'req/s':>7} {'× ceiling':>9} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'app CPU ms/req':>14} {'db CPU ms/req':>13} {'fail':>5}  verdict")
    for row in rows:
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "—"
        print(f"{row['name']:30} {row['rps']:7.0f} {ratio:>9} {row['p50']:7.1f} "
              f"{row['p99']:7.1f} {row['app_ms_per_request']:14.2f} "
              f"{row['db_ms_per_request']:13.2f} {row['failures']:5d}  {row['verdict']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                 DEFAULT_URL))
    parser.add_argument("--quick", action="store_true",
                        help="small data (demo centre on synthetic files, 50 members), 3 s")
    parser.add_argument("--members", type=int, default=None,
                        help="members seeded by load/seed.py (default 1000; quick 50)")
    parser.add_argument("--duration", type=int, default=None,
                        help="seconds of wrk per page and pass (default 10; quick 3)")
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep the built state (static files, sessions) in this folder "
                             "instead of a temporary one")
    parser.add_argument("--reuse", action="store_true",
                        help="with --workdir and databases kept by an earlier --keep run: "
                             "skip the build (migrate and collectstatic only)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--signed-in-cache-seconds", type=int, default=None,
                        help="the portal's SIGNED_IN_PAGE_CACHE_SECONDS; 0 renders every "
                             "signed-in page (default: the settings' 60)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    args.members = args.members or (50 if args.quick else 1000)
    args.duration = args.duration or (3 if args.quick else 10)
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    parts = urlsplit(args.database_url)
    if parts.hostname not in {"127.0.0.1", "localhost"}:
        print("only a PostgreSQL server on 127.0.0.1 is used", file=sys.stderr)
        return 2
    name = parts.path.lstrip("/")
    ceiling_name = f"{name}_ceiling"
    url, ceiling_url = args.database_url, database_url(args.database_url, ceiling_name)
    processes = []
    if args.reuse and not args.workdir:
        print("--reuse needs --workdir", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        if args.workdir:
            args.workdir.mkdir(parents=True, exist_ok=True)
            folder = str(args.workdir.resolve())
        else:
            folder = stack.enter_context(
                tempfile.TemporaryDirectory(prefix="algoric-throughput-"))
        tmp = Path(folder)
        state = tmp / "state.json"
        try:
            if args.reuse and state.exists():
                print(f"reusing the data in {name}, {ceiling_name} ({state})", flush=True)
                pages = refresh(tmp, json.loads(state.read_text()))
            else:
                print(f"building the data ({'quick' if args.quick else 'full'}) in {name}, "
                      f"{ceiling_name}", flush=True)
                recreate(url, name)
                recreate(url, ceiling_name)
                pages = build(args, tmp, url, ceiling_url)
                state.write_text(json.dumps(pages))
            if args.signed_in_cache_seconds is not None:
                pages["env"]["portal"]["SIGNED_IN_PAGE_CACHE_SECONDS"] = str(
                    args.signed_in_cache_seconds)
            ports = {"portal": load_run.free_port(), "ceiling": load_run.free_port()}
            portal = gunicorn("algoric.wsgi:application", env=pages["env"]["portal"],
                              port=ports["portal"], log=tmp / "portal.log", cwd=REPO)
            processes.append(portal)
            ceiling = gunicorn("ceiling.wsgi:application", env=pages["env"]["ceiling"],
                               port=ports["ceiling"], log=tmp / "ceiling.log",
                               cwd=HERE / "ceiling")
            processes.append(ceiling)
            for server, port in ports.items():
                load_run.wait_until(
                    lambda port=port: subprocess.run(
                        ["curl", "-s", "-o", "/dev/null", f"http://127.0.0.1:{port}/"],
                        check=False).returncode == 0, 60, f"gunicorn ({server})")
            load_before = load_average()
            rows = measure(args, pages, ports, {"portal": portal.pid, "ceiling": ceiling.pid},
                           {"portal": name, "ceiling": ceiling_name}, tmp)
            meta = {"projects": pages["projects"], "project": pages["project"],
                    "passes": args.passes, "duration": args.duration,
                    "load_before": load_before, "load_after": load_average(),
                    "quick": args.quick, "cpus": os.cpu_count(),
                    "signed_in_cache_seconds": pages["env"]["portal"].get(
                        "SIGNED_IN_PAGE_CACHE_SECONDS", "60 (settings)")}
            rows = verdicts(rows)
            report(rows, meta)
            if args.json:
                args.json.write_text(json.dumps({"meta": meta, "pages": rows}, indent=2))
            for log in ("portal.log", "ceiling.log"):
                text = (tmp / log).read_text() if (tmp / log).exists() else ""
                if "Traceback" in text or "ERROR" in text:
                    print(f"--- {log} ---\n{text[-3000:]}")
        except SystemExit as exc:
            print(exc, file=sys.stderr)
            for log in ("build.log", "portal.log"):
                if (tmp / log).exists():
                    print(f"--- {log} (end) ---\n{(tmp / log).read_text()[-3000:]}",
                          file=sys.stderr)
            return 2
        finally:
            for process in processes:
                load_run.stop(process)
            if not args.keep:
                for database in (name, ceiling_name):
                    with contextlib.suppress(Exception):
                        recreate(url, database, drop_only=True)
    failed = any(row["verdict"] == "FAIL" for row in rows)
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
