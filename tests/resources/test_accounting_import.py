"""Accounting imports end to end on hand-written files: what is kept, skipped, refused.

Fixtures (tests/resources/fixtures/):

- ``sacct_cases.log``: 18 lines of 26 fields, no header — a plain job, its three
  steps, two array tasks (``1002_7`` with raw id 1100), a requeued job (same raw id,
  two submit times), an unknown state, ``CANCELLED by …``, GPU jobs (``gres/gpu=2``;
  typed and total counted once), multibyte names, three unfinished jobs, a job
  cancelled before it started, per-node memory on two nodes, ``MM:SS`` elapsed.
- ``sacct_energy.log``: 27 fields (``ConsumedEnergyRaw``): measured, empty, 0, a GPU
  partition, a partition without resource, Slurm's "unknown" energy marker.
- ``sacct_header.log``: a header with shuffled, mixed-case columns.
- ``sacct_bad_lines.log``: one line for each kind of bad line.
- ``swf_small.swf``: an SWF trace with a header, every status and unknown values.
"""

import datetime as dt
import gzip
import hashlib
import io
import threading
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone, translation

from resources.accounting.services import imports as services
from resources.accounting.services import summaries
from resources.accounting.services.imports import (
    accounting_import_create,
    accounting_import_run,
)
from resources.accounting.services.intake import sha256_of
from resources.models import AccountingImport, JobRecord, Resource, ResourceKind, UsageSummary
from tests.factories import ResourceFactory, StaffFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
UTC = dt.UTC
PARIS = ZoneInfo("Europe/Paris")

DEFAULTS = {
    "jobid": "1", "jobidraw": "", "cluster": "algo", "partition": "cpu", "qos": "normal",
    "account": "proj-x", "group": "grp-x", "gid": "5009", "user": "xavier", "uid": "6009",
    "submit": "2026-06-01T00:00:00", "eligible": "2026-06-01T00:00:00",
    "start": "2026-06-01T00:00:00", "end": "2026-06-01T01:00:00", "elapsed": "01:00:00",
    "exitcode": "0:0", "state": "COMPLETED", "nnodes": "1", "ncpus": "2", "reqcpus": "2",
    "reqmem": "1000Mc", "reqtres": "cpu=2,node=1", "alloctres": "billing=2,cpu=2,node=1",
    "timelimit": "02:00:00", "nodelist": "n001", "jobname": "job",
}


def sacct_line(**fields) -> str:
    """One line of ``sacct --parsable2`` in the 26-field order (defaults above)."""
    values = {**DEFAULTS, **fields}
    if not values["jobidraw"]:
        values["jobidraw"] = values["jobid"]
    return "|".join(values.values())


def good_lines(count: int, *, start: int = 50_000, **fields) -> bytes:
    """``count`` valid job lines with job ids from ``start``."""
    return "".join(sacct_line(jobid=str(start + n), **fields) + "\n"
                   for n in range(count)).encode()


def run_import(data: bytes, *, format: str = "sacct", cluster: str = "algo",
               name: str = "test.log", progress=None) -> AccountingImport:
    """Create and run an import of ``data``; returns the finished import."""
    accounting_import = accounting_import_create(
        file_name=name, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
        format=format, cluster=cluster, source="upload")
    return accounting_import_run(accounting_import=accounting_import, stream=io.BytesIO(data),
                                 progress=progress)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(autouse=True)
def _english_and_pinned_energy():
    with translation.override("en"), override_settings(ENERGY_PUE=1.67):
        yield


def job(job_id: str, **filters) -> JobRecord:
    return JobRecord.objects.get(cluster="algo", job_id=job_id, **filters)


# --- What a sacct file gives ----------------------------------------------------------------


def test_sacct_cases_counts():
    imp = run_import(fixture("sacct_cases.log"))
    assert imp.status == AccountingImport.Status.DONE
    assert (imp.lines_read, imp.jobs_added, imp.duplicates_skipped, imp.steps_skipped,
            imp.unfinished_skipped, imp.error_count) == (18, 12, 0, 3, 3, 0)
    assert imp.errors == []
    assert imp.bytes_read == imp.size_bytes and imp.progress_percent == 100
    assert imp.started_at and imp.finished_at and imp.failure == ""
    assert JobRecord.objects.filter(accounting_import=imp).count() == 12


