"""Private servers for the fault suite: Redis, PostgreSQL, an SMTP sink and a silent SMTP
server, and the portal itself (gunicorn and a Celery worker, production settings).

Every server is the test's own, on 127.0.0.1 and a free port, in a temporary folder, and
is stopped by the fixture that started it. The shared PostgreSQL and Redis of the
machine are never stopped, frozen or restarted: the portal under test uses the shared
PostgreSQL only through this session's test database, and a private Redis as broker.
Runs only against real servers (``DATABASE_URL`` and ``CELERY_BROKER_URL`` set).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.test import Client

from ..worker.conftest import (
    REAL_SERVERS,
    SKIP_REASON,
    PrivateRedis,
    _database_url,
    free_port,
    stop_process,
    wait_for,
)

BASE_DIR = Path(__file__).resolve().parents[2]
#: Upper bound of one HTTP request to the portal under test (seconds).
HTTP_TIMEOUT = 10
#: The promise of RELIABILITY.md: every page answers within this many seconds.
PAGE_BUDGET = 3.0

#: Measured recovery times, printed at the end of the session (and written by hand to
#: docs/reliability.md).
RECOVERY: list[tuple[str, str, float]] = []


def record_recovery(fault: str, checked: str, seconds: float) -> None:
    RECOVERY.append((fault, checked, seconds))
    print(f"\nRECOVERY {fault}: {checked}: {seconds:.1f} s")


def pytest_terminal_summary(terminalreporter):
    if RECOVERY:
        terminalreporter.section("recovery times measured by the fault suite")
        for fault, checked, seconds in RECOVERY:
            terminalreporter.write_line(f"{fault:<40} {seconds:7.1f} s  {checked}")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/faults/" in str(item.fspath) and "test_schedule" not in str(item.fspath):
            item.add_marker(pytest.mark.worker)
            if not REAL_SERVERS:
                item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


# --- SMTP ------------------------------------------------------------------------------------

class SmtpSink:
    """An SMTP server (aiosmtpd) that keeps every message it receives."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.messages: list = []
        self.controller = None
        self._lock = threading.Lock()

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                message = message_from_bytes(envelope.content, policy=policy.default)
                with sink._lock:
                    sink.messages.append((list(envelope.rcpt_tos), message))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port,
                                     ready_timeout=10)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list:
        with self._lock:
            return [m for rcpt, m in self.messages if address in rcpt]

    def count(self) -> int:
        with self._lock:
            return len(self.messages)


class SilentSmtp:
    """A TCP server that accepts connections and never says a word (a hung SMTP)."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.sock = None
        self.clients: list[socket.socket] = []
        self.thread = None

    def start(self) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", self.port))
        self.sock.listen(64)
        self.sock.settimeout(0.2)

        def serve():
            while self.sock is not None:
                try:
                    conn, _addr = self.sock.accept()
                except (TimeoutError, OSError):
                    continue
                self.clients.append(conn)

        self.thread = threading.Thread(target=serve, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        sock, self.sock = self.sock, None
        if sock is not None:
            sock.close()
        for conn in self.clients:
            with contextlib.suppress(OSError):
                conn.close()
        self.clients.clear()
        if self.thread is not None:
            self.thread.join(timeout=2)


@pytest.fixture
def smtp_sink():
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


# --- PostgreSQL --------------------------------------------------------------------------------

def _pg_bin(name: str) -> str:
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    found = shutil.which(name)
    if not found:
        pytest.skip(f"PostgreSQL's {name} is not installed")
    return found


class PrivatePostgres:
    """A PostgreSQL cluster of the test's own (``initdb`` in a temporary folder), on
    127.0.0.1 and a free port, that the test may restart. Run as ``postgres`` when the
    tests run as root (``initdb`` refuses root)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.log = folder / "postgres.log"
        self.user = None
        if os.geteuid() == 0:
            self.user = "postgres"
            pwd.getpwnam(self.user)  # KeyError when there is no such account

    def _run(self, *args, timeout=60) -> subprocess.CompletedProcess:
        command = list(args)
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              check=True)

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.user:
            shutil.chown(self.folder, self.user, self.user)
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--no-sync", timeout=120)

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
                   "-c fsync=off -c full_page_writes=off -c synchronous_commit=off")
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
                  "-w", "-t", "60", "start", timeout=90)

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "30",
                      "stop", timeout=60)

    def restart(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-m", "fast",
                  "-w", "-t", "60", "restart", "-o",
                  f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
                  "-c fsync=off -c full_page_writes=off -c synchronous_commit=off",
                  timeout=90)

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def createdb(self, name: str) -> None:
        self._run(_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
                  "postgres", name)


@pytest.fixture
def private_postgres():
    """A private PostgreSQL cluster; its folder is outside pytest's root-only temporary
    folder, so that the ``postgres`` account can reach it."""
    folder = Path(tempfile.mkdtemp(prefix="algoric-faults-pg-"))
    try:
        try:
            server = PrivatePostgres(folder)
        except KeyError:
            pytest.skip("no 'postgres' account to run a private PostgreSQL as")
        server.init()
        server.start()
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def private_redis_server(tmp_path_factory):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        if server.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.process.pid, signal.SIGCONT)
        server.stop()


