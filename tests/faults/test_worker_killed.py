"""A Celery worker (production settings) killed with SIGKILL in the middle of an email,
an accounting import and a report: after the sweeper and a new worker, each completes
exactly once."""

from __future__ import annotations

import datetime as dt
import io
import time
from pathlib import Path

import pytest
from django.db.models import Count
from django.utils import timezone
from pypdf import PdfReader

from algoric.notifications.models import Notification
from algoric.notifications.tasks import notification_sweep
from projects.models import UsageReport
from resources.models import AccountingImport, Cluster, JobRecord

from ..projects.usage_helpers import allocate, make_project, make_resources, summary
from ..worker.conftest import _database_url, producer_broker, wait_for
from .conftest import (
    Browser,
    SilentSmtp,
    SmtpSink,
    portal_env,
    record_recovery,
    running_portal,
)
from .test_broker_and_mail import scene

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(420),
              pytest.mark.usefixtures("public_pages")]


def test_worker_killed_during_an_email_send_delivers_it_once(
        staff_with_mfa, private_redis_server, fault_var_dir, tmp_path):
    """The SMTP server hangs the send (accepts, never answers); the worker is killed while
    it waits. The row stays pending; the sweeper queues it again and a new worker sends it
    once to the SMTP server, now answering."""
    redis = private_redis_server
    pi, requests_, _agreements = scene(drafts=1, agreements=0)
    sink = SmtpSink()
    silent = SilentSmtp(port=sink.port)
    silent.start()
    env = portal_env(var_dir=fault_var_dir, database_url=_database_url(), broker_url=redis.url,
                     email_url=f"smtp://127.0.0.1:{sink.port}", EMAIL_TIMEOUT=30)
    try:
        with running_portal(tmp_path, env) as portal:
            member = Browser(portal, pi)
            assert member.post(f"/requests/{requests_[0].pk}/submit/").status_code == 302
            assert wait_for(lambda: silent.clients, timeout=60), portal.log("worker-1")
            portal.kill_worker()  # mid-send: connected to SMTP, waiting for its greeting
            killed = time.monotonic()
            notification = Notification.objects.get(event="request_submitted")
            assert notification.status == "pending"
            silent.stop()
            sink.start()
            portal.start_worker()
            with producer_broker(redis.url):
                assert notification_sweep(now=timezone.now() + dt.timedelta(minutes=5)) == 1
            assert wait_for(lambda: Notification.objects.get(pk=notification.pk).status
                            == "sent", timeout=90), portal.log("worker-2")
            record_recovery("worker killed during an email send",
                            "the email sent once by a new worker after the sweep",
                            time.monotonic() - killed)
            time.sleep(2)
            with producer_broker(redis.url):
                assert notification_sweep(now=timezone.now() + dt.timedelta(minutes=5)) == 0
            assert len(sink.to(notification.email)) == 1
    finally:
        sink.stop()
        silent.stop()


def sacct_file(jobs: int, year: int) -> bytes:
    """``jobs`` finished CPU jobs of account ``panne`` in the 26-field sacct order."""
    lines = []
    for n in range(jobs):
        day = 1 + n % 28
        lines.append(
            f"{100000 + n}|{100000 + n}|panne|cpu|normal|panne|grp|5001|user{n % 50}|6001|"
            f"{year}-03-{day:02d}T08:00:00|{year}-03-{day:02d}T08:00:00|"
            f"{year}-03-{day:02d}T08:05:00|{year}-03-{day:02d}T10:05:00|"
            "02:00:00|0:0|COMPLETED|1|8|8|16000Mn|billing=8,cpu=8,mem=16000M,node=1|"
            f"billing=8,cpu=8,mem=16000M,node=1|04:00:00|node01|job-{n}\n")
    return "".join(lines).encode()