def test_plain_job_fields():
    run_import(fixture("sacct_cases.log"))
    record = job("1001")
    assert record.job_id_raw == "1001" and record.job_name == "plain job"
    assert (record.account, record.user, record.group, record.partition, record.qos) == (
        "proj-a", "alice", "grp-a", "cpu", "normal")
    assert record.submit_time == dt.datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    assert record.start_time == dt.datetime(2026, 3, 1, 8, 5, tzinfo=UTC)
    assert record.end_time == dt.datetime(2026, 3, 1, 9, 5, tzinfo=UTC)
    assert record.elapsed_seconds == 3600
    assert (record.nodes, record.cpus, record.gpus) == (1, 4, 0)
    assert record.requested_memory_mb == 16_000  # 4000 MB per CPU × 4 CPUs
    assert record.time_limit_minutes == 1440
    assert (record.state, record.exit_code) == ("COMPLETED", "0:0")
    assert record.core_hours == pytest.approx(4.0)
    assert record.gpu_hours == 0
    assert record.energy_kwh is None and record.energy_method == "none"  # no resource


def test_steps_are_skipped_never_summed():
    run_import(fixture("sacct_cases.log"))
    assert not JobRecord.objects.filter(job_id__contains=".").exists()
    assert JobRecord.objects.filter(job_id_raw="1001").count() == 1


def test_array_tasks_keep_their_id_and_raw_id():
    run_import(fixture("sacct_cases.log"))
    task = job("1002_7")
    assert task.job_id_raw == "1100" and task.cpus == 2 and task.core_hours == pytest.approx(1)
    assert job("1002_8").job_id_raw == "1101" and job("1002_8").state == "FAILED"


def test_requeued_job_is_two_jobs():
    run_import(fixture("sacct_cases.log"))
    attempts = JobRecord.objects.filter(job_id_raw="1003").order_by("submit_time")
    assert [(a.state, a.submit_time.hour, a.submit_time.minute) for a in attempts] == [
        ("REQUEUED", 10, 0), ("COMPLETED", 10, 12)]


def test_states_normalised_unknown_ones_kept():
    run_import(fixture("sacct_cases.log"))
    assert job("1005").state == "CANCELLED"  # "CANCELLED by 6002"
    assert job("1011").state == "CANCELLED"  # "CANCELLED by 0"
    assert job("1004").state == "WEIRD_NEW_STATE"
    assert job("1012").state == "TIMEOUT"


def test_multibyte_job_names():
    run_import(fixture("sacct_cases.log"))
    assert job("1002_7").job_name == "café crème é"
    assert job("1006").job_name == "漢字ジョブ 🚀"


def test_gpus_from_alloc_tres():
    run_import(fixture("sacct_cases.log"))
    gpu_job = job("1006")
    assert gpu_job.gpus == 2
    assert gpu_job.gpu_hours == pytest.approx(96.0)  # 2 days × 2 GPUs
    assert gpu_job.core_hours == pytest.approx(384.0)  # 2 days × 8 CPUs
    assert gpu_job.requested_memory_mb == 65_536  # "64G" for the job
    assert job("1007").gpus == 1  # gres/gpu:a100=1 and gres/gpu=1 are the same GPU


def test_unfinished_jobs_skipped_and_cancelled_before_start_kept():
    run_import(fixture("sacct_cases.log"))
    assert not JobRecord.objects.filter(job_id_raw__in=["1008", "1009", "1110"]).exists()
    never_started = job("1011")
    assert never_started.start_time is None
    assert never_started.elapsed_seconds == 0 and never_started.core_hours == 0


def test_memory_per_node_limits_and_short_elapsed():
    run_import(fixture("sacct_cases.log"))
    two_nodes = job("1012")
    assert two_nodes.requested_memory_mb == 96_000  # 48000 MB per node × 2 nodes
    assert two_nodes.time_limit_minutes is None  # UNLIMITED
    assert (two_nodes.user, two_nodes.group) == ("6002", "5002")  # names missing: ids
    short = job("1013")
    assert short.elapsed_seconds == 330  # "05:30"
    assert short.requested_memory_mb == 4096  # "4G"
    assert short.time_limit_minutes is None  # Partition_Limit
    assert short.eligible_time == dt.datetime(2026, 3, 9, 0, 1, tzinfo=UTC)