def redis_restart(server: PrivateRedis) -> None:
    """Start ``server`` again on the same port (after :meth:`PrivateRedis.stop`)."""
    server.start()


# --- The portal under test -----------------------------------------------------------------------

@pytest.fixture(scope="session")
def fault_var_dir(tmp_path_factory) -> Path:
    """A var folder for the portal under test, with the static files collected once."""
    folder = tmp_path_factory.mktemp("portal-var")
    env = portal_env(var_dir=folder, database_url=_database_url(),
                     broker_url="redis://127.0.0.1:1/0", email_url="smtp://127.0.0.1:1")
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                   cwd=BASE_DIR, env=env, check=True, timeout=300, capture_output=True)
    return folder


def portal_env(*, var_dir: Path, database_url: str, broker_url: str, email_url: str,
               **extra) -> dict:
    """The environment of the production settings, pointed at the given servers."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_", "EMAIL_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "algoric.settings.production",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "EMAIL_URL": email_url,
        "EMAIL_TIMEOUT": "3",
        "SECURE_SSL_REDIRECT": "False",
        "ALGORIC_VAR_DIR": str(var_dir),
        "USAGE_REPORTS_DIR": str(var_dir / "reports"),
        "NOTIFICATION_SWEEP_AFTER": "5",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    })
    env.update({k: str(v) for k, v in extra.items()})
    return env


@dataclass
class Portal:
    """gunicorn and a Celery worker with the production settings."""

    env: dict
    folder: Path
    port: int = field(default_factory=free_port)
    web: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None
    workers_started: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start_web(self, *, processes: int = 1) -> None:
        """gunicorn with ``processes`` sync workers (one by default: the tests warm it up
        before timing anything, and its first agreement PDF loads WeasyPrint, ~1.5 s)."""
        log = open(self.folder / "gunicorn.log", "ab")  # noqa: SIM115
        self.web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "algoric.wsgi:application", "--bind",
             f"127.0.0.1:{self.port}", "--workers", str(processes), "--timeout", "30",
             "--graceful-timeout", "5", "--access-logfile", "-"],
            cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        log.close()

        def up():
            with contextlib.suppress(requests.RequestException):
                return requests.get(self.url + "/healthz", timeout=2).status_code > 0
            return False

        if not wait_for(up, timeout=60, interval=0.3):
            stop_process(self.web)
            pytest.fail("gunicorn did not answer within 60 s:\n" + self.log("gunicorn"))

    def start_worker(self) -> None:
        self.workers_started += 1
        name = f"worker-{self.workers_started}"
        path = self.folder / f"{name}.log"
        log = open(path, "wb")  # noqa: SIM115
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "algoric", "worker", "-n",
             f"{name}-{os.getpid()}@{socket.gethostname()}", "-Q",
             self.env["CELERY_TASK_DEFAULT_QUEUE"], "--concurrency", "1", "--loglevel",
             "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        log.close()
        if not wait_for(lambda: "ready." in path.read_text(errors="replace")
                        or self.worker.poll() is not None, timeout=60):
            pytest.fail("the worker was not ready within 60 s:\n" + self.log(name))
        if self.worker.poll() is not None:
            pytest.fail("the worker exited:\n" + self.log(name))

    def kill_worker(self) -> None:
        """SIGKILL the whole worker (main process and its child), as a crash would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(timeout=10)

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        for process in (self.worker, self.web):
            if process is not None:
                stop_process(process)


@contextlib.contextmanager
def running_portal(folder: Path, env: dict, *, worker: bool = True):
    portal = Portal(env=env, folder=folder)
    try:
        portal.start_web()
        if worker:
            portal.start_worker()
        yield portal
    finally:
        portal.stop()


class Browser:
    """A signed-in visitor of the portal under test (``requests``, cookies by hand: the
    production cookies are ``Secure`` and this is plain HTTP on 127.0.0.1)."""

    def __init__(self, portal: Portal, user=None):
        self.portal = portal
        self.cookies: dict[str, str] = {}
        self.timings: list[tuple[str, float, int]] = []
        self.form_page = "/accounts/email/" if user is not None else "/accounts/signup/"
        if user is not None:
            client = Client()
            client.force_login(user)
            self.cookies["__Host-sessionid"] = client.cookies[settings.SESSION_COOKIE_NAME].value

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        started = time.monotonic()
        response = requests.request(
            method, self.portal.url + path, cookies=self.cookies, allow_redirects=False,
            timeout=HTTP_TIMEOUT, headers={"Origin": self.portal.url,
                                           "Referer": self.portal.url + path},
            **kwargs)
        self.timings.append((f"{method} {path}", time.monotonic() - started,
                             response.status_code))
        for name, value in response.cookies.items():
            self.cookies[name] = value
        return response

    def get(self, path: str) -> requests.Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict | None = None, *, files=None) -> requests.Response:
        if "__Host-csrftoken" not in self.cookies:
            self.get(self.form_page)
        payload = {"csrfmiddlewaretoken": self.cookies.get("__Host-csrftoken", ""),
                   **(data or {})}
        return self.request("POST", path, data=payload, files=files)

    def slowest(self) -> tuple[str, float, int]:
        return max(self.timings, key=lambda item: item[1])
