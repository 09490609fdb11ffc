"""The simulated visitors of the load benchmark (locust), started by ``run.py``.

Three kinds, by weight: anonymous visitors reading the public pages (4), members on
their dashboards, request forms and report downloads (5), staff uploading an accounting
file and reading the staff pages (1). Members and staff use the sessions written by
``seed.py`` (``LOAD_SESSIONS``), so no login is timed (and allauth's login rate limit,
per address, is not what is measured). Any answer of 500 or more counts as a failure;
redirects are not followed.

The production cookies are ``Secure`` (``__Host-``) and the benchmark speaks plain HTTP
on 127.0.0.1, so the cookies are set by hand; the CSRF secret is chosen here and sent
both as the cookie and as the form field, with the site's own ``Origin``.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import secrets
import string
import threading

from locust import HttpUser, between, task

SESSIONS = json.loads(open(os.environ["LOAD_SESSIONS"]).read())  # noqa: SIM115
_members = itertools.cycle(SESSIONS["members"])
_staff = itertools.cycle(SESSIONS["staff"])
_lock = threading.Lock()
_job_ids = itertools.count(1)


def _csrf_secret() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)

    def on_start(self):
        self.csrf = _csrf_secret()
        self.client.cookies.set("__Host-csrftoken", self.csrf)

    def get(self, path: str, name: str | None = None):
        with self.client.get(path, name=name or path, allow_redirects=False,
                             catch_response=True) as response:
            if response.status_code >= 500 or response.status_code == 0:
                response.failure(f"{response.status_code}")
            else:
                response.success()

    def post(self, path: str, data: dict, *, name: str, files=None):
        headers = {"Origin": self.host, "Referer": self.host + path}
        with self.client.post(path, data={"csrfmiddlewaretoken": self.csrf, **data},
                              files=files, headers=headers, name=name,
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code >= 500 or response.status_code == 0:
                response.failure(f"{response.status_code}")
            elif response.status_code == 403:
                response.failure("403 (CSRF or access)")
            else:
                response.success()


class Visitor(PortalUser):
    """Someone reading the public site."""

    weight = 4

    @task(3)
    def home(self):
        self.get("/", "public: home")

    @task(2)
    def statistics(self):
        self.get("/statistics/", "public: statistics")

    @task(2)
    def projects(self):
        self.get("/public/projects/", "public: projects")

    @task(1)
    def hardware(self):
        self.get("/hardware/", "public: hardware")

    @task(1)
    def login_page(self):
        self.get("/accounts/login/", "public: login page")


class Member(PortalUser):
    """A PI on their dashboards, request form and report downloads."""

    weight = 5

    def on_start(self):
        super().on_start()
        with _lock:
            self.me = next(_members)
        self.client.cookies.set("__Host-sessionid", self.me["session"])

    @task(2)
    def project_list(self):
        self.get("/projects/", "member: my projects")

    @task(3)
    def project(self):
        self.get(f"/projects/{self.me['project']}/", "member: project page")

    @task(1)
    def organisation(self):
        self.get(f"/organisations/{self.me['organisation']}/", "member: organisation page")

    @task(2)
    def usage(self):
        self.get(f"/projects/{self.me['project']}/usage/", "member: usage page")

    @task(1)
    def notifications(self):
        self.get("/account/notifications/", "member: notifications")

    @task(2)
    def request_form(self):
        self.get(f"/requests/{self.me['request']}/edit/", "member: request form")

    @task(2)
    def request_estimate(self):
        self.post(f"/requests/{self.me['request']}/estimate/",
                  {"justification": "Pour la charge."},
                  name="member: request live estimate")

    @task(1)
    def reports(self):
        self.get(f"/projects/{self.me['project']}/reports/", "member: reports page")

    @task(1)
    def report_download(self):
        key = random.choice(["pdf-fr", "xlsx-fr", "csv-fr"])  # noqa: S311
        self.get(f"/reports/{self.me['report']}/files/{key}/", "member: report download")


class Staff(PortalUser):
    """Staff (TOTP enrolled) uploading accounting and reading their pages."""

    weight = 1

    def on_start(self):
        super().on_start()
        with _lock:
            self.session = next(_staff)
        self.client.cookies.set("__Host-sessionid", self.session)

    @task(3)
    def dashboard(self):
        self.get("/staff/", "staff: dashboard")

    @task(2)
    def queue(self):
        self.get("/staff/projects/", "staff: request queue")

    @task(2)
    def imports(self):
        self.get("/staff/accounting/", "staff: accounting imports")

    @task(1)
    def upload(self):
        with _lock:
            first = next(_job_ids) * 100
        lines = "".join(
            f"{first + n}|{first + n}|charge|cpu|normal|chg{n % 50}|grp|5001|user{n}|6001|"
            "2026-03-02T08:00:00|2026-03-02T08:00:00|2026-03-02T08:05:00|"
            "2026-03-02T10:05:00|02:00:00|0:0|COMPLETED|1|8|8|16000Mn|"
            "billing=8,cpu=8,mem=16000M,node=1|billing=8,cpu=8,mem=16000M,node=1|"
            f"04:00:00|node01|job-{first + n}\n" for n in range(100))
        self.post("/staff/accounting/", {"format": "sacct", "cluster": "charge"},
                  files={"file": (f"charge-{first}.sacct", lines.encode(), "text/plain")},
                  name="staff: accounting upload (100 jobs)")