def test_header_maps_shuffled_columns():
    imp = run_import(fixture("sacct_header.log"))
    assert (imp.status, imp.lines_read, imp.jobs_added, imp.steps_skipped) == ("done", 4, 2, 1)
    first = job("3001")
    assert (first.account, first.user, first.partition, first.cpus, first.gpus) == (
        "proj-h", "hana", "gpu", 6, 1)
    assert first.energy_method == "measured" and first.energy_kwh == pytest.approx(1.0)
    assert first.time_limit_minutes == 240
    second = job("3002_4")
    assert second.job_id_raw == "3010" and second.state == "FAILED"
    assert second.time_limit_minutes == 30
    assert second.core_hours == pytest.approx(3.0)
    assert second.group == "" and second.qos == ""  # columns absent from the header


def test_header_lacking_a_required_column_fails_the_import():
    imp = run_import(b"JobID|State|End\n1|COMPLETED|2026-01-01T00:00:00\n")
    assert imp.status == AccountingImport.Status.FAILED
    assert "lacks the columns submit, ncpus" in imp.failure
    assert not JobRecord.objects.exists()


def test_repeated_header_of_concatenated_exports_is_not_a_bad_line():
    header = "|".join(name for name in DEFAULTS) + "\n"
    data = (header + sacct_line(jobid="1") + "\n" + header + sacct_line(jobid="2") + "\n").encode()
    imp = run_import(data)
    assert (imp.status, imp.jobs_added, imp.error_count) == ("done", 2, 0)


def test_a_job_named_jobid_on_the_first_line_is_not_a_header():
    data = (sacct_line(jobid="1", jobname="JobID") + "\n" + sacct_line(jobid="2") + "\n").encode()
    imp = run_import(data)
    assert (imp.status, imp.jobs_added) == ("done", 2)
    assert job("1").job_name == "JobID"


def test_header_aliases_alloc_cpus():
    data = (b"JobID|Submit|End|State|AllocCPUS|Elapsed|MaxRSS\n"
            b"7|2026-01-01T00:00:00|2026-01-01T02:00:00|COMPLETED|3|02:00:00|12K\n")
    imp = run_import(data)
    assert (imp.status, imp.jobs_added) == ("done", 1)
    assert job("7").cpus == 3 and job("7").core_hours == pytest.approx(6)


def test_27th_field_is_consumed_energy_and_file_cluster_column_is_not_used():
    imp = run_import((sacct_line(jobid="5", cluster="elsewhere") + "|3600000\n").encode(),
                     cluster="algo")
    assert imp.jobs_added == 1
    record = job("5")
    assert record.cluster == "algo"
    assert record.energy_method == "measured" and record.energy_kwh == pytest.approx(1.0)


# --- Energy -----------------------------------------------------------------------------------


@pytest.fixture
def catalogue():
    """A CPU resource on partition cpu (10 W/core, 4 GB/core) and a GPU resource on gpu
    (300 W/GPU) of cluster "ALGO" (matched case-insensitively)."""
    ResourceFactory(name="CPU nodes", capacity_per_year=1000, slurm_cluster="ALGO",
                    slurm_partition="cpu", watts_per_core=Decimal(10),
                    memory_gb_per_core=Decimal(4))
    ResourceFactory(gpu=True, name="GPU nodes", capacity_per_year=100, slurm_cluster="ALGO",
                    slurm_partition="gpu", watts_per_gpu=Decimal(300))
    ResourceFactory(disk=True, name="Disk", capacity_per_year=10, slurm_cluster="algo",
                    slurm_partition="bigmem")


def test_measured_energy_from_consumed_energy_raw_else_estimated(catalogue):
    imp = run_import(fixture("sacct_energy.log"))
    assert (imp.status, imp.jobs_added) == ("done", 6)
    measured = job("2001")
    assert measured.energy_method == "measured"
    assert measured.energy_kwh == pytest.approx(2.0)  # 7,200,000 J / 3.6e6
    # 100 core-hours × 1.67 × (10 W + 4 GB × 0.3725 W/GB) / 1000 = 1.91883 kWh
    for job_id in ("2002", "2003", "2006"):  # empty, 0, Slurm's "unknown" marker
        record = job(job_id)
        assert record.energy_method == "estimated", job_id
        assert record.energy_kwh == pytest.approx(1.91883), job_id
    gpu = job("2004")  # 20 GPU-hours × 1.67 × 300 W / 1000 (no CPU figure on gpu)
    assert gpu.energy_method == "estimated" and gpu.energy_kwh == pytest.approx(10.02)
    no_resource = job("2005")  # partition bigmem: only a disk resource, no power figure
    assert no_resource.energy_method == "none" and no_resource.energy_kwh is None


