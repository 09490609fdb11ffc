"""Time-shifted imports (real traces replayed for a demonstration), and the two ways
jobs are stored on PostgreSQL (straight into the job table, or through staging)."""

import datetime as dt
import hashlib
import io
import logging
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from resources.accounting.selectors import shifted_imports
from resources.accounting.services.imports import accounting_import_create, accounting_import_run
from resources.accounting.services.writers import Spans, copy_rows
from resources.models import AccountingImport, JobRecord, UsageSummary
from tests.resources.test_accounting_import import good_lines, sacct_line

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FIXTURES = Path(__file__).parent / "fixtures"
UTC = dt.UTC


def run_import(data: bytes, *, days: float = 0, format: str = "sacct", cluster: str = "algo",
               name: str = "trace.log") -> AccountingImport:
    accounting_import = accounting_import_create(
        file_name=name, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
        format=format, cluster=cluster, source="command",
        time_shift=dt.timedelta(days=days))
    return accounting_import_run(accounting_import=accounting_import, stream=io.BytesIO(data))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- sacct ----------------------------------------------------------------------------------


def test_a_shift_moves_every_time_of_a_sacct_job():
    line = sacct_line(jobid="7", submit="2016-03-01T10:00:00", eligible="2016-03-01T10:00:05",
                      start="2016-03-01T10:01:00", end="2016-03-01T11:01:00")
    imp = run_import((line + "\n").encode(), days=3650)
    assert (imp.status, imp.jobs_added, imp.time_shift) == ("done", 1,
                                                            dt.timedelta(days=3650))
    job = JobRecord.objects.get(job_id="7")
    shift = dt.timedelta(days=3650)
    assert job.submit_time == at("2016-03-01 10:00:00") + shift
    assert job.eligible_time == at("2016-03-01 10:00:05") + shift
    assert job.start_time == at("2016-03-01 10:01:00") + shift
    assert job.end_time == at("2016-03-01 11:01:00") + shift
    assert (job.elapsed_seconds, job.core_hours) == (3600, 2.0)  # durations unchanged
    assert (imp.first_end, imp.last_end) == (job.end_time, job.end_time)
    assert (imp.first_submit, imp.last_submit) == (job.submit_time, job.submit_time)


def test_a_negative_shift_and_times_with_a_zone():
    line = sacct_line(jobid="8", submit="2026-06-01T02:00:00+02:00", eligible="Unknown",
                      start="None", end="2026-06-01T03:00:00+02:00")
    imp = run_import((line + "\n").encode(), days=-1)
    job = JobRecord.objects.get(job_id="8")
    assert imp.status == "done"
    assert job.submit_time == at("2026-05-31 00:00:00")
    assert job.end_time == at("2026-05-31 01:00:00")
    assert job.eligible_time is None and job.start_time is None


def test_the_month_of_a_job_follows_its_shifted_end_time():
    # Ends 2026-06-30 21:00 UTC (23:00 in Paris, June); a year on, June 2027; one day
    # on, 2026-07-01 23:00 in Paris, July.
    line = sacct_line(jobid="9", submit="2026-06-30T19:00:00", eligible="2026-06-30T19:00:00",
                      start="2026-06-30T20:00:00", end="2026-06-30T21:00:00")
    data = (line + "\n").encode()
    run_import(data, days=0)
    run_import(data, days=365)
    run_import(data, days=1)
    months = sorted(UsageSummary.objects.values_list("month", flat=True))
    assert months == [dt.date(2026, 6, 1), dt.date(2026, 7, 1), dt.date(2027, 6, 1)]
    assert JobRecord.objects.count() == 3  # three submit times: three jobs


def test_a_time_pushed_out_of_range_by_the_shift_is_a_bad_line():
    imp = run_import(good_lines(3), days=-800_000)
    assert imp.status == "failed" and imp.error_count == 3 and not JobRecord.objects.exists()
    assert imp.errors[0]["reason"] == "a time out of range once shifted"


# --- SWF ------------------------------------------------------------------------------------


