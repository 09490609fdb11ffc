"""A real Celery worker for the tests, against the test database and the real broker.

Used only when the suite runs against PostgreSQL and Redis (``DATABASE_URL`` and
``CELERY_BROKER_URL`` set); on the embedded defaults these tests are skipped.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from algoric.celery import app as celery_app

REAL_SERVERS = (
    not settings.CELERY_TASK_ALWAYS_EAGER
    and settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
)
SKIP_REASON = ("needs PostgreSQL and Redis: set DATABASE_URL=postgres://… and "
               "CELERY_BROKER_URL=redis://… (CI does)")
BASE_DIR = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(*, node: str, log_path: Path, broker_url: str | None = None):
    """Start ``celery worker`` on this session's queue and test database.

    Returns the process once the worker answers a ping (at most 60 s), or fails
    the test with the end of the worker's log.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "algoric.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "EMAIL_FILE_PATH": str(settings.EMAIL_FILE_PATH),
        "USAGE_REPORTS_DIR": str(settings.USAGE_REPORTS_DIR),
    }
    if broker_url:
        env["CELERY_BROKER_URL"] = broker_url
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "algoric", "worker", "-n", node,
             "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "--concurrency", "1",
             "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
            cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("the worker exited:\n" + log_path.read_text()[-3000:])
        if "ready." in log_path.read_text(errors="replace"):
            return process
        time.sleep(0.2)
    stop_process(process)
    pytest.fail("the worker was not ready within 60 s:\n" + log_path.read_text()[-3000:])


def stop_process(process, timeout: float = 20) -> None:
    """Stop a process group started by these fixtures: SIGTERM, then SIGKILL."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def celery_worker_process(django_db_setup, tmp_path_factory):
    """A worker on the broker of ``CELERY_BROKER_URL``, for the tests of one module.

    Stopped at the end of the module: a worker left running would also consume the
    queue of later modules' own workers (test_report_worker starts and kills its own,
    and must be the only consumer of the report it queues)."""
    if not REAL_SERVERS:
        pytest.skip(SKIP_REASON)
    node = f"test-{os.getpid()}@{socket.gethostname()}"
    process = start_worker(node=node, log_path=tmp_path_factory.mktemp("worker") / "worker.log")
    try:
        yield node
    finally:
        stop_process(process)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A ``redis-server`` of the test's own on 127.0.0.1, that the test may stop and restart."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.folder = folder
        self.process = None

    def start(self) -> None:
        """Start the server and wait (at most 10 s) until it answers PING."""
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(
                ("127.0.0.1", self.port), timeout=0.5
            ) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.1)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        """Stop the server (its queue content is lost, as after a crash without persistence)."""
        if self.process is not None:
            stop_process(self.process)
            self.process = None


@pytest.fixture
def private_redis(tmp_path):
    """A Redis server the test owns; skipped when ``redis-server`` is not installed."""
    if not REAL_SERVERS:
        pytest.skip(SKIP_REASON)
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def producer_broker(url: str):
    """Make this process publish to ``url`` instead of the configured broker."""
    original = celery_app.conf.broker_write_url

    def reset_pools():
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    celery_app.conf.broker_write_url = url
    reset_pools()
    try:
        yield
    finally:
        celery_app.conf.broker_write_url = original
        reset_pools()


def broker_unreachable():
    """Point this process's Celery producer at a closed port, as if Redis were down."""
    return producer_broker(f"redis://127.0.0.1:{free_port()}/0")


def mails_to(address: str) -> list[str]:
    """Messages written by the file email backend (this process or the worker) to ``address``."""
    folder = Path(settings.EMAIL_FILE_PATH)
    if not folder.exists():
        return []
    found = []
    for path in sorted(folder.glob("*.log")):
        for message in path.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
            if f"To: {address}" in message:
                found.append(message)
    return found


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2):
    """Poll ``predicate`` until it is true or ``timeout`` seconds pass; return its last value."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value