def test_cluster_wide_resource_covers_other_partitions():
    Resource.objects.create(name="Whole cluster", kind=ResourceKind.CPU, capacity_per_year=10,
                            slurm_cluster="algo", slurm_partition="",
                            watts_per_core=Decimal(5))
    run_import(fixture("sacct_energy.log"))
    # 100 core-hours × 1.67 × 5 W / 1000
    assert job("2005").energy_kwh == pytest.approx(0.835)
    assert job("2005").energy_method == "estimated"


def test_energy_sums_split_by_method(catalogue):
    run_import(fixture("sacct_energy.log"))
    totals = UsageSummary.objects.aggregate(measured=Sum("energy_kwh_measured"),
                                            estimated=Sum("energy_kwh_estimated"))
    assert totals["measured"] == pytest.approx(2.0)
    assert totals["estimated"] == pytest.approx(3 * 1.91883 + 10.02)


# --- Bad lines and the 5 % rule -----------------------------------------------------------------


def expected_bad_lines(first: int) -> list[dict]:
    """The errors of ``sacct_bad_lines.log`` when its first line is line ``first``."""
    bad = fixture("sacct_bad_lines.log").split(b"\n")
    position = bad[5].index(b"\xe9") + 1
    reasons = [
        "expected 26 or 27 fields separated by '|', found 24",
        "bad time in Submit: '2026-13-01T00:00:00'",
        "bad time in End: 'yesterday'",
        "negative elapsed time '-00:05:00'",
        "bad elapsed time '1:2:3:4'",
        f"undecodable bytes (not UTF-8) at byte {position}",
        "non-numeric NCPUS 'four'",
        "bad NNodes '-1'",
        "a NUL character in the line",
        f"job id '{'1' * 40}' empty or longer than 32 characters",
    ]
    return [{"line": first + index, "reason": reason} for index, reason in enumerate(reasons)]


def test_every_bad_line_reported_with_number_and_reason():
    # 200 good lines, then the 10 bad ones: 10/210 = 4.8 % ≤ 5 %, the good lines go in.
    data = good_lines(200) + fixture("sacct_bad_lines.log")
    imp = run_import(data)
    assert imp.status == AccountingImport.Status.DONE_WITH_ERRORS
    assert (imp.lines_read, imp.jobs_added, imp.error_count) == (210, 200, 10)
    assert imp.errors == expected_bad_lines(201)
    assert JobRecord.objects.count() == 200
    assert UsageSummary.objects.aggregate(jobs=Sum("jobs"))["jobs"] == 200


def test_more_than_five_percent_bad_keeps_nothing():
    data = good_lines(20) + fixture("sacct_bad_lines.log")
    imp = run_import(data)
    assert imp.status == AccountingImport.Status.FAILED
    assert imp.failure.startswith("10 of 30 lines are bad (more than 5 %)")
    assert "sacct" in imp.failure and "Nothing was imported" in imp.failure
    assert imp.jobs_added == 0 and imp.error_count == 10 and imp.lines_read == 30
    assert imp.errors == expected_bad_lines(21)
    assert not JobRecord.objects.exists()
    assert not UsageSummary.objects.exists()
    assert imp.finished_at is not None


def test_five_percent_exactly_is_accepted_one_more_is_not():
    bad = sacct_line(jobid="x1", ncpus="many") + "\n"
    five = run_import(good_lines(95) + (bad * 5).encode(), name="five")
    assert (five.status, five.jobs_added, five.error_count) == ("done_with_errors", 95, 5)
    six = run_import(good_lines(94, start=70_000) + (bad * 6).encode(), name="six")
    assert (six.status, six.jobs_added) == ("failed", 0)
    assert JobRecord.objects.count() == 95


def test_wrong_format_fails_with_a_clear_reason():
    imp = run_import(fixture("swf_small.swf"), format="sacct")
    assert imp.status == AccountingImport.Status.FAILED
    assert "does not look like sacct output" in imp.failure
    assert not JobRecord.objects.exists()


