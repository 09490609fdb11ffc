"""A real Celery worker for the tests, against the test database and the real broker.

Used only when the suite runs against PostgreSQL and Redis (``DATABASE_URL`` and
``CELERY_BROKER_URL`` set); on the embedded defaults these tests are skipped.
"""

import contextlib
import os
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


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, tmp_path_factory):
    """Start ``celery worker`` on this session's queue and test database; stop it after.

    Yields the worker's node name. Waits at most 60 s for the worker to answer a ping.
    """
    if not REAL_SERVERS:
        pytest.skip(SKIP_REASON)
    node = f"test-{os.getpid()}@{socket.gethostname()}"
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "algoric.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "EMAIL_FILE_PATH": str(settings.EMAIL_FILE_PATH),
    }
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "algoric", "worker", "-n", node,
             "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "--concurrency", "1",
             "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
            cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail("the worker exited:\n" + log_path.read_text()[-3000:])
            replies = celery_app.control.ping(destination=[node], timeout=1.0)
            if replies:
                break
        else:
            pytest.fail("the worker did not answer within 60 s:\n" + log_path.read_text()[-3000:])
        yield node
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@contextlib.contextmanager
def broker_unreachable():
    """Point this process's Celery producer at a closed port, as if Redis were down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    original = celery_app.conf.broker_write_url

    def reset_pools():
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    celery_app.conf.broker_write_url = f"redis://127.0.0.1:{dead_port}/0"
    reset_pools()
    try:
        yield
    finally:
        celery_app.conf.broker_write_url = original
        reset_pools()


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