def test_a_shift_moves_every_time_of_an_swf_job():
    data = b"\n".join((FIXTURES / "swf_small.swf").read_bytes().split(b"\n")[:11]) + b"\n"
    run_import(data, format="swf", cluster="grid", name="plain.swf")
    imp = run_import(data, format="swf", cluster="grid", name="moved.swf", days=-30)
    assert (imp.status, imp.jobs_added) == ("done", 5)
    shift = dt.timedelta(days=-30)
    for plain in JobRecord.objects.filter(accounting_import__file_name="plain.swf"):
        moved = JobRecord.objects.get(accounting_import=imp, job_id=plain.job_id)
        assert moved.submit_time == plain.submit_time + shift
        assert moved.end_time == plain.end_time + shift
        assert moved.start_time == (None if plain.start_time is None
                                    else plain.start_time + shift)
        assert (moved.elapsed_seconds, moved.core_hours) == (plain.elapsed_seconds,
                                                             plain.core_hours)
    origin = dt.datetime.fromtimestamp(1767225600, UTC)  # UnixStartTime: 2026-01-01
    assert imp.first_submit == origin + shift
    months = set(UsageSummary.objects.filter(cluster="grid").values_list("month", flat=True))
    assert months == {dt.date(2026, 1, 1), dt.date(2025, 12, 1)}


# --- The duplicate rule -----------------------------------------------------------------------


def test_the_same_file_is_a_duplicate_only_with_the_same_shift():
    data = good_lines(4)
    assert run_import(data).jobs_added == 4
    with pytest.raises(ValidationError, match="already imported"):
        run_import(data)
    assert run_import(data, days=7).jobs_added == 4
    with pytest.raises(ValidationError, match="already imported"):
        run_import(data, days=7)
    assert run_import(data, days=-7).jobs_added == 4
    assert JobRecord.objects.count() == 12
    assert AccountingImport.objects.count() == 3


# --- The command ----------------------------------------------------------------------------


