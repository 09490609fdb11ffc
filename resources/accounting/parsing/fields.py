"""The parts of accounting parsing shared by ``sacct`` and SWF: fields, rows, counts.

- the row layout: :data:`COLUMNS`, :data:`COPY_COLUMNS` (a row is one line of
  PostgreSQL ``COPY`` text, :func:`copy_escape`, :func:`copy_line_ends`), a
  :class:`Batch` of rows (:func:`make_batch`);
- what the parser saw (:class:`ParseStats`: lines, skipped lines, the first bad
  lines with their reason), :class:`BadFile` and :class:`BadLine`;
- the energy figures of a partition (:class:`Power`);
- the field parsers, each raising :class:`BadLine` or returning ``None`` for
  "unknown": UTC times (with a time shift), elapsed times, time limits, requested
  memory, GPUs in a TRES list, counts.

Part of the import's hot path (see :mod:`resources.accounting.parsing`): plain
``str`` methods instead of regular expressions.
"""

from __future__ import annotations

import bisect
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import itemgetter

from django.utils.translation import gettext as _

#: The columns of a row tuple, as named in ``resources.JobRecord`` (the cluster and
#: the import are the same for every row of a file and are added by the writers).
COLUMNS = (
    "job_id", "job_id_raw", "job_name", "account", "user", "group", "partition", "qos",
    "submit_time", "eligible_time", "start_time", "end_time", "elapsed_seconds",
    "nodes", "cpus", "gpus", "requested_memory_mb", "time_limit_minutes", "state",
    "exit_code", "core_hours", "gpu_hours", "energy_kwh", "energy_method",
)
#: Columns holding UTC times as text.
TIME_COLUMNS = ("submit_time", "eligible_time", "start_time", "end_time")
#: The columns of a ``COPY`` line: the job table's columns the importer writes.
COPY_COLUMNS = ("cluster", *COLUMNS, "accounting_import_id")
#: ``NULL`` in PostgreSQL's COPY text format.
COPY_NULL = "\\N"

#: Energy methods, as in ``JobRecord.EnergyMethod``.
MEASURED, ESTIMATED, NO_ENERGY = "measured", "estimated", "none"

#: How many bad lines are kept with their reason (all are counted).
MAX_ERRORS = 100
#: Longest raw job id (``JobRecord.job_id_raw``); a longer one makes the line bad,
#: since truncating a key could merge two jobs.
MAX_JOB_ID_RAW = 32
#: Largest count (nodes, CPUs, GPUs) stored (PostgreSQL ``integer``).
MAX_COUNT = 2**31 - 1
#: Largest requested memory stored, MB (PostgreSQL ``bigint``); more is garbage: ``None``.
MAX_MEMORY_MB = 2**62
#: Longest elapsed time accepted, seconds (about 300 years: anything longer is garbage).
MAX_ELAPSED = 10**10
#: ConsumedEnergyRaw values from here on are Slurm's "unknown" markers, not joules.
ENERGY_RAW_LIMIT = 1.8e19
#: Size of the value caches (elapsed, memory, time limit, TRES); cleared when full.
CACHE_SIZE = 10_000

_fromisoformat = datetime.fromisoformat


class BadFile(Exception):
    """The file cannot be read at all (a header without required columns, broken gzip).

    ``str(exc)`` is the reason, for the import's ``failure``.
    """


class BadLine(ValueError):
    """One line cannot be used; ``str(exc)`` is the reason."""


