"""Imports of the real traces in ../shared/data/accounting (skipped when absent).

``pozidriv.sacct.log``: 11,704 jobs of a real Slurm cluster (Open XDMoD reference
data); ``LCG-2005-1.swf.gz``: 188,041 jobs of the LHC Computing Grid (Parallel
Workloads Archive). The folder is found at ``../shared/data`` from the repository
root, or where ``ALGORIC_SHARED_DATA`` points.
"""

import gzip
import hashlib
import os
import shutil
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from resources.accounting.services.imports import (
    accounting_import_create,
    accounting_import_run,
)
from resources.accounting.services.intake import sha256_of
from resources.models import AccountingImport, JobRecord, UsageSummary

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

REPOSITORY = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("ALGORIC_SHARED_DATA") or REPOSITORY.parent / "shared" / "data")
POZIDRIV = SHARED_DATA / "accounting" / "pozidriv.sacct.log"
LCG = SHARED_DATA / "accounting" / "LCG-2005-1.swf.gz"


def need(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"real trace {path} absent (set ALGORIC_SHARED_DATA to the folder "
                    "holding accounting/)")
    return path


def import_file(path: Path, *, format: str, cluster: str) -> AccountingImport:
    with path.open("rb") as stream:
        accounting_import = accounting_import_create(
            file_name=path.name, size_bytes=path.stat().st_size, sha256=sha256_of(stream),
            format=format, cluster=cluster, source="command")
        return accounting_import_run(accounting_import=accounting_import, stream=stream)


def independent_core_hours(path: Path) -> float:
    """Σ elapsed × NCPUS / 3600 over the file, with a parser of its own (fields 15, 19)."""
    total = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("|")
        days, _dash, clock = fields[14].rpartition("-")
        hours, minutes, seconds = (int(part) for part in clock.split(":"))
        elapsed = int(days or 0) * 86400 + hours * 3600 + minutes * 60 + seconds
        total += elapsed * int(fields[18])
    return total / 3600


def test_pozidriv_lines_jobs_and_core_hours():
    path = need(POZIDRIV)
    imp = import_file(path, format="sacct", cluster="pozidriv")
    assert imp.status == AccountingImport.Status.DONE
    assert imp.lines_read == 11_704
    assert (imp.jobs_added + imp.duplicates_skipped + imp.steps_skipped
            + imp.unfinished_skipped + imp.error_count) == 11_704
    assert imp.jobs_added == 11_704
    core_hours = JobRecord.objects.aggregate(total=Sum("core_hours"))["total"]
    assert core_hours == pytest.approx(independent_core_hours(path), rel=1e-9)
    summed = UsageSummary.objects.aggregate(total=Sum("core_hours"), jobs=Sum("jobs"))
    assert summed["jobs"] == 11_704
    assert summed["total"] == pytest.approx(core_hours, rel=1e-9)
    assert JobRecord.objects.values("account").distinct().count() == 7
    assert JobRecord.objects.values("user").distinct().count() == 18
    assert set(JobRecord.objects.values_list("state", flat=True)) == {
        "COMPLETED", "FAILED", "CANCELLED", "PREEMPTED", "TIMEOUT"}


def test_pozidriv_again_adds_nothing_and_one_more_line_adds_one_job(tmp_path):
    path = need(POZIDRIV)
    import_file(path, format="sacct", cluster="pozidriv")
    with pytest.raises(ValidationError, match="already imported"):
        import_file(path, format="sacct", cluster="pozidriv")
    assert JobRecord.objects.count() == 11_704
    copy = tmp_path / "pozidriv-plus-one.log"
    shutil.copyfile(path, copy)
    first = path.read_text(encoding="utf-8").splitlines()[0].split("|")
    first[0] = first[1] = "99999999"
    with copy.open("a", encoding="utf-8") as handle:
        handle.write("|".join(first) + "\n")
    imp = import_file(copy, format="sacct", cluster="pozidriv")
    assert (imp.status, imp.lines_read, imp.jobs_added, imp.duplicates_skipped) == (
        "done", 11_705, 1, 11_704)
    assert JobRecord.objects.count() == 11_705
    assert UsageSummary.objects.aggregate(jobs=Sum("jobs"))["jobs"] == 11_705


def test_lcg_swf_jobs_with_group_ids_as_accounts():
    path = need(LCG)
    imp = import_file(path, format="swf", cluster="lcg")
    assert imp.status == AccountingImport.Status.DONE
    assert imp.jobs_added == 188_041
    assert imp.bytes_read == path.stat().st_size
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        groups = {line.split()[12] for line in lines
                  if line.strip() and not line.startswith(";")}
    accounts = set(JobRecord.objects.values_list("account", flat=True).distinct())
    assert accounts == groups
    assert UsageSummary.objects.aggregate(jobs=Sum("jobs"))["jobs"] == 188_041


def test_sha256_of_the_real_file():
    path = need(POZIDRIV)
    with path.open("rb") as stream:
        assert sha256_of(stream) == hashlib.sha256(path.read_bytes()).hexdigest()