def command(*args) -> str:
    out = io.StringIO()
    call_command("import_accounting", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_passes_the_shift_in_days():
    path = str(FIXTURES / "sacct_cases.log")
    command(path, "--format", "sacct", "--cluster", "algo")
    out = command(path, "--format", "sacct", "--cluster", "algo", "--shift-days", "-400")
    imp = AccountingImport.objects.get(time_shift=dt.timedelta(days=-400))
    assert (imp.status, imp.jobs_added) == ("done", 12)
    assert "every time moved by -400 days" in out
    plain = JobRecord.objects.exclude(accounting_import=imp).get(job_id="1001")
    moved = JobRecord.objects.get(accounting_import=imp, job_id="1001")
    assert moved.end_time == plain.end_time - dt.timedelta(days=400)
    with pytest.raises(CommandError, match="already imported"):
        command(path, "--format", "sacct", "--cluster", "algo", "--shift-days", "-400")
    with pytest.raises(CommandError, match="at most"):
        command(path, "--format", "sacct", "--cluster", "algo", "--shift-days", "999999")


# --- The selector ---------------------------------------------------------------------------


def test_shifted_imports_lists_the_finished_shifted_imports():
    data = good_lines(3)  # jobs end 2026-06-01 01:00 UTC
    run_import(data)
    run_import(data, days=365, name="moved.log")
    run_import(b"garbage\n" * 3, days=10, name="bad.log")  # failed: not listed
    assert shifted_imports() == [{
        "cluster": "algo", "file_name": "moved.log", "shift_days": 365,
        "first_end": at("2027-06-01 01:00:00"), "last_end": at("2027-06-01 01:00:00"),
    }]


# --- Straight into the job table, or through staging ----------------------------------------


def test_spans_overlap():
    spans = Spans([("2026-01-01 00:00:00", "2026-01-31 00:00:00"),
                   ("2026-03-01 00:00:00", "2026-03-31 00:00:00"),
                   ("2026-01-15 00:00:00", "2026-02-10 00:00:00")])
    assert spans.overlaps("2026-02-10 00:00:00", "2026-02-11 00:00:00")
    assert not spans.overlaps("2026-02-10 00:00:01", "2026-02-28 23:59:59")
    assert spans.overlaps("2025-01-01 00:00:00", "2027-01-01 00:00:00")
    assert not spans.overlaps("2026-04-01 00:00:00", "2026-04-02 00:00:00")
    assert not Spans([]).overlaps("2026-04-01 00:00:00", "2026-04-02 00:00:00")
    assert Spans([(None, None)]).overlaps("2026-04-01 00:00:00", "2026-04-02 00:00:00")


def test_copy_text_splits_back_into_values():
    assert copy_rows("a\\tb\t\\N\tc\\\\N\t\\r\\n\n") == [("a\tb", None, "c\\N", "\r\n")]


def test_awkward_characters_in_text_fields_are_stored_as_written():
    name = "tab\there back\\slash \\N cr\rend"
    imp = run_import((sacct_line(jobid="5", jobname=name, account="a\\b") + "\n").encode())
    assert imp.status == "done"
    job = JobRecord.objects.get(job_id="5")
    assert (job.job_name, job.account) == (name, "a\\b")


def _stored_by(caplog) -> tuple[int, int]:
    message = [r.getMessage() for r in caplog.records if "rows copied straight" in r.getMessage()]
    text = message[-1].split("rows copied straight into the job table ")[1]
    direct, staged = text.rstrip(")").split(", through staging ")
    return int(direct), int(staged)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's two paths")
def test_postgres_copies_straight_unless_a_stored_job_may_share_a_key(caplog, monkeypatch):
    from resources.accounting.services import imports as services

    monkeypatch.setattr(services, "BATCH_SIZE", 50)
    caplog.set_level(logging.INFO, logger="resources.accounting.services")
    first = good_lines(120)  # submitted 2026-06-01
    assert run_import(first).jobs_added == 120
    assert _stored_by(caplog) == (120, 0)
    # Overlapping export: same submit times, so it goes through staging.
    overlapping = good_lines(150, start=50_100)
    imp = run_import(overlapping)
    assert (imp.jobs_added, imp.duplicates_skipped) == (130, 20)
    assert _stored_by(caplog) == (0, 150)
    # A later month: nothing stored can share a key.
    july = {"submit": "2026-07-01T00:00:00", "eligible": "2026-07-01T00:00:00",
            "start": "2026-07-01T00:00:00", "end": "2026-07-01T01:00:00"}
    later = "".join(sacct_line(jobid=str(90_000 + n), **july) + "\n"
                    for n in range(60)).encode()
    assert run_import(later).jobs_added == 60
    assert _stored_by(caplog) == (60, 0)
    assert JobRecord.objects.count() == 310


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's two paths")
def test_postgres_a_job_repeated_inside_the_file_falls_back_to_staging(caplog, monkeypatch):
    from resources.accounting.services import imports as services

    monkeypatch.setattr(services, "BATCH_SIZE", 50)
    caplog.set_level(logging.INFO, logger="resources.accounting.services")
    lines = good_lines(120).decode().splitlines()
    data = ("\n".join(lines[:70] + [lines[5]] + lines[70:]) + "\n").encode()
    imp = run_import(data)
    assert (imp.status, imp.jobs_added, imp.duplicates_skipped) == ("done", 120, 1)
    assert _stored_by(caplog) == (50, 71)  # first batch straight, then staging
    assert JobRecord.objects.count() == 120
    assert UsageSummary.objects.get().jobs == 120


def test_jobs_of_no_import_are_never_copied_over(caplog):
    first = good_lines(10)
    imp = run_import(first)
    AccountingImport.objects.filter(pk=imp.pk).delete()  # jobs kept, import unknown
    assert JobRecord.objects.filter(accounting_import__isnull=True).count() == 10
    again = run_import(first + good_lines(5, start=70_000), name="again.log")
    assert (again.jobs_added, again.duplicates_skipped) == (5, 10)