def test_only_the_first_hundred_errors_are_kept_all_counted():
    data = (sacct_line(ncpus="x") + "\n").encode() * 150
    imp = run_import(data)
    assert imp.error_count == 150 and len(imp.errors) == 100
    assert imp.errors[-1]["line"] == 100


def test_empty_file_is_done_with_nothing():
    imp = run_import(b"")
    assert (imp.status, imp.lines_read, imp.jobs_added) == ("done", 0, 0)


# --- Streams: gzip, progress --------------------------------------------------------------------


def test_gzip_input_gives_the_same_jobs():
    plain = fixture("sacct_cases.log")
    imp = run_import(gzip.compress(plain), name="cases.log.gz")
    assert (imp.status, imp.lines_read, imp.jobs_added) == ("done", 18, 12)
    assert job("1006").job_name == "漢字ジョブ 🚀"


def test_progress_callback_reaches_the_file_size():
    calls = []
    data = good_lines(25_000)
    imp = run_import(data, progress=lambda read, lines: calls.append((read, lines)))
    assert imp.jobs_added == 25_000
    assert len(calls) >= 3  # one per batch of 10,000 rows, and the end
    assert calls == sorted(calls)
    assert calls[-1] == (len(data), 25_000)


# --- Duplicates, overlaps, idempotence ------------------------------------------------------


def test_oversized_file_refused_before_parsing():
    with override_settings(ACCOUNTING_MAX_FILE_BYTES=1000), pytest.raises(ValidationError) as exc:
        accounting_import_create(file_name="big.log", size_bytes=1001, sha256="a" * 64,
                                 format="sacct", cluster="algo", source="upload")
    assert "too large" in exc.value.messages[0]
    assert not AccountingImport.objects.exists()


def test_same_file_twice_is_refused():
    data = fixture("sacct_cases.log")
    first = run_import(data)
    with pytest.raises(ValidationError) as exc:
        run_import(data, name="again.log")
    assert "already imported" in exc.value.messages[0]
    assert f"#{first.pk}" in exc.value.messages[0]
    assert AccountingImport.objects.count() == 1


def test_a_failed_file_may_be_imported_again():
    data = good_lines(1) + fixture("sacct_bad_lines.log")
    assert run_import(data).status == "failed"
    with override_settings(ACCOUNTING_BAD_LINE_LIMIT=0.95):
        again = run_import(data)
    assert (again.status, again.jobs_added) == ("done_with_errors", 1)


@pytest.mark.parametrize(("fields", "message"), [
    ({"format": "csv"}, "Unknown accounting format"),
    ({"cluster": "  "}, "name of the cluster"),
    ({"source": "mail"}, "Unknown import source"),
    ({"sha256": "abc"}, "SHA-256"),
])
def test_create_refuses_bad_arguments(fields, message):
    arguments = {"file_name": "f", "size_bytes": 1, "sha256": "b" * 64, "format": "sacct",
                 "cluster": "algo", "source": "api", **fields}
    with pytest.raises(ValidationError, match=message):
        accounting_import_create(**arguments)


def test_create_records_who_and_what():
    staff = StaffFactory()
    imp = accounting_import_create(file_name="x" * 300, size_bytes=10, sha256="C" * 64,
                                   format="swf", cluster=" algo ", source="upload", actor=staff)
    assert (imp.status, imp.cluster, imp.sha256, imp.created_by) == (
        "queued", "algo", "c" * 64, staff)
    assert len(imp.file_name) == 255


def test_overlapping_exports_add_each_job_once():
    lines = [sacct_line(jobid=str(n), end=f"2026-06-0{n}T01:00:00") + "\n" for n in range(1, 5)]
    first = run_import("".join(lines[:3]).encode(), name="day1")
    second = run_import("".join(lines[1:]).encode(), name="day2")
    assert (first.jobs_added, first.duplicates_skipped) == (3, 0)
    assert (second.jobs_added, second.duplicates_skipped) == (1, 2)
    assert JobRecord.objects.count() == 4
    assert list(JobRecord.objects.filter(job_id="4").values_list("accounting_import", flat=True)) \
        == [second.pk]
    assert UsageSummary.objects.aggregate(jobs=Sum("jobs"))["jobs"] == 4
    assert UsageSummary.objects.aggregate(hours=Sum("core_hours"))["hours"] == pytest.approx(8)


