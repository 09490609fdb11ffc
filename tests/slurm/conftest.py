"""Fixtures of the Slurm tests: a fake ``sacctmgr``/``sacct`` on PATH (unit tests) and a
real one-node Slurm cluster started by ``.ci/slurm-setup`` (end-to-end tests)."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from . import fake_slurm as fake_commands

ROOT = Path(__file__).resolve().parents[2]
SETUP = ROOT / ".ci" / "slurm-setup"
#: Another test session on the same machine using the real cluster waits this long at most.
LOCK_WAIT_SECONDS = 600


class FakeSlurm:
    """The fake's state file: ``state`` reads it, ``update(**values)`` changes it."""

    def __init__(self, path: Path):
        self.path = path

    @property
    def state(self) -> dict:
        return json.loads(self.path.read_text())

    def update(self, **values) -> None:
        state = self.state
        state.update(values)
        self.path.write_text(json.dumps(state))

    @property
    def calls(self) -> list[dict]:
        return self.state.get("calls", [])

    def writes(self) -> list[list[str]]:
        """The sacctmgr calls that change something (``-i …``)."""
        return [call["args"] for call in self.calls
                if call["command"] == "sacctmgr" and call["args"][:1] == ["-i"]]


@pytest.fixture(autouse=True)
def _english(english):
    """The commands' output is compared in English (the portal's default is French): the
    ``english`` fixture of tests/conftest.py, for every Slurm test."""


@pytest.fixture
def fake_slurm(tmp_path, monkeypatch, settings):
    """A fake ``sacctmgr`` and ``sacct`` first on PATH, with an empty cluster."""
    folder = tmp_path / "bin"
    folder.mkdir()
    fake_commands.install(folder, sys.executable)
    state = tmp_path / "slurm-state.json"
    state.write_text(json.dumps({"assoc": {}, "tres": ["cpu", "mem", "energy", "node",
                                                       "billing"]}))
    monkeypatch.setenv("FAKE_SLURM_STATE", str(state))
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    settings.SLURM_SACCTMGR = "sacctmgr"
    settings.SLURM_SACCT = "sacct"
    settings.SLURM_COMMAND_TIMEOUT = 10
    return FakeSlurm(state)


class Timings:
    """Step timings of the end-to-end test, printed at the end of the session."""

    def __init__(self):
        self.steps: list[tuple[str, float]] = []
        self.started = time.monotonic()
        self.last = self.started

    def step(self, name: str) -> None:
        now = time.monotonic()
        self.steps.append((name, now - self.last))
        print(f"[slurm e2e] {name}: {now - self.last:.2f} s", flush=True)
        self.last = now

    def report(self) -> str:
        lines = [f"  {name:<72} {seconds:6.2f} s" for name, seconds in self.steps]
        # From the start to the last step (the summary is printed at the session's end).
        lines.append(f"  {'total':<72} {self.last - self.started:6.2f} s")
        return "\n".join(lines)


#: The timings of this session's end-to-end run, printed in the terminal summary.
_TIMINGS: list[Timings] = []


def pytest_terminal_summary(terminalreporter):
    """Print the end-to-end test's step timings at the end of the run."""
    for timings in _TIMINGS:
        terminalreporter.write_sep("-", "Slurm end-to-end step timings")
        terminalreporter.write_line(timings.report())


def _skip_reason() -> str | None:
    missing = [name for name in ("sacctmgr", "sacct", "sbatch", "squeue", "scancel")
               if shutil.which(name) is None]
    missing += [name for name in ("munged", "slurmdbd", "slurmctld", "slurmd")
                if not Path("/usr/sbin", name).exists()]
    if missing:
        return ("Slurm is not installed here (missing: " + ", ".join(missing)
                + "); apt-get install slurm-wlm slurmdbd munge — .ci/run does it")
    if shutil.which("mysqladmin") is None:
        return "MariaDB is not installed here (apt-get install mariadb-server)"
    if os.geteuid() != 0:
        return "starting the Slurm daemons needs root"
    return None


@pytest.fixture(scope="module")
def slurm_cluster():
    """A real one-node Slurm cluster (``algoric``) for the tests of a module.

    Started by ``.ci/slurm-setup start`` (idempotent: what runs already is reused);
    the daemons it started are stopped at the end by their pid files, in reverse
    order. A lock file keeps two test sessions of this machine from sharing the
    daemons. Skips with the reason when Slurm cannot run here.
    """
    reason = _skip_reason()
    if reason and os.environ.get("SLURM_TESTS_REQUIRED"):
        pytest.fail(f"SLURM_TESTS_REQUIRED is set but {reason}")
    if reason:
        pytest.skip(reason)
    timings = Timings()
    lock = open("/tmp/algoric-slurm-tests.lock", "w")  # noqa: SIM115 (held for the session)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                lock.close()
                pytest.skip("another test session holds the Slurm cluster for over 10 min")
            time.sleep(1)
    timings.step("waited for the cluster lock")
    started = subprocess.run([str(SETUP), "start"], capture_output=True, text=True,
                             timeout=180, check=False)
    print(started.stderr, end="", file=sys.stderr)
    if started.returncode != 0:
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()
        pytest.fail(f".ci/slurm-setup start failed ({started.returncode}): {started.stderr}")
    daemons = [line.split()[1] for line in started.stdout.splitlines()
               if line.startswith("started ")]
    timings.step("started munge, MariaDB, slurmdbd, slurmctld, slurmd "
                 f"({', '.join(daemons) or 'all already running'})")
    try:
        yield {"cluster": "algoric", "timings": timings, "started": daemons}
    finally:
        _TIMINGS.append(timings)
        stop = [name for name in ("slurmd", "slurmctld", "slurmdbd", "mariadbd", "munged")
                if name in daemons]
        if stop:
            subprocess.run([str(SETUP), "stop", *stop], timeout=150, check=False)
        timings.step(f"stopped {', '.join(stop) or 'nothing'} by pid")
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()