def test_worker_killed_during_an_accounting_import_completes_it_once(
        staff_with_mfa, private_redis_server, smtp_sink, fault_var_dir, tmp_path):
    redis = private_redis_server
    Cluster.objects.create(name="panne")
    jobs = 150_000
    data = sacct_file(jobs, timezone.localdate().year - 1)
    env = portal_env(var_dir=fault_var_dir, database_url=_database_url(), broker_url=redis.url,
                     email_url=f"smtp://127.0.0.1:{smtp_sink.port}")
    with running_portal(tmp_path, env) as portal:
        staff = Browser(portal, staff_with_mfa)
        response = staff.post("/staff/accounting/", {"format": "sacct", "cluster": "panne"},
                              files={"file": ("panne.sacct", data, "text/plain")})
        assert response.status_code == 302, response.text[:1000]
        accounting_import = AccountingImport.objects.get()
        assert wait_for(lambda: AccountingImport.objects.filter(
            pk=accounting_import.pk, status="running", lines_read__gt=0).exists(),
            timeout=120, interval=0.05), portal.log("worker-1")
        portal.kill_worker()
        killed = time.monotonic()
        assert AccountingImport.objects.get(pk=accounting_import.pk).status == "running"
        portal.start_worker()
        # As if the sweeper ran at its next turn, long after the worker died.
        AccountingImport.objects.filter(pk=accounting_import.pk).update(
            created_at=timezone.now() - dt.timedelta(hours=1),
            started_at=timezone.now() - dt.timedelta(hours=1))
        from resources.tasks import requeue_stale_accounting_imports

        with producer_broker(redis.url):
            assert requeue_stale_accounting_imports() == 1
        assert wait_for(lambda: AccountingImport.objects.get(pk=accounting_import.pk).status
                        in {"done", "done_with_errors", "failed"}, timeout=240, interval=0.5), \
            portal.log("worker-2")
        record_recovery("worker killed during an accounting import",
                        f"the import of {jobs} jobs completed once by a new worker",
                        time.monotonic() - killed)
    done = AccountingImport.objects.get(pk=accounting_import.pk)
    assert done.status == "done", (done.status, done.failure, done.errors[:3])
    assert JobRecord.objects.filter(cluster="panne").count() == jobs
    assert not JobRecord.objects.values("cluster", "job_id").annotate(
        n=Count("pk")).filter(n__gt=1).exists()
    with producer_broker(redis.url):
        assert requeue_stale_accounting_imports() == 0


def _whole_pdf(path: Path) -> bool:
    data = path.read_bytes()
    return data.rstrip().endswith(b"%%EOF") and len(PdfReader(io.BytesIO(data)).pages) > 0


def test_worker_killed_during_a_report_completes_it_once(
        organisation, private_redis_server, smtp_sink, fault_var_dir, tmp_path):
    tasks = pytest.importorskip("projects.tasks")
    if not hasattr(tasks, "generate_usage_report"):
        pytest.skip("no usage report task")
    from projects.reports.services import usage_report_request

    redis = private_redis_server
    last_year = timezone.localdate().year - 1
    cpu, _gpu = make_resources()
    project = make_project(organisation)
    allocate(project, cpu, 5000, year=last_year)
    for month in range(1, 13):
        summary(year=last_year, month=month, core_hours=100.0 * month, jobs=month,
                estimated=2.0 * month)
    env = portal_env(var_dir=fault_var_dir, database_url=_database_url(), broker_url=redis.url,
                     email_url=f"smtp://127.0.0.1:{smtp_sink.port}")
    with running_portal(tmp_path, env, worker=True) as portal, producer_broker(redis.url):
        report = usage_report_request(scope="centre", year=last_year)
        tasks.usage_report_enqueue_on_commit(report)
        assert wait_for(lambda: UsageReport.objects.get(pk=report.pk).progress > 0,
                        timeout=120, interval=0.05), portal.log("worker-1")
        portal.kill_worker()
        killed = time.monotonic()
        assert UsageReport.objects.get(pk=report.pk).status == "running"
        portal.start_worker()
        UsageReport.objects.filter(pk=report.pk).update(
            heartbeat_at=timezone.now() - dt.timedelta(hours=1))
        assert tasks.requeue_stale_usage_reports() == 1
        assert wait_for(lambda: UsageReport.objects.get(pk=report.pk).status == "done",
                        timeout=240, interval=0.5), portal.log("worker-2")
        record_recovery("worker killed during a report",
                        "the centre report completed once by a new worker",
                        time.monotonic() - killed)
        assert tasks.requeue_stale_usage_reports() == 0
    done = UsageReport.objects.get(pk=report.pk)
    assert done.generation == report.generation
    root = fault_var_dir / "reports"
    for relative in done.files.values():
        assert (root / relative).stat().st_size > 0
    pdfs = [root / r for r in done.files.values() if r.endswith(".pdf")]
    assert pdfs and all(_whole_pdf(p) for p in pdfs)
    assert not list(root.rglob(".*.part"))