def test_same_job_on_two_clusters_is_two_jobs():
    line = (sacct_line(jobid="1") + "\n").encode()
    run_import(line, cluster="algo")
    imp = accounting_import_create(file_name="o", size_bytes=len(line), sha256="d" * 64,
                                   format="sacct", cluster="other", source="api")
    accounting_import_run(accounting_import=imp, stream=io.BytesIO(line))
    assert sorted(JobRecord.objects.values_list("cluster", flat=True)) == ["algo", "other"]


def test_running_an_import_again_adds_nothing():
    data = fixture("sacct_cases.log")
    imp = run_import(data)
    summaries = list(UsageSummary.objects.order_by("pk").values())
    again = accounting_import_run(accounting_import=imp, stream=io.BytesIO(data))
    assert again.pk == imp.pk and again.status == "done" and again.jobs_added == 12
    assert JobRecord.objects.count() == 12
    assert list(UsageSummary.objects.order_by("pk").values()) == summaries


def test_an_interrupted_run_starts_over():
    data = fixture("sacct_cases.log")
    imp = accounting_import_create(file_name="f", size_bytes=len(data),
                                   sha256=hashlib.sha256(data).hexdigest(), format="sacct",
                                   cluster="algo", source="upload")
    AccountingImport.objects.filter(pk=imp.pk).update(status="running")  # worker killed
    imp = accounting_import_run(accounting_import=imp, stream=io.BytesIO(data))
    assert (imp.status, imp.jobs_added) == ("done", 12)


