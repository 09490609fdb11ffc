"""``collect_accounting`` against a fake ``sacct``: the exact command, the import through
the accounting service, nothing added twice, and missing, failing or slow commands."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from resources.accounting.selectors import OVERLAP, collect_since
from resources.models import AccountingImport, JobRecord
from resources.selectors.clusters import cluster_failures
from resources.services.clusters import SACCT_FIELDS

from ..factories import ClusterFactory

pytestmark = pytest.mark.django_db
CLUSTER = "pozi"
TODAY = timezone.now().astimezone(dt.UTC).date()


def line(job: int, *, account="grant", state="COMPLETED", ncpus=2, seconds=90) -> str:
    """One sacct line in the push format; ``state`` PENDING gives an unfinished job."""
    day = TODAY.isoformat()
    submit = f"{day}T00:0{job % 10}:00"
    if state == "PENDING":
        start = end = "Unknown"
        elapsed = "00:00:00"
    else:
        start = f"{day}T00:1{job % 10}:00"
        end_time = dt.datetime.fromisoformat(start) + dt.timedelta(seconds=seconds)
        end = end_time.strftime("%Y-%m-%dT%H:%M:%S")
        elapsed = f"00:{seconds // 60:02d}:{seconds % 60:02d}"
    return (f"{job}|{job}|{CLUSTER}|compute|normal|{account}|root|0|root|0|{submit}|{submit}|"
            f"{start}|{end}|{elapsed}|0:0|{state}|1|{ncpus}|{ncpus}|2000M|"
            f"billing={ncpus},cpu={ncpus},mem=2000M,node=1|billing={ncpus},cpu={ncpus},node=1|"
            f"00:05:00|vm|wrap|\n")


@pytest.fixture
def cluster(db):
    return ClusterFactory(name=CLUSTER)


def collect(*args) -> str:
    out = StringIO()
    call_command("collect_accounting", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_collect_runs_sacct_in_the_push_format_and_imports(cluster, fake_slurm):
    fake_slurm.update(sacct_output=line(1) + line(2, ncpus=1, seconds=60)
                      + line(3, state="PENDING"))
    out = collect("--cluster", CLUSTER, "--since", "2026-01-01")
    assert "2 jobs added" in out and "1 not finished yet" in out
    [call] = fake_slurm.calls
    assert call["command"] == "sacct" and call["tz"] == "UTC"
    assert call["args"] == [
        "--allusers", "--parsable2", "--noheader", "--allocations", "--duplicates",
        "--clusters", CLUSTER, "--starttime", "2026-01-01T00:00:00", "--endtime", "now",
        "--format", SACCT_FIELDS]
    assert "consumedenergyraw" in SACCT_FIELDS and len(SACCT_FIELDS.split(",")) == 27
    imported = AccountingImport.objects.get()
    assert (imported.source, imported.cluster, imported.status) == (
        AccountingImport.Source.COLLECT, CLUSTER, AccountingImport.Status.DONE)
    assert JobRecord.objects.count() == 2
    assert sum(JobRecord.objects.values_list("core_hours", flat=True)) == pytest.approx(
        (90 * 2 + 60 * 1) / 3600)
    cluster.refresh_from_db()
    assert (cluster.last_collect_ok, cluster.last_collect_jobs) == (True, 2)


def test_second_collection_adds_nothing_and_starts_from_the_last_end(cluster, fake_slurm):
    fake_slurm.update(sacct_output=line(1) + line(2))
    collect("--cluster", CLUSTER)
    last_end = JobRecord.objects.latest("end_time").end_time
    assert collect_since(cluster=cluster) == last_end - OVERLAP
    out = collect("--cluster", CLUSTER)
    assert "nothing new since" in out
    assert fake_slurm.calls[-1]["args"][8] == (last_end - OVERLAP).astimezone(
        dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    # A new job and the old ones again: only the new one is added.
    fake_slurm.update(sacct_output=line(1) + line(2) + line(4))
    out = collect("--cluster", CLUSTER)
    assert "1 jobs added, 2 already known" in out
    assert JobRecord.objects.count() == 3


def test_first_collection_starts_on_the_first_of_january(cluster):
    since = collect_since(cluster=cluster)
    assert timezone.localtime(since).timetuple()[:6] == (timezone.localdate().year, 1, 1,
                                                         0, 0, 0)


def test_empty_output_is_not_an_error(cluster, fake_slurm):
    out = collect("--cluster", CLUSTER)
    assert "nothing new" in out
    assert not AccountingImport.objects.exists()


@pytest.mark.parametrize(("fault", "reason"), [
    ({"fail": True}, "failed (exit status 1)"),
    ({"sleep": 3}, "did not answer within 0.5 s"),
])
def test_failing_or_slow_sacct_imports_nothing_and_is_shown(cluster, fake_slurm, settings,
                                                             fault, reason):
    settings.SLURM_SACCT_TIMEOUT = 0.5
    fake_slurm.update(sacct_output=line(1), **fault)
    err = StringIO()
    with pytest.raises(CommandError, match="Collection failed for: pozi"):
        call_command("collect_accounting", "--cluster", CLUSTER, stdout=StringIO(), stderr=err)
    assert reason in err.getvalue()
    assert not AccountingImport.objects.exists() and not JobRecord.objects.exists()
    cluster.refresh_from_db()
    assert cluster.last_collect_ok is False and reason in cluster.last_collect_error
    [failure] = cluster_failures()
    assert (failure.work, failure.error) == ("collect", cluster.last_collect_error)


def test_missing_sacct(cluster, settings):
    settings.SLURM_SACCT = "/nonexistent/sacct"
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("collect_accounting", "--cluster", CLUSTER, stdout=StringIO(), stderr=err)
    assert "sacct was not found" in err.getvalue()


def test_output_that_is_not_sacct_fails_the_collection(cluster, fake_slurm):
    fake_slurm.update(sacct_output="this is not sacct\n" * 20)
    with pytest.raises(CommandError):
        collect("--cluster", CLUSTER)
    cluster.refresh_from_db()
    assert cluster.last_collect_ok is False and "import" in cluster.last_collect_error
    assert not JobRecord.objects.exists()


def test_bad_since_and_unknown_cluster_are_refused(cluster, fake_slurm):
    with pytest.raises(CommandError, match="--since"):
        collect("--cluster", CLUSTER, "--since", "yesterday")
    with pytest.raises(CommandError, match="Unknown cluster"):
        collect("--cluster", "nowhere")
    assert fake_slurm.calls == []


def test_beat_task_does_nothing_unless_enabled(cluster, fake_slurm, settings):
    from resources.tasks import collect_accounting_clusters

    fake_slurm.update(sacct_output=line(1))
    settings.ACCOUNTING_COLLECT = False
    assert collect_accounting_clusters() == {}
    settings.ACCOUNTING_COLLECT = True
    assert collect_accounting_clusters() == {CLUSTER: 1}
    assert collect_accounting_clusters() == {CLUSTER: 0}
