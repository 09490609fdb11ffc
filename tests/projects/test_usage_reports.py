"""Yearly usage reports: figures checked against independent sums over imported jobs,
generation, regeneration, idempotence, notifications and the yearly schedule."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from algoric.notifications.models import Notification
from projects.models import ProjectMember, UsageReport
from projects.reports import services as report_services
from projects.reports.centre import centre_report_content
from projects.reports.project import project_report_content
from projects.reports.services import usage_report_generate, usage_report_request
from projects.tasks import (
    generate_yearly_usage_reports,
    requeue_stale_usage_reports,
    usage_report_enqueue_on_commit,
)
from resources.accounting.services.imports import accounting_import_create, accounting_import_run
from resources.models import JobRecord
from tests.resources.test_accounting_import import sacct_line

from ..factories import StaffFactory
from .usage_helpers import CLUSTER, add_member, allocate, make_project, make_resources

pytestmark = pytest.mark.django_db

LAST_YEAR = timezone.localdate().year - 1

#: (job id, account, user, partition, cpus, gpus, hours, end (UTC), state) — the fixture.
JOBS = [
    (1, "houle", "alice", "cpu", 4, 0, 2.0, f"{LAST_YEAR}-01-15T10:00:00", "COMPLETED"),
    (2, "houle", "alice", "cpu", 16, 0, 10.0, f"{LAST_YEAR}-01-31T22:30:00", "COMPLETED"),
    (3, "houle", "bob", "cpu", 64, 0, 3.5, f"{LAST_YEAR}-03-02T08:00:00", "FAILED"),
    (4, "houle", "bob", "gpu", 8, 2, 5.0, f"{LAST_YEAR}-06-10T12:00:00", "COMPLETED"),
    (5, "houle", "carol", "cpu", 1, 0, 0.25, f"{LAST_YEAR}-12-31T23:30:00", "TIMEOUT"),
    (6, "vague", "dan", "cpu", 300, 0, 1.0, f"{LAST_YEAR}-06-01T00:00:00", "COMPLETED"),
    (7, "houle", "alice", "cpu", 2, 0, 1.0, f"{LAST_YEAR - 1}-05-01T00:00:00", "COMPLETED"),
    (8, "nobody", "eve", "cpu", 8, 0, 4.0, f"{LAST_YEAR}-02-01T00:00:00", "COMPLETED"),
]


def _fmt(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def sacct_file() -> bytes:
    lines = []
    for job_id, account, user, partition, cpus, gpus, hours, end, state in JOBS:
        end_time = dt.datetime.fromisoformat(end)
        seconds = int(hours * 3600)
        start = end_time - dt.timedelta(seconds=seconds)
        submit = start - dt.timedelta(minutes=job_id * 7)
        tres = f"billing={cpus},cpu={cpus},node=1" + (f",gres/gpu={gpus}" if gpus else "")
        lines.append(sacct_line(
            jobid=str(job_id), cluster=CLUSTER, partition=partition, account=account, user=user,
            submit=submit.isoformat(), eligible=submit.isoformat(), start=start.isoformat(),
            end=end_time.isoformat(), elapsed=_fmt(seconds), state=state, ncpus=str(cpus),
            reqcpus=str(cpus), alloctres=tres, timelimit="48:00:00", jobname=f"job{job_id}"))
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def usage(organisation):
    """Projects HOULE (PI, a manager, a member; CPU and GPU grants) and VAGUE, jobs of
    last year and the year before imported through the accounting service."""
    cpu, gpu = make_resources()
    houle = make_project(organisation, acronym="HOULE", slurm_account="houle")
    manager = add_member(houle, role=ProjectMember.Role.MANAGER)
    add_member(houle)
    vague = make_project(organisation, acronym="VAGUE", slurm_account="vague")
    for project in (houle, vague):
        project.starts_on = dt.date(LAST_YEAR - 1, 1, 1)
        project.save()
    allocate(houle, cpu, 1000, year=LAST_YEAR)
    allocate(houle, gpu, 100, year=LAST_YEAR)
    data = sacct_file()
    accounting_import = accounting_import_create(
        file_name="fixture.log", size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
        format="sacct", cluster=CLUSTER, source="upload")
    result = accounting_import_run(accounting_import=accounting_import, stream=io.BytesIO(data))
    assert result.jobs_added == len(JOBS)
    return {"houle": houle, "vague": vague, "manager": manager, "cpu": cpu, "gpu": gpu}


def table(content, slug):
    return next(t for t in content.tables() if t.slug == slug)


def column(tbl, label_start):
    return next(i for i, c in enumerate(tbl.columns) if c.label.startswith(label_start))


def expected(account: str, year: int):
    """Independent sums straight from the fixture list (not from the summaries)."""
    sums = {"core": 0.0, "gpu": 0.0, "jobs": 0, "by_user": defaultdict(float),
            "by_month": defaultdict(float)}
    for _id, acc, user, _p, cpus, gpus, hours, end, _state in JOBS:
        local_end = dt.datetime.fromisoformat(end).replace(tzinfo=dt.UTC).astimezone(
            ZoneInfo("Europe/Paris"))
        if acc != account or local_end.year != year:
            continue
        sums["core"] += cpus * hours
        sums["gpu"] += gpus * hours
        sums["jobs"] += 1
        sums["by_user"][user] += cpus * hours
        sums["by_month"][local_end.month] += cpus * hours
    return sums


def test_project_report_totals_match_independent_sums(usage):
    content = project_report_content(project=usage["houle"], year=LAST_YEAR, language="en")
    want = expected("houle", LAST_YEAR)
    # Job 5 ends 31 December 23:30 UTC = 1 January 00:30 in Paris: next year.
    assert want["jobs"] == 4
    assert content.totals["jobs"] == want["jobs"]
    assert content.totals["core_hours"] == pytest.approx(want["core"])
    assert content.totals["gpu_hours"] == pytest.approx(want["gpu"])
    jobs = JobRecord.objects.filter(account="houle", end_time__year=LAST_YEAR).exclude(job_id="5")
    energy = jobs.aggregate(total=Sum("energy_kwh"))["total"]
    assert content.totals["energy_kwh_estimated"] + content.totals["energy_kwh_measured"] == (
        pytest.approx(energy, rel=1e-6))
    assert content.totals["co2e_kg"] == pytest.approx(
        energy * settings.ENERGY_CARBON_INTENSITY_G_PER_KWH / 1000, abs=1e-3)
    assert content.totals["cost_eur"] == pytest.approx(
        energy * settings.ENERGY_PRICE_EUR_PER_KWH, abs=1e-3)

    users = table(content, "usage-by-user")
    core = column(users, "Core-hours")
    assert {row[0]: row[core] for row in users.rows} == pytest.approx(dict(want["by_user"]))
    months = table(content, "usage-by-month")
    used = column(months, "Used in the month")
    cpu_rows = [row for row in months.rows if row[1] == usage["cpu"].name]
    by_month = {i + 1: row[used] for i, row in enumerate(cpu_rows) if row[used]}
    gpu_core = {6: 8 * 5.0}  # job 4 ran on the GPU partition: its core-hours are not CPU use
    assert by_month == pytest.approx({m: v - gpu_core.get(m, 0)
                                      for m, v in want["by_month"].items()
                                      if v - gpu_core.get(m, 0)})
    resources = table(content, "resources")
    assert [row[0] for row in resources.rows] == [usage["cpu"].name, usage["gpu"].name]
    assert resources.rows[0][2] == 1000
    assert resources.rows[0][3] == pytest.approx(2 * 4 + 16 * 10 + 64 * 3.5)
    assert resources.rows[1][3] == pytest.approx(10.0)  # 2 GPUs × 5 h


def test_project_report_compares_with_last_year_and_counts_states(usage):
    content = project_report_content(project=usage["houle"], year=LAST_YEAR, language="en")
    glance = content.sections[0]
    core = next(f for f in glance.figures if f.label == "Core-hours")
    assert core.previous == pytest.approx(2.0)  # job 7, the year before
    states = table(content, "jobs-by-state")
    assert {row[0]: row[1] for row in states.rows} == {"COMPLETED": 3, "FAILED": 1}
    sizes = table(content, "jobs-by-size")
    assert {row[0]: row[1] for row in sizes.rows if row[1]} == {"2–4": 1, "5–16": 2, "17–64": 1}
    advice = next(s for s in content.sections if s.items)
    assert any("failed" in item for item in advice.items)  # 224 of 422 core-hours failed


def test_reports_are_written_in_the_readers_language(usage):
    french = project_report_content(project=usage["houle"], year=LAST_YEAR, language="fr")
    english = project_report_content(project=usage["houle"], year=LAST_YEAR, language="en")
    assert french.title == f"Rapport d’utilisation {LAST_YEAR}"
    assert english.title == f"Usage report {LAST_YEAR}"
    assert french.totals == english.totals


def test_centre_report_totals_and_attribution(usage):
    content = centre_report_content(year=LAST_YEAR, language="en")
    all_jobs = [j for j in JOBS if j[0] not in (5, 7)]
    assert content.totals["jobs"] == len(all_jobs)
    assert content.totals["core_hours"] == pytest.approx(sum(j[4] * j[6] for j in all_jobs))
    by_kind = table(content, "usage-by-kind")
    labels = [row[0] for row in by_kind.rows]
    assert "not attributed to a project" in labels  # account "nobody"
    top = table(content, "top-projects")
    assert [row[0].split(" — ")[0] for row in top.rows] == ["HOULE", "VAGUE"]  # 432 h, 300 h
    months = table(content, "usage-by-month")
    assert sum(row[2] for row in months.rows) == pytest.approx(content.totals["core_hours"])


def test_request_validates_its_input(usage):
    with pytest.raises(ValidationError):
        usage_report_request(scope="project", year=LAST_YEAR, project=None)
    with pytest.raises(ValidationError):
        usage_report_request(scope="centre", year=timezone.localdate().year + 1)
    with pytest.raises(ValidationError):
        usage_report_request(scope="centre", year=LAST_YEAR, project=usage["houle"])
    assert not UsageReport.objects.exists()


def _fake_render(kind, content):
    return f"{kind}:{content.language}:{content.totals['jobs']}".encode()


@pytest.fixture
def fake_render(monkeypatch):
    """Render files as short text, to test generation apart from the formats."""
    monkeypatch.setattr(report_services, "_render", _fake_render)


def test_generation_writes_six_files_atomically_and_records_totals(
        usage, fake_render, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = usage_report_request(scope="project", year=LAST_YEAR, project=usage["houle"])
        usage_report_enqueue_on_commit(report)
    report.refresh_from_db()
    assert report.status == UsageReport.Status.DONE and report.progress == 100
    assert sorted(report.files) == ["csv-en", "csv-fr", "pdf-en", "pdf-fr", "xlsx-en", "xlsx-fr"]
    root = Path(settings.USAGE_REPORTS_DIR)
    assert (root / report.files["pdf-fr"]).read_bytes() == b"pdf:fr:4"
    assert report.files["pdf-en"].endswith(f"algoric-houle-{LAST_YEAR}-en.pdf")
    assert report.totals["jobs"] == 4
    assert not list((root / report.files["pdf-fr"]).parent.glob("*.part"))


def test_regenerating_replaces_the_files_and_a_second_run_changes_nothing(usage, fake_render):
    report = usage_report_request(scope="centre", year=LAST_YEAR, enqueue=False)
    assert usage_report_generate(report_id=report.pk) == "done"
    assert usage_report_generate(report_id=report.pk) == "skipped"  # idempotent
    report.refresh_from_db()
    first = report.generated_at
    again = usage_report_request(scope="centre", year=LAST_YEAR, enqueue=False)
    assert again.pk == report.pk and again.generation == report.generation + 1
    # A task of the old generation does nothing.
    assert usage_report_generate(report_id=report.pk, generation=report.generation) == "skipped"
    assert usage_report_generate(report_id=report.pk, generation=again.generation) == "done"
    again.refresh_from_db()
    assert again.generated_at > first
    assert UsageReport.objects.count() == 1


def test_failed_rendering_marks_the_report_failed_with_its_reason(usage, monkeypatch):
    def broken(kind, content):
        raise ValueError("no fonts")

    monkeypatch.setattr(report_services, "_render", broken)
    report = usage_report_request(scope="centre", year=LAST_YEAR, enqueue=False)
    with pytest.raises(ValueError):
        usage_report_generate(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == UsageReport.Status.FAILED
    assert "no fonts" in report.failure
    assert report.files == {}


def test_readers_are_notified_once_per_generation(usage, fake_render):
    report = usage_report_request(scope="project", year=LAST_YEAR, project=usage["houle"],
                                  enqueue=False, notify_readers=True)
    usage_report_generate(report_id=report.pk)
    notified = set(Notification.objects.filter(event="usage_report_ready")
                   .values_list("recipient_id", flat=True))
    houle = usage["houle"]
    assert notified == {houle.pi.pk, usage["manager"].pk}  # not the plain member
    report_services.usage_report_notify(report=UsageReport.objects.get(pk=report.pk))
    assert Notification.objects.filter(event="usage_report_ready").count() == 2


def test_yearly_request_covers_projects_with_usage_or_grants_and_the_centre(
        usage, fake_render, django_capture_on_commit_callbacks):
    staff = StaffFactory(mfa=True)
    with django_capture_on_commit_callbacks(execute=True):
        count = generate_yearly_usage_reports(year=LAST_YEAR)  # readers notified
    assert count == 3
    scopes = sorted((r.scope, r.project.acronym if r.project else "")
                    for r in UsageReport.objects.all())
    assert scopes == [("centre", ""), ("project", "HOULE"), ("project", "VAGUE")]
    assert set(UsageReport.objects.values_list("status", flat=True)) == {"done"}
    assert Notification.objects.filter(event="usage_report_ready", recipient=staff).count() == 1


def test_beat_runs_last_years_reports_each_second_of_january():
    entry = settings.CELERY_BEAT_SCHEDULE["usage-reports-yearly"]
    assert entry["task"] == "projects.tasks.generate_yearly_usage_reports"
    schedule = entry["schedule"]
    assert schedule.month_of_year == {1} and schedule.day_of_month == {2}
    assert settings.CELERY_BEAT_SCHEDULE["usage-reports-requeue"]["task"] == (
        "projects.tasks.requeue_stale_usage_reports")


def test_stale_reports_are_queued_again(usage, fake_render):
    report = usage_report_request(scope="centre", year=LAST_YEAR, enqueue=False)
    UsageReport.objects.filter(pk=report.pk).update(
        status="running", heartbeat_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert requeue_stale_usage_reports() == 1
    report.refresh_from_db()
    assert report.status == UsageReport.Status.DONE  # eager: generated again


def test_command_generates_synchronously_and_prints_the_files(usage, capsys, fake_render):
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        call_command("generate_usage_reports", "--year", str(LAST_YEAR), "--project", "houle")
    out = capsys.readouterr().out
    assert f"HOULE {LAST_YEAR}: 4 jobs" in out
    assert out.count(str(settings.USAGE_REPORTS_DIR)) == 6
    assert UsageReport.objects.get().status == UsageReport.Status.DONE


def test_command_refuses_an_unknown_project(usage):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no single project"):
        call_command("generate_usage_reports", "--year", str(LAST_YEAR), "--project", "nope")
    assert not UsageReport.objects.exists()


def test_decimal_grants_are_numbers_in_tables(usage):
    content = project_report_content(project=usage["houle"], year=LAST_YEAR, language="en")
    resources = table(content, "resources")
    assert all(isinstance(row[2], float | int | Decimal | type(None)) for row in resources.rows)


def test_reports_say_when_their_figures_come_from_shifted_traces(usage):
    from resources.models import AccountingImport

    plain = project_report_content(project=usage["houle"], year=LAST_YEAR, language="en")
    assert plain.data_note == ""
    AccountingImport.objects.update(time_shift=dt.timedelta(days=3287))
    shifted = centre_report_content(year=LAST_YEAR, language="en")
    assert "fixture.log" in shifted.data_note and "3,287 days" in shifted.data_note
