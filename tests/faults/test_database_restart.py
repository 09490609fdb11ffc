"""PostgreSQL restarted under load: gunicorn and the worker recover without a restart
(``CONN_HEALTH_CHECKS``, the worker's connection handling). Uses a private PostgreSQL
cluster (``initdb`` in a temporary folder); the shared server is never touched."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest
import requests

from ..worker.conftest import wait_for
from .conftest import (
    BASE_DIR,
    HTTP_TIMEOUT,
    Browser,
    portal_env,
    record_recovery,
    running_portal,
)

pytestmark = [pytest.mark.timeout(600)]

PAGES = ["/", "/statistics/", "/accounts/login/", "/public/projects/", "/en/"]
PASSWORD = "Ty-Kreiz-Loch-2026-calcul"


class Load:
    """Anonymous visitors reading public pages in a loop (bounded in time)."""

    def __init__(self, url: str, seconds: float):
        self.url = url
        self.until = time.monotonic() + seconds
        self.results: list[tuple[float, str, int | str, float]] = []
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        index = 0
        while not self.stop_event.is_set() and time.monotonic() < self.until:
            path = PAGES[index % len(PAGES)]
            index += 1
            started = time.monotonic()
            try:
                status = requests.get(self.url + path, timeout=HTTP_TIMEOUT).status_code
            except requests.RequestException as exc:
                status = type(exc).__name__
            self.results.append((started, path, status, time.monotonic() - started))
            time.sleep(0.05)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        self.thread.join(timeout=HTTP_TIMEOUT + 5)


def sign_up(portal, email: str) -> int:
    visitor = Browser(portal)
    return visitor.post("/accounts/signup/", {
        "email": email, "password1": PASSWORD, "password2": PASSWORD,
        "first_name": "Soizic", "last_name": "Le Bihan"}).status_code


def test_postgresql_restart_portal_and_worker_recover_without_restart(
        private_postgres, private_redis_server, smtp_sink, fault_var_dir, tmp_path):
    database = private_postgres
    database.createdb("algoric")
    env = portal_env(var_dir=fault_var_dir, database_url=database.url("algoric"),
                     broker_url=private_redis_server.url,
                     email_url=f"smtp://127.0.0.1:{smtp_sink.port}")
    for command in (["migrate", "--noinput", "-v", "0"], ["createcachetable"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=BASE_DIR, env=env,
                       check=True, timeout=400, capture_output=True)

    with running_portal(tmp_path, env) as portal:
        for path in PAGES:
            assert requests.get(portal.url + path, timeout=HTTP_TIMEOUT).status_code == 200
        assert sign_up(portal, "avant@example.org") == 302
        assert wait_for(lambda: smtp_sink.to("avant@example.org"), timeout=60), \
            portal.log("worker-1")

        with Load(portal.url, seconds=120) as load:
            time.sleep(3)
            restart_began = time.monotonic()
            database.restart()
            restarted = time.monotonic()

            def serving():
                recent = [r for r in load.results if r[0] > restarted][-5:]
                return len(recent) == 5 and all(r[2] == 200 for r in recent)

            assert wait_for(serving, timeout=60, interval=0.2), load.results[-10:]
            web_recovery = time.monotonic() - restarted
            time.sleep(3)
        after = [r for r in load.results if r[0] > restarted + web_recovery]
        assert after and all(r[2] == 200 for r in after), [r for r in after if r[2] != 200]
        assert max(r[3] for r in load.results) < HTTP_TIMEOUT
        errors_during = [r for r in load.results if restart_began <= r[0] <= restarted
                         + web_recovery and r[2] != 200]
        record_recovery("PostgreSQL restarted (web)",
                        f"public pages answer 200 again, no gunicorn restart "
                        f"({len(errors_during)} failed requests during the restart of "
                        f"{restarted - restart_began:.1f} s)", web_recovery)

        worker_started = time.monotonic()
        assert sign_up(portal, "apres@example.org") == 302
        assert wait_for(lambda: smtp_sink.to("apres@example.org"), timeout=90), \
            portal.log("worker-1")
        record_recovery("PostgreSQL restarted (worker)",
                        "a sign-up's email sent by the same worker after the restart",
                        time.monotonic() - worker_started)
        assert portal.workers_started == 1 and portal.worker.poll() is None
        assert portal.web.poll() is None
        assert len(smtp_sink.to("apres@example.org")) == 1
