"""The accounting the demonstration computes on: two real, public traces moved in time,
or — when the data folder is absent — two small synthetic files.

Real traces (``../shared/data/accounting``, or ``$ALGORIC_SHARED_DATA/accounting``):

- ``pozidriv.sacct.log``: 11,704 jobs of a Slurm cluster (Open XDMoD reference data),
  ending from 2016-12-30 to 2017-01-01 UTC; 7 Slurm accounts.
- ``LCG-2005-1.swf.gz``: 188,041 jobs of the LHC Computing Grid (Parallel Workloads
  Archive), ending from 2005-11-20 to 2005-12-02; 28 groups (the group id stands for
  the account).

Both cover a few days only. They are moved by whole days so that the data's last year
becomes last year and the current year has data too: pozidriv's 30 December becomes
30 December of last year (its jobs of 1 January fall in January of this year), and
the LCG's 27 November 2005 becomes 1 January of this year (about half of its
core-hours end in the last week of December, half in the first week of January). The
shift is stored with each import and shown on the pages that use the figures.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

#: Cluster names the traces are imported under.
POZIDRIV = "pozidriv"
LCG = "lcg"

#: The day of each trace that is moved to a chosen day of the demo years.
POZIDRIV_ANCHOR = dt.date(2016, 12, 30)   # → 30 December of last year
LCG_ANCHOR = dt.date(2005, 11, 27)        # → 1 January of this year


@dataclass(frozen=True)
class Trace:
    """A file to import: ``path``, ``format`` (``sacct`` or ``swf``), ``cluster``,
    ``shift_days`` (whole days added to every time), ``real`` (a real trace, or a
    synthetic file made for the demonstration)."""

    path: Path
    format: str
    cluster: str
    shift_days: int
    real: bool


def shared_data_dir() -> Path:
    """The folder of real data: ``$ALGORIC_SHARED_DATA`` or ``../shared/data`` beside the
    repository."""
    configured = os.environ.get("ALGORIC_SHARED_DATA")
    return Path(configured) if configured else settings.BASE_DIR.parent / "shared" / "data"


def shifts(*, today: dt.date) -> dict[str, int]:
    """Days added to each real trace for the demo years of ``today``:
    ``{"pozidriv": n, "lcg": n}`` (see the module docstring)."""
    year = today.year
    return {POZIDRIV: (dt.date(year - 1, 12, 30) - POZIDRIV_ANCHOR).days,
            LCG: (dt.date(year, 1, 1) - LCG_ANCHOR).days}


def real_traces(*, data_dir: Path, today: dt.date) -> list[Trace] | None:
    """The two real traces with their shifts, or ``None`` when either file is absent."""
    folder = data_dir / "accounting"
    pozidriv, lcg = folder / "pozidriv.sacct.log", folder / "LCG-2005-1.swf.gz"
    if not (pozidriv.is_file() and lcg.is_file()):
        return None
    days = shifts(today=today)
    return [Trace(pozidriv, "sacct", POZIDRIV, days[POZIDRIV], True),
            Trace(lcg, "swf", LCG, days[LCG], True)]


# --- Synthetic stand-ins ----------------------------------------------------------------

#: Accounts of the synthetic files, with a weight (share of the jobs) — the same names
#: as the real traces, so the same projects match them.
SYNTHETIC_POZIDRIV_ACCOUNTS = {"calla": 30, "taifl": 25, "caste": 12, "balsh": 8,
                               "field": 5, "savwa": 3, "ibech": 2}
SYNTHETIC_LCG_GROUPS = {"4": 30, "1": 18, "16": 10, "2": 8, "11": 6, "21": 5, "9": 4,
                        "5": 4, "7": 3, "8": 3, "6": 3, "13": 2, "10": 2, "3": 2, "12": 2,
                        "25": 1, "19": 1, "20": 1}


def _synthetic_end(today: dt.date) -> dt.date:
    """The last day of synthetic data: the end of last month (so the file stays the same
    all month long), or yesterday in January."""
    first = today.replace(day=1)
    return today - dt.timedelta(days=1) if today.month == 1 else first - dt.timedelta(days=1)


def _instants(rng: random.Random, *, count: int, start: dt.datetime,
              end: dt.datetime) -> list[dt.datetime]:
    span = (end - start).total_seconds()
    return sorted(start + dt.timedelta(seconds=rng.random() * span) for _ in range(count))


def _elapsed(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days}-{clock}" if days else clock


def write_synthetic_sacct(path: Path, *, today: dt.date, jobs: int = 1500) -> Path:
    """Write a small SYNTHETIC sacct file (26 fields, no header) of ``jobs`` jobs of the
    pozidriv accounts, ending from 1 January of last year to the end of last month. Same
    month: same bytes (so a second run imports nothing)."""
    rng = random.Random(f"algoric-demo-sacct-{today.year}")
    start = dt.datetime(today.year - 1, 1, 1, 1)
    end = dt.datetime.combine(_synthetic_end(today), dt.time(12))
    accounts = list(SYNTHETIC_POZIDRIV_ACCOUNTS)
    weights = list(SYNTHETIC_POZIDRIV_ACCOUNTS.values())
    states = ["COMPLETED"] * 16 + ["FAILED", "TIMEOUT", "CANCELLED by 1001", "OUT_OF_MEMORY"]
    lines = []
    for number, ended in enumerate(_instants(rng, count=jobs, start=start, end=end), 1):
        account = rng.choices(accounts, weights)[0]
        cpus = rng.choice([1, 2, 4, 8, 16, 24, 32, 48])
        seconds = rng.randint(300, 36 * 3600)
        started = ended - dt.timedelta(seconds=seconds)
        submitted = started - dt.timedelta(seconds=rng.randint(5, 6 * 3600))
        user = f"{account[:3]}{rng.randint(1, 3)}"
        partition = rng.choices(["black", "croutons", "bannock"], [8, 3, 1])[0]
        gpus = 1 if partition == "bannock" else 0
        tres = f"billing={cpus},cpu={cpus},mem={cpus * 4000}M,node=1"
        if gpus:
            tres += f",gres/gpu={gpus}"
        fmt = "%Y-%m-%dT%H:%M:%S"
        lines.append("|".join([
            str(900000 + number), str(900000 + number), POZIDRIV, partition, "normal",
            account, account, "5000", user, str(6000 + number % 7),
            submitted.strftime(fmt), submitted.strftime(fmt), started.strftime(fmt),
            ended.strftime(fmt), _elapsed(seconds), "0:0", rng.choice(states), "1",
            str(cpus), str(cpus), f"{cpus * 4000}Mn", tres, tres, "2-00:00:00", "node001",
            "synthetic-demo-job"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_synthetic_swf(path: Path, *, today: dt.date, jobs: int = 2500) -> Path:
    """Write a small SYNTHETIC SWF trace of ``jobs`` jobs of the LCG groups, over last
    year and this year up to the end of last month (same month: same bytes)."""
    rng = random.Random(f"algoric-demo-swf-{today.year}")
    origin = dt.datetime(today.year - 1, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime.combine(_synthetic_end(today) - dt.timedelta(days=2), dt.time(0),
                              tzinfo=dt.UTC)
    groups, weights = list(SYNTHETIC_LCG_GROUPS), list(SYNTHETIC_LCG_GROUPS.values())
    lines = ["; Version: 2.2", "; Computer: SYNTHETIC demonstration trace (not real data)",
             f"; UnixStartTime: {int(origin.timestamp())}", "; TimeZoneString: UTC"]
    for number, submitted in enumerate(_instants(rng, count=jobs, start=origin, end=end), 1):
        submit = int((submitted - origin).total_seconds())
        wait = rng.randint(0, 4 * 3600)
        run = rng.randint(60, 30 * 3600)
        cpus = rng.choice([1, 1, 1, 2, 4])
        status = rng.choices([1, 0, 5], [17, 2, 1])[0]
        lines.append(" ".join(str(value) for value in (
            number, submit, wait, run, cpus, -1, -1, cpus, 172800, -1, status,
            rng.randint(1, 60), rng.choices(groups, weights)[0], -1, -1,
            rng.choice([1, 2, 8]), -1, -1)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def synthetic_traces(*, folder: Path, today: dt.date) -> list[Trace]:
    """Two small synthetic files in ``folder`` (written when absent or different), dated
    in the demo years already (no shift)."""
    return [
        Trace(write_synthetic_sacct(folder / f"synthetic-pozidriv-{today.year}.sacct.log",
                                    today=today), "sacct", POZIDRIV, 0, False),
        Trace(write_synthetic_swf(folder / f"synthetic-lcg-{today.year}.swf", today=today),
              "swf", LCG, 0, False),
    ]