def copy_escape(value: str) -> str:
    """``value`` as a field of PostgreSQL's COPY text format: backslash, tab, newline
    and carriage return escaped (``COPY … FROM`` documentation, "Text Format")."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return (value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                .replace("\r", "\\r"))
    return value


def copy_line_ends(cluster: str, import_id: int | None) -> tuple[str, str]:
    """The start and end of every COPY line of an import: ``(cluster + tab,
    tab + import id + newline)`` (:data:`COPY_COLUMNS`)."""
    tail = COPY_NULL if import_id is None else str(int(import_id))
    return copy_escape(cluster[:64]) + "\t", "\t" + tail + "\n"


@dataclass(slots=True)
class Batch:
    """Parsed rows, ready to store.

    ``rows``: how many; ``text``: one PostgreSQL COPY text line per row
    (:data:`COPY_COLUMNS`, ``\\N`` for NULL, each line ending in a newline);
    ``first_submit`` … ``last_end``: the earliest and latest submit and end times of
    the rows, UTC text (text order is time order).
    """

    rows: int
    text: str
    first_submit: str
    last_submit: str
    first_end: str
    last_end: str


def make_batch(lines: list[str], submits: list[str], ends: list[str]) -> Batch:
    """A :class:`Batch` of COPY ``lines`` whose submit and end times are ``submits`` and
    ``ends`` (same length, not empty)."""
    return Batch(rows=len(lines), text="".join(lines), first_submit=min(submits),
                 last_submit=max(submits), first_end=min(ends), last_end=max(ends))


@dataclass
class ParseStats:
    """What the parser saw. Counts are lines; ``errors``: ``[{"line": n, "reason": str}]``."""

    lines_read: int = 0
    data_lines: int = 0
    steps_skipped: int = 0
    unfinished_skipped: int = 0
    error_count: int = 0
    errors: list[dict] = field(default_factory=list)

    def bad(self, line: int, reason: str) -> None:
        """Count a bad line; keep its number and reason if it is among the first
        :data:`MAX_ERRORS` by line number (errors may be found out of order: bytes
        that are not UTF-8 are seen when a block is decoded, before it is parsed)."""
        self.error_count += 1
        errors = self.errors
        if len(errors) >= MAX_ERRORS and line > errors[-1]["line"]:
            return
        bisect.insort(errors, {"line": line, "reason": reason}, key=itemgetter("line"))
        del errors[MAX_ERRORS:]

    @property
    def bad_fraction(self) -> float:
        """Bad lines / data lines (header, comment and blank lines excluded), 0 to 1."""
        return self.error_count / self.data_lines if self.data_lines else 0.0


@dataclass(frozen=True)
class Power:
    """Energy figures of a partition for the Green Algorithms estimate, PUE included.

    ``kwh_per_core_hour``: kWh drawn by one core for one hour (cores and their share
    of memory); ``kwh_per_gpu_hour``: by one GPU for one hour (0 when unknown).
    """

    kwh_per_core_hour: float
    kwh_per_gpu_hour: float


# --- Field parsers (each raises BadLine or returns None for "unknown") ----------------------


def utc_text(value: str) -> str:
    """A time from the file as ``"YYYY-MM-DD HH:MM:SS[.ffffff]"`` in UTC.

    ``value``: ISO 8601 (``2016-12-21T21:43:34``); without a zone it is UTC (sacct run
    with ``TZ=UTC``), with one it is converted. Raises ``ValueError`` when invalid.
    """
    # The usual shape first (sacct's own), validated by fromisoformat; a week date
    # such as 2016-W51-3T21:43:34 has no '-' at 7 and takes the general way.
    if (len(value) == 19 and value[10] == "T" and value[7] == "-" and value[13] == ":"
            and value[16] == ":" and value[4] == "-"):
        _fromisoformat(value)
        return value[:10] + " " + value[11:]
    parsed = _fromisoformat(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return str(parsed)


def shifted_utc_text(value: str, shift: timedelta) -> str:
    """:func:`utc_text` of ``value`` moved by ``shift`` (a ``timedelta``, may be
    negative). Raises ``ValueError`` when invalid or out of range once moved."""
    parsed = _fromisoformat(value)
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    try:
        return str(parsed + shift)
    except OverflowError:
        raise ValueError(value) from None


def parse_elapsed(value: str) -> int:
    """Seconds in a Slurm duration ``[D-]HH:MM:SS`` or ``MM:SS``. Raises :class:`BadLine`."""
    text = value.strip()
    if text.startswith("-"):
        raise BadLine(_("negative elapsed time '%(value)s'") % {"value": value})
    days = 0
    try:
        if "-" in text:
            day_text, text = text.split("-", 1)
            days = int(day_text)
        parts = text.split(":")
        if len(parts) == 3:
            seconds = int(parts[0]) * 3600 + int(parts[1]) * 60 + int(parts[2])
        elif len(parts) == 2:
            seconds = int(parts[0]) * 60 + int(parts[1])
        else:
            raise ValueError(value)
        if min(int(part) for part in parts) < 0:
            raise BadLine(_("negative elapsed time '%(value)s'") % {"value": value})
    except ValueError as exc:
        if isinstance(exc, BadLine):
            raise
        raise BadLine(_("bad elapsed time '%(value)s'") % {"value": value}) from None
    total = days * 86400 + seconds
    if total > MAX_ELAPSED:
        raise BadLine(_("bad elapsed time '%(value)s'") % {"value": value})
    return total


def parse_time_limit(value: str) -> int | None:
    """Minutes in a Slurm time limit (``125-00:00:00``, ``1:00:00``, ``30:00``, ``30``);
    ``None`` for ``UNLIMITED``, ``Partition_Limit``, empty or unreadable values."""
    text = value.strip()
    if not text or not text[0].isdigit():
        return None
    try:
        days = 0
        if "-" in text:
            day_text, text = text.split("-", 1)
            days = int(day_text)
        parts = [int(part) for part in text.split(":")]
    except ValueError:
        return None
    if len(parts) == 3:
        minutes = parts[0] * 60 + parts[1] + (parts[2] + 59) // 60
    elif len(parts) == 2:
        # MM:SS without days; HH:MM with days ("1-12:00")
        minutes = parts[0] * 60 + parts[1] if days else parts[0] + (parts[1] + 59) // 60
    elif len(parts) == 1:
        minutes = parts[0] * 60 if days else parts[0]
    else:
        return None
    total = days * 1440 + minutes
    return total if total < 2**62 else None


_MEMORY_UNITS = {"K": 1 / 1024, "M": 1, "G": 1024, "T": 1024**2, "P": 1024**3}


def parse_requested_memory(value: str) -> tuple[float, str] | None:
    """ReqMem as ``(MB, per)`` with ``per`` ``"n"`` (per node), ``"c"`` (per CPU) or ``""``
    (for the job). Units K, M (default), G, T, P are binary (1G = 1024 MB).
    ``None`` when empty or unreadable."""
    text = value.strip()
    if not text:
        return None
    per = ""
    if text[-1] in "nc":
        per, text = text[-1], text[:-1]
    unit = 1
    if text and text[-1].upper() in _MEMORY_UNITS:
        unit, text = _MEMORY_UNITS[text[-1].upper()], text[:-1]
    try:
        number = float(text)
    except ValueError:
        return None
    if not 0 <= number < 1e15:
        return None
    return number * unit, per


def gpus_from_tres(value: str) -> int:
    """GPUs in a TRES list (``billing=12,cpu=12,gres/gpu=2,mem=48000M,node=1``).

    ``gres/gpu=N`` when present; else the sum of typed counts (``gres/gpu:a100=N``),
    since Slurm lists both for a typed request and they must not be added twice.
    Unreadable counts count 0.
    """
    if "gres/gpu" not in value:
        return 0
    total = typed = 0
    plain = None
    for item in value.split(","):
        name, _sep, count = item.partition("=")
        name = name.strip()
        if name == "gres/gpu":
            plain = count
        elif name.startswith("gres/gpu:"):
            with contextlib.suppress(ValueError):
                typed += int(count)
    if plain is not None:
        try:
            total = int(plain)
        except ValueError:
            total = 0
    else:
        total = typed
    return total if 0 <= total <= MAX_COUNT else 0


def count_field(value: str, name: str) -> int:
    """``value`` as a count (nodes, CPUs) from 0 to :data:`MAX_COUNT`; raises
    :class:`BadLine` naming the field ``name`` otherwise."""
    try:
        number = int(value)
    except ValueError:
        raise BadLine(_("non-numeric %(field)s '%(value)s'")
                      % {"field": name, "value": value}) from None
    if not 0 <= number <= MAX_COUNT:
        raise BadLine(_("bad %(field)s '%(value)s'") % {"field": name, "value": value})
    return number
