"""Lines of a Standard Workload Format trace into job rows (shared fields: ``fields``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from .fields import (
    COPY_NULL,
    ESTIMATED,
    MAX_COUNT,
    MAX_ELAPSED,
    NO_ENERGY,
    Batch,
    ParseStats,
    Power,
    make_batch,
)

#: SWF status codes (field 11) and the states they stand for; others are kept as
#: their number, and ``-1`` (unknown) becomes ``UNKNOWN``.
SWF_STATES = {"1": "COMPLETED", "0": "FAILED", "5": "CANCELLED", "-1": "UNKNOWN"}

_EPOCH = datetime(1970, 1, 1)


def _swf_int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return int(float(value))  # "3.0"; raises ValueError for anything else


def parse_swf(blocks: Iterable[tuple[int, list[str]]], *, stats: ParseStats,
              power: Callable[[str], Power | None], batch_size: int = 10_000,
              line_ends: tuple[str, str] = ("\t", "\t\\N\n"),
              shift: timedelta = timedelta(0)) -> Iterator[Batch]:
    """Rows from a Standard Workload Format trace (version 2.2), in batches.

    ``line_ends``: what starts and ends every COPY line (``fields.copy_line_ends``);
    ``shift``: added to every time (submit, start, end).

    Header lines start with ``;``; ``UnixStartTime`` (epoch seconds, UTC) is the
    origin of the times (0 when absent). A job line has 18 whitespace-separated
    fields; ``-1`` means unknown. Mapping, by field number:

    - 1 job number → ``job_id`` and ``job_id_raw``;
    - 2 submit time → ``submit_time`` = UnixStartTime + submit (unknown: bad line);
    - 3 wait time → ``start_time`` = submit + wait (unknown: no start time);
    - 4 run time → ``elapsed_seconds`` (unknown: 0) and ``end_time`` = start (or
      submit when the wait is unknown) + run time;
    - 5 allocated processors → ``cpus`` (unknown: 8 requested processors, else 0);
    - 9 requested time (s) → ``time_limit_minutes`` (rounded up);
    - 10 requested memory (KB per processor) → ``requested_memory_mb`` for the job;
    - 11 status: 1 → ``COMPLETED``, 0 → ``FAILED``, 5 → ``CANCELLED``, -1 → ``UNKNOWN``,
      any other kept as its number;
    - 12 user id → ``user``; 13 group id → ``group`` and ``account`` (the group
      stands for the account); 14 executable number → ``job_name``; 15 queue
      number → ``qos``; 16 partition number → ``partition``. The number is kept,
      not the name a ``; Partition: 8 cclcgceli02.in2p3.fr`` header line gives it,
      so that the partition matches the catalogue's ``slurm_partition`` the same
      way whatever the header says, and two traces with different header names
      cannot split one partition in two.

    Raises nothing for bad content: bad lines are counted in ``stats``.
    """
    origin = 0
    epoch = _EPOCH + shift
    powers: dict[str, Power | None] = {}
    states = SWF_STATES
    head, tail = line_ends
    null = COPY_NULL
    lines_out: list[str] = []
    submits: list[str] = []
    ends: list[str] = []
    for first, lines in blocks:
        stats.lines_read += len(lines)
        for number, line in enumerate(lines, first):
            if not line or line.isspace():
                continue
            if line.lstrip().startswith(";"):
                name, _sep, value = line.lstrip()[1:].partition(":")
                if name.strip().lower() == "unixstarttime":
                    try:
                        origin = int(value.split()[0])
                    except (ValueError, IndexError):
                        stats.bad(number, _("bad UnixStartTime '%(value)s'")
                                  % {"value": value.strip()})
                continue
            stats.data_lines += 1
            fields = line.split()
            if len(fields) != 18:
                stats.bad(number, _("expected 18 fields separated by spaces, found %(found)d")
                          % {"found": len(fields)})
                continue
            try:
                values = list(map(int, fields))
            except ValueError:
                try:
                    values = [_swf_int(value) for value in fields]
                except ValueError:
                    bad = next(value for value in fields if not _is_number(value))
                    stats.bad(number, _("non-numeric field '%(value)s'") % {"value": bad[:80]})
                    continue
            (job, submit, wait, run, allocated, _cpu_time, _used_memory, requested,
             requested_time, requested_memory, status, user, group, executable, queue,
             partition, _preceding, _think) = values
            if submit < 0:
                stats.bad(number, _("unknown submit time"))
                continue
            if job < 0:
                stats.bad(number, _("unknown job number"))
                continue
            submit_epoch = origin + submit
            start_epoch = submit_epoch + wait if wait >= 0 else None
            seconds = run if run >= 0 else 0
            if seconds > MAX_ELAPSED:
                stats.bad(number, _("bad run time '%(value)s'") % {"value": fields[3]})
                continue
            end_epoch = (submit_epoch if start_epoch is None else start_epoch) + seconds
            cpus = allocated if allocated >= 0 else (requested if requested >= 0 else 0)
            if cpus > MAX_COUNT:
                stats.bad(number, _("bad processor count '%(value)s'") % {"value": cpus})
                continue
            try:
                submit_t = str(epoch + timedelta(seconds=submit_epoch))
                start_t = (null if start_epoch is None
                           else str(epoch + timedelta(seconds=start_epoch)))
                end_t = str(epoch + timedelta(seconds=end_epoch))
            except OverflowError:
                stats.bad(number, _("time out of range"))
                continue
            state = states.get(fields[10]) or str(status)
            group_text = str(group) if group >= 0 else ""
            partition_text = str(partition) if partition >= 0 else ""
            core_hours = seconds * cpus / 3600
            if partition_text in powers:
                figures = powers[partition_text]
            else:
                figures = powers[partition_text] = power(partition_text)
            if figures is None:
                energy, method = null, NO_ENERGY
            else:
                energy, method = core_hours * figures.kwh_per_core_hour, ESTIMATED
            job_text = str(job)
            memory_mb = (round(requested_memory * cpus / 1024) if requested_memory >= 0
                         else null)
            limit = -(-requested_time // 60) if requested_time >= 0 else null
            # Every text field is a number or a fixed word: nothing to escape.
            lines_out.append(
                f"{head}{job_text}\t{job_text}\t{executable if executable >= 0 else ''}\t"
                f"{group_text}\t{user if user >= 0 else ''}\t{group_text}\t{partition_text}\t"
                f"{queue if queue >= 0 else ''}\t{submit_t}\t{null}\t{start_t}\t{end_t}\t"
                f"{seconds}\t0\t{cpus}\t0\t{memory_mb}\t{limit}\t{state[:32]}\t\t"
                f"{core_hours!r}\t0.0\t{energy}\t{method}{tail}")
            submits.append(submit_t)
            ends.append(end_t)
            if len(lines_out) >= batch_size:
                yield make_batch(lines_out, submits, ends)
                lines_out, submits, ends = [], [], []
    if lines_out:
        yield make_batch(lines_out, submits, ends)


def _is_number(value: str) -> bool:
    try:
        _swf_int(value)
    except ValueError:
        return False
    return True


