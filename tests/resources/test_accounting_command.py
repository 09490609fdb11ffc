"""``manage.py import_accounting``: counts printed, non-zero exit when refused or failed."""

import gzip
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from resources.management.commands.import_accounting import ProgressBar
from resources.models import AccountingImport, JobRecord

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FIXTURES = Path(__file__).parent / "fixtures"


def run(*args, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_accounting", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_command_imports_and_prints_the_counts():
    out, err = run(str(FIXTURES / "sacct_cases.log"), "--format", "sacct", "--cluster", "algo")
    imp = AccountingImport.objects.get()
    assert (imp.source, imp.status, imp.jobs_added, imp.cluster) == ("command", "done", 12, "algo")
    assert imp.file_name == "sacct_cases.log" and imp.size_bytes > 0 and len(imp.sha256) == 64
    assert "sacct_cases.log" in out and ": done" in out
    for label, value in (("lines read", 18), ("jobs added", 12), ("duplicates skipped", 0),
                         ("steps skipped", 3), ("unfinished skipped", 3), ("bad lines", 0)):
        assert any(line.strip().startswith(f"{label}:") and line.split()[-1] == str(value)
                   for line in out.splitlines()), label
    assert err == ""  # no progress bar when stderr is not a terminal


def test_command_refuses_the_same_file_twice():
    path = str(FIXTURES / "sacct_cases.log")
    run(path, "--format", "sacct", "--cluster", "algo")
    with pytest.raises(CommandError, match="already imported"):
        run(path, "--format", "sacct", "--cluster", "algo")
    assert JobRecord.objects.count() == 12


def test_command_refuses_a_file_too_large():
    with override_settings(ACCOUNTING_MAX_FILE_BYTES=100), \
            pytest.raises(CommandError, match="too large"):
        run(str(FIXTURES / "sacct_cases.log"), "--format", "sacct", "--cluster", "algo")
    assert not AccountingImport.objects.exists()


def test_command_exits_non_zero_when_the_import_fails():
    with pytest.raises(CommandError, match="does not look like sacct output"):
        run(str(FIXTURES / "swf_small.swf"), "--format", "sacct", "--cluster", "algo")
    assert AccountingImport.objects.get().status == "failed"
    assert not JobRecord.objects.exists()


def test_command_prints_the_first_errors(tmp_path):
    good = (FIXTURES / "sacct_cases.log").read_bytes()
    path = tmp_path / "mixed.log"
    path.write_bytes(good + b"1|1|bad\n")
    with override_settings(ACCOUNTING_BAD_LINE_LIMIT=0.5):
        out, _err = run(str(path), "--format", "sacct", "--cluster", "algo")
    assert "done with errors" in out
    assert "line 19: expected 26 or 27 fields separated by '|', found 3" in out


def test_command_swf_gzip_with_progress_bar(tmp_path):
    lines = (FIXTURES / "swf_small.swf").read_bytes().split(b"\n")[:11]
    path = tmp_path / "small.swf.gz"
    path.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    out, err = run(str(path), "--format", "swf", "--cluster", "grid", "--progress")
    assert "jobs added:" in out and AccountingImport.objects.get().jobs_added == 5
    assert "[##############################] 100.0 %" in err
    assert err.endswith("\n")


def test_command_missing_file():
    with pytest.raises(CommandError, match="Cannot read"):
        run("/nonexistent/file.log", "--format", "sacct", "--cluster", "algo")


def test_progress_bar_redraws_at_most_four_times_a_second():
    stream = io.StringIO()

    class Wrapper:
        def write(self, text, ending="\n"):
            stream.write(text + ending)

        def flush(self):
            pass

    bar = ProgressBar(Wrapper(), total=1000)
    for read in range(0, 1000, 10):
        bar.update(read, read // 10)
    assert stream.getvalue().count("\r") == 1  # the first draw; the others came too soon
    bar.update(1000, 100, force=True)
    assert "100.0 %" in stream.getvalue()