def test_an_unexpected_error_marks_the_import_failed_and_is_raised(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("resources.accounting.services.imports.usage_summaries_add", broken)
    data = fixture("sacct_cases.log")
    imp = accounting_import_create(file_name="f", size_bytes=len(data),
                                   sha256=hashlib.sha256(data).hexdigest(), format="sacct",
                                   cluster="algo", source="upload")
    with pytest.raises(RuntimeError):
        accounting_import_run(accounting_import=imp, stream=io.BytesIO(data))
    imp.refresh_from_db()
    assert imp.status == "failed" and "RuntimeError" in imp.failure
    assert not JobRecord.objects.exists()


def test_sha256_of_rewinds():
    stream = io.BytesIO(b"hello")
    assert sha256_of(stream) == hashlib.sha256(b"hello").hexdigest()
    assert stream.read() == b"hello"


# --- Usage summaries ----------------------------------------------------------------------------


def summary_from_jobs() -> dict:
    """Sums of the job records by (account, partition, user, month in Paris, state)."""
    sums = defaultdict(lambda: [0, 0.0, 0.0, 0])
    for record in JobRecord.objects.all():
        month = timezone.localtime(record.end_time, PARIS).date().replace(day=1)
        key = (record.cluster, record.account, record.partition, record.user, month,
               record.state)
        wait = (record.start_time - record.submit_time).total_seconds() \
            if record.start_time else 0
        entry = sums[key]
        entry[0] += 1
        entry[1] += record.core_hours
        entry[2] += record.gpu_hours
        entry[3] += int(wait)
    return dict(sums)


def summary_rows() -> dict:
    return {(s.cluster, s.account, s.partition, s.user, s.month, s.state):
            [s.jobs, s.core_hours, s.gpu_hours, s.wait_seconds]
            for s in UsageSummary.objects.all()}


def test_usage_summaries_equal_the_job_sums_by_month_in_paris():
    run_import(fixture("sacct_cases.log"))
    run_import(fixture("sacct_header.log"), name="header")
    expected, actual = summary_from_jobs(), summary_rows()
    assert actual.keys() == expected.keys()
    for key, (jobs, core_hours, gpu_hours, wait) in expected.items():
        assert actual[key][0] == jobs
        assert actual[key][1] == pytest.approx(core_hours)
        assert actual[key][2] == pytest.approx(gpu_hours)
        assert actual[key][3] == wait


def test_a_job_ending_new_years_eve_in_utc_counts_in_january_in_paris():
    data = (sacct_line(jobid="1", submit="2026-12-31T20:00:00", eligible="2026-12-31T20:00:00",
                       start="2026-12-31T21:30:00", end="2026-12-31T23:30:00",
                       elapsed="02:00:00") + "\n"
            + sacct_line(jobid="2", submit="2026-12-31T20:00:00",
                         eligible="2026-12-31T20:00:00", start="2026-12-31T20:00:00",
                         end="2026-12-31T22:59:59", elapsed="02:59:59") + "\n").encode()
    run_import(data)
    months = dict(UsageSummary.objects.values_list("month", "jobs"))
    assert months == {dt.date(2027, 1, 1): 1, dt.date(2026, 12, 1): 1}
    january = UsageSummary.objects.get(month=dt.date(2027, 1, 1))
    assert january.core_hours == pytest.approx(4.0) and january.wait_seconds == 5400


def test_summaries_add_up_across_imports():
    run_import(good_lines(3, start=1), name="a")
    run_import(good_lines(2, start=10), name="b")
    summary = UsageSummary.objects.get()
    assert (summary.jobs, summary.core_hours, summary.account, summary.state) == (
        5, pytest.approx(10.0), "proj-x", "COMPLETED")
    assert summary.month == dt.date(2026, 6, 1)


# --- SWF ----------------------------------------------------------------------------------------


def swf_job(number: int) -> JobRecord:
    return JobRecord.objects.get(cluster="grid", job_id=str(number))


@override_settings(ACCOUNTING_BAD_LINE_LIMIT=0.5)
def test_swf_mapping():
    imp = run_import(fixture("swf_small.swf"), format="swf", cluster="grid")
    assert (imp.status, imp.lines_read, imp.jobs_added, imp.error_count) == (
        "done_with_errors", 14, 5, 3)
    assert imp.errors == [
        {"line": 12, "reason": "expected 18 fields separated by spaces, found 17"},
        {"line": 13, "reason": "non-numeric field '1x'"},
        {"line": 14, "reason": "unknown submit time"},
    ]
    origin = dt.datetime(2026, 1, 1, tzinfo=UTC)  # UnixStartTime 1767225600
    first = swf_job(1)
    assert first.job_id_raw == "1"
    assert first.submit_time == origin
    assert first.start_time == origin + dt.timedelta(seconds=60)
    assert first.end_time == origin + dt.timedelta(seconds=3660)
    assert (first.elapsed_seconds, first.cpus, first.core_hours) == (3600, 4, 1 * 4)
    assert (first.state, first.account, first.group, first.user, first.partition) == (
        "COMPLETED", "21", "21", "11", "1")
    assert first.time_limit_minutes == 120
    second = swf_job(2)
    assert second.start_time is None  # wait unknown
    assert second.end_time == origin + dt.timedelta(seconds=130)
    assert (second.state, second.requested_memory_mb, second.job_name, second.qos,
            second.partition) == ("FAILED", 1, "5", "3", "8")  # the number, not the name
    third = swf_job(3)
    assert (third.state, third.cpus, third.start_time) == ("CANCELLED", 2, third.submit_time)
    fourth = swf_job(4)
    assert (fourth.state, fourth.account, fourth.partition) == ("UNKNOWN", "", "")
    fifth = swf_job(5)
    assert (fifth.state, fifth.elapsed_seconds, fifth.end_time) == ("3", 0, fifth.start_time)


def test_swf_gzip_and_summaries():
    imp = run_import(gzip.compress(fixture("swf_small.swf")), format="swf", cluster="grid")
    assert imp.status == "failed"  # 3 bad of 8 job lines
    good = b"\n".join(fixture("swf_small.swf").split(b"\n")[:11]) + b"\n"
    imp = run_import(gzip.compress(good), format="swf", cluster="grid", name="good.swf.gz")
    assert (imp.status, imp.jobs_added) == ("done", 5)
    assert UsageSummary.objects.aggregate(jobs=Sum("jobs"))["jobs"] == 5
    assert set(UsageSummary.objects.values_list("account", flat=True)) == {"21", "22", "23", ""}


def test_a_database_error_while_storing_fails_the_import_and_keeps_nothing(monkeypatch):
    real_writer_for = services.writer_for

    class Breaking:
        def __init__(self, writer):
            self.writer, self.calls = writer, 0

        def write(self, rows):
            self.calls += 1
            if self.calls == 2:
                raise RuntimeError("connection lost")
            return self.writer.write(rows)

    monkeypatch.setattr(services, "writer_for",
                        lambda *args, **kwargs: Breaking(real_writer_for(*args, **kwargs)))
    data = good_lines(25_000)
    imp = accounting_import_create(file_name="f", size_bytes=len(data),
                                   sha256=hashlib.sha256(data).hexdigest(), format="sacct",
                                   cluster="algo", source="upload")
    with pytest.raises(RuntimeError, match="connection lost"):
        accounting_import_run(accounting_import=imp, stream=io.BytesIO(data))
    imp.refresh_from_db()
    assert imp.status == "failed" and imp.jobs_added == 0
    assert not JobRecord.objects.exists() and not UsageSummary.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_to_other_connections_during_the_import():
    """On PostgreSQL another connection (the upload page) sees bytes and lines read
    while the import's transaction is still open; on SQLite only the callback does."""
    data = good_lines(30_000)
    seen = []
    other = connections.create_connection("default")

    def look(bytes_read, lines_read):
        with other.cursor() as cursor:
            cursor.execute("SELECT bytes_read, lines_read, status FROM "
                           "resources_accountingimport")
            row = cursor.fetchone()
            cursor.execute("SELECT COUNT(*) FROM resources_jobrecord")
            seen.append((*row, cursor.fetchone()[0]))

    try:
        imp = run_import(data, progress=look)
    finally:
        other.close()
    assert imp.status == "done" and imp.jobs_added == 30_000
    bytes_read, lines_read, status, jobs_visible = seen[0]
    assert status == "running"
    assert jobs_visible == 0  # the jobs appear all at once, when the import commits
    if connection.vendor == "postgresql":
        assert bytes_read > 0 and lines_read >= 10_000
    else:
        assert (bytes_read, lines_read) == (0, 0)


@pytest.mark.parametrize("months_compared", [240, 1])
def test_months_in_paris_across_summer_time(monkeypatch, months_compared):
    """Summer time (UTC+2) from 2026-03-29 to 2026-10-25: 22:30 UTC on 31 March is
    00:30 on 1 April in Paris, 22:30 UTC on 30 April is 1 May; winter time (UTC+1)
    again on 31 October: 22:30 UTC is still October, 23:30 UTC is November. The
    same with the month computed row by row (the fallback)."""
    monkeypatch.setattr(summaries, "MAX_MONTHS_COMPARED", months_compared)
    ends = {"1": "2026-03-31T21:59:59", "2": "2026-03-31T22:30:00", "3": "2026-04-30T21:30:00",
            "4": "2026-04-30T22:30:00", "5": "2026-10-31T22:30:00", "6": "2026-10-31T23:30:00"}
    data = "".join(sacct_line(jobid=job_id, submit="2026-03-01T00:00:00",
                              eligible="2026-03-01T00:00:00", start="2026-03-01T00:00:00",
                              end=end) + "\n" for job_id, end in ends.items()).encode()
    run_import(data)
    months = dict(UsageSummary.objects.values_list("month", "jobs"))
    assert months == {dt.date(2026, 3, 1): 1, dt.date(2026, 4, 1): 2, dt.date(2026, 5, 1): 1,
                      dt.date(2026, 10, 1): 1, dt.date(2026, 11, 1): 1}


@pytest.mark.django_db(transaction=True)
def test_overlapping_exports_imported_at_the_same_time_count_each_job_once():
    """Two connections import two overlapping files of one cluster at once: the
    imports of a cluster run one after the other, so no deadlock, each job once."""
    files = [good_lines(20_000, start=1), good_lines(20_000, start=10_001)]
    imports = [accounting_import_create(
        file_name=f"part{n}", size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
        format="sacct", cluster="algo", source="api") for n, data in enumerate(files)]
    failures = []

    def work(accounting_import, data):
        try:
            accounting_import_run(accounting_import=accounting_import, stream=io.BytesIO(data))
        except Exception as exc:  # reported to the test thread
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=pair) for pair in zip(imports, files,
                                                                        strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures
    results = [AccountingImport.objects.get(pk=imp.pk) for imp in imports]
    assert [r.status for r in results] == ["done", "done"]
    assert sorted((r.jobs_added, r.duplicates_skipped) for r in results) == [
        (10_000, 10_000), (20_000, 0)]
    assert JobRecord.objects.count() == 30_000
    assert UsageSummary.objects.aggregate(jobs=Sum("jobs"))["jobs"] == 30_000
