"""A yearly report through a real worker, whose worker is killed in the middle."""

import datetime as dt
import io
import os
import signal
import socket
import time
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from projects.models import UsageReport
from projects.reports.services import usage_report_request
from projects.tasks import requeue_stale_usage_reports, usage_report_enqueue_on_commit

from ..projects.usage_helpers import allocate, make_project, make_resources, summary
from .conftest import REAL_SERVERS, SKIP_REASON, start_worker, stop_process, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.skipif(not REAL_SERVERS, reason=SKIP_REASON)]

LAST_YEAR = timezone.localdate().year - 1


def _complete_or_absent(path: Path) -> bool:
    """True when ``path`` does not exist or holds a whole PDF (pypdf reads every page)."""
    if not path.exists():
        return True
    data = path.read_bytes()
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages) > 0 and data.rstrip().endswith(b"%%EOF")


def test_report_whose_worker_is_killed_is_completed_once_and_never_served_half(
        transactional_db, organisation, tmp_path, settings):
    # A folder of its own, handed to the workers (start_worker passes the setting): files
    # other tests wrote under the same year and name must not be read as this report's.
    settings.USAGE_REPORTS_DIR = tmp_path / "reports"
    cpu, _gpu = make_resources()
    project = make_project(organisation)
    allocate(project, cpu, 5000, year=LAST_YEAR)
    for month in range(1, 13):
        summary(year=LAST_YEAR, month=month, core_hours=100.0 * month, estimated=3.0 * month,
                jobs=month)
    first = start_worker(node=f"report-a-{os.getpid()}@{socket.gethostname()}",
                         log_path=tmp_path / "worker-a.log")
    try:
        report = usage_report_request(scope="centre", year=LAST_YEAR)
        usage_report_enqueue_on_commit(report)  # queued at commit
        generation = report.generation
        assert wait_for(lambda: UsageReport.objects.get(pk=report.pk).progress > 0,
                        timeout=60, interval=0.05), (tmp_path / "worker-a.log").read_text()[-3000:]
        os.killpg(first.pid, signal.SIGKILL)  # the whole worker, mid-report
        first.wait(timeout=10)
    finally:
        stop_process(first)
    killed = UsageReport.objects.get(pk=report.pk)
    assert killed.status == UsageReport.Status.RUNNING  # abandoned, not done

    second = start_worker(node=f"report-b-{os.getpid()}@{socket.gethostname()}",
                          log_path=tmp_path / "worker-b.log")
    try:
        # The sweeper finds the report without a heartbeat and queues it again.
        UsageReport.objects.filter(pk=report.pk).update(
            heartbeat_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        assert requeue_stale_usage_reports() == 1
        pdf = (Path(settings.USAGE_REPORTS_DIR)
               / f"{LAST_YEAR}/centre/algoric-centre-{LAST_YEAR}-fr.pdf")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert _complete_or_absent(pdf)  # a reader never gets half a file
            if UsageReport.objects.get(pk=report.pk).status == UsageReport.Status.DONE:
                break
            time.sleep(0.05)
    finally:
        stop_process(second)
    done = UsageReport.objects.get(pk=report.pk)
    assert done.status == UsageReport.Status.DONE, (tmp_path / "worker-b.log").read_text()[-3000:]
    assert done.generation == generation  # completed, not asked for again
    assert len(done.files) == 6
    for relative in done.files.values():
        assert (Path(settings.USAGE_REPORTS_DIR) / relative).stat().st_size > 0
    assert _complete_or_absent(pdf) and pdf.exists()
    assert not list(pdf.parent.glob(".*.part"))
    assert done.totals["core_hours"] == pytest.approx(sum(100.0 * m for m in range(1, 13)))
