"""Lines of ``sacct --parsable2`` into job rows (shared field parsing: ``fields``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from functools import partial
from operator import itemgetter

from django.utils.translation import gettext as _

from .fields import (
    CACHE_SIZE,
    ENERGY_RAW_LIMIT,
    ESTIMATED,
    MAX_COUNT,
    MAX_JOB_ID_RAW,
    MAX_MEMORY_MB,
    MEASURED,
    NO_ENERGY,
    BadFile,
    BadLine,
    Batch,
    ParseStats,
    Power,
    copy_escape,
    count_field,
    gpus_from_tres,
    make_batch,
    parse_elapsed,
    parse_requested_memory,
    parse_time_limit,
    shifted_utc_text,
    utc_text,
)

#: The 26 fields of ``sacct --parsable2 --noheader`` in the order of PRODUCT.md (Open
#: XDMoD's), lower case; an optional 27th field is ``ConsumedEnergyRaw`` (joules).
SACCT_FIELDS = (
    "jobid", "jobidraw", "cluster", "partition", "qos", "account", "group", "gid", "user",
    "uid", "submit", "eligible", "start", "end", "elapsed", "exitcode", "state", "nnodes",
    "ncpus", "reqcpus", "reqmem", "reqtres", "alloctres", "timelimit", "nodelist", "jobname",
)
ENERGY_FIELD = "consumedenergyraw"
#: Other names sacct accepts for the same columns (``--format`` is case-insensitive).
FIELD_ALIASES = {"alloccpus": "ncpus", "allocnodes": "nnodes"}
#: Columns a header must name; the others default to empty.
REQUIRED_FIELDS = ("jobid", "submit", "end", "state", "ncpus", "elapsed")
#: Every column name the parser knows.
KNOWN_FIELDS = frozenset({*SACCT_FIELDS, ENERGY_FIELD, *FIELD_ALIASES})
#: How many known column names make a line a header.
HEADER_MIN_KNOWN = 3

#: States of jobs that have not ended: skipped and counted in ``unfinished_skipped``
#: (Slurm's job state codes, ``man squeue``). Every other state is kept as it is.
UNFINISHED_STATES = frozenset({
    "PENDING", "RUNNING", "SUSPENDED", "CONFIGURING", "COMPLETING", "RESIZING",
    "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD", "SIGNALING", "STAGE_OUT", "STOPPED",
})
#: Values of a time field that mean "no time".
NO_TIME = frozenset({"", "Unknown", "None", "UNKNOWN", "NONE"})

#: The fields the sacct parser takes from a line, in the order it unpacks them.
_PICKED = (
    "jobid", "jobidraw", "partition", "qos", "account", "group", "gid", "user", "uid",
    "submit", "eligible", "start", "end", "elapsed", "exitcode", "state", "nnodes", "ncpus",
    "reqmem", "alloctres", "timelimit", "jobname", ENERGY_FIELD,
)


def _getter(positions: dict[str, int], missing: int) -> Callable:
    """An ``itemgetter`` of the :data:`_PICKED` fields; absent ones read index ``missing``
    (an empty string appended to every line)."""
    if "jobidraw" not in positions and "jobid" in positions:
        positions = {**positions, "jobidraw": positions["jobid"]}
    return itemgetter(*(positions.get(name, missing) for name in _PICKED))


def sacct_header(fields: list[str]) -> dict[str, int] | None:
    """Column positions by lower-case name when ``fields`` is a header line, else ``None``.

    A header is a line whose fields include ``JobID`` or ``JobIDRaw`` (any case) and
    at least :data:`HEADER_MIN_KNOWN` names of sacct fields (so a job named "JobID"
    does not make a data line a header); other columns are ignored. Raises
    :class:`BadFile` when it lacks a required column (:data:`REQUIRED_FIELDS`).
    """
    names = [name.strip().lower() for name in fields]
    if "jobid" not in names and "jobidraw" not in names:
        return None
    if sum(name in KNOWN_FIELDS for name in names) < HEADER_MIN_KNOWN:
        return None
    positions: dict[str, int] = {}
    for index, name in enumerate(names):
        positions.setdefault(FIELD_ALIASES.get(name, name), index)
    if "jobid" not in positions:
        positions["jobid"] = positions["jobidraw"]
    missing = [name for name in REQUIRED_FIELDS if name not in positions]
    if missing:
        raise BadFile(_("the header line lacks the columns %(names)s")
                      % {"names": ", ".join(missing)})
    return positions


def _is_header_again(fields: list[str], header: dict[str, int]) -> bool:
    try:
        return sacct_header(fields) == header
    except BadFile:
        return False


def _bad_time_reason(submit, eligible, start, end) -> str:
    for label, value, optional in (("Submit", submit, False), ("Eligible", eligible, True),
                                   ("Start", start, True), ("End", end, False)):
        if optional and value in NO_TIME:
            continue
        try:
            utc_text(value)
        except ValueError:
            return _("bad time in %(field)s: '%(value)s'") % {"field": label, "value": value}
    return _("a time out of range once shifted")


def parse_sacct(blocks: Iterable[tuple[int, list[str]]], *, stats: ParseStats,
                power: Callable[[str], Power | None], batch_size: int = 10_000,
                line_ends: tuple[str, str] = ("\t", "\t\\N\n"),
                shift: timedelta = timedelta(0)) -> Iterator[Batch]:
    """Rows of finished jobs from the lines of a ``sacct --parsable2`` file, in batches.

    Args:
        blocks: ``(first line number, lines)`` from :func:`.stream.iter_blocks`.
        stats: counts and errors, updated as lines are read.
        power: the energy figures of a partition name (``None`` when unknown), for
            jobs without a measured ``ConsumedEnergyRaw``.
        batch_size: rows per batch.
        line_ends: what starts and ends every COPY line (``fields.copy_line_ends``:
            the cluster, the import id).
        shift: added to the submit, eligible, start and end times.

    A first line naming its columns (``JobID|…``) maps them by name, case-insensitive;
    without one the 26 fields of :data:`SACCT_FIELDS` are assumed, and a 27th is
    ``ConsumedEnergyRaw``. The job's cluster is the import's (not read from the file).
    Raises :class:`BadFile` for a header without the required columns.
    """
    default_positions = {name: index for index, name in enumerate(SACCT_FIELDS)}
    getters = {
        26: _getter(default_positions, 26),
        27: _getter({**default_positions, ENERGY_FIELD: 26}, 27),
    }
    expected = _("26 or 27")
    header: dict[str, int] | None = None  # None: not looked for yet; {}: no header
    elapsed_cache: dict[str, int] = {}
    memory_cache: dict[str, tuple[float, str] | None] = {}
    limit_cache: dict[str, int | None] = {}
    gpu_cache: dict[str, int] = {}
    powers: dict[str, Power | None] = {}
    no_time = NO_TIME
    unfinished_states = UNFINISHED_STATES
    to_utc = partial(shifted_utc_text, shift=shift) if shift else utc_text
    head, tail = line_ends
    null = "\\N"
    lines_out: list[str] = []
    submits: list[str] = []
    ends: list[str] = []
    append, add_submit, add_end = lines_out.append, submits.append, ends.append
    for first, lines in blocks:
        stats.lines_read += len(lines)
        for number, line in enumerate(lines, first):
            if not line:
                continue
            fields = line.split("|")
            if header is None:
                header = sacct_header(fields) or {}
                if header:
                    getters = {len(fields): _getter(header, len(fields))}
                    expected = str(len(fields))
                    continue
            stats.data_lines += 1
            getter = getters.get(len(fields))
            if getter is None:
                stats.bad(number, _("expected %(expected)s fields separated by '|', found "
                                    "%(found)d") % {"expected": expected, "found": len(fields)})
                continue
            fields.append("")
            (job_id, job_id_raw, partition, qos, account, group, gid, user, uid, submit,
             eligible, start, end, elapsed, exit_code, state, nnodes, ncpus, reqmem,
             alloctres, timelimit, job_name, energy_raw) = getter(fields)
            if "." in job_id:
                stats.steps_skipped += 1
                continue
            if " " in state:
                state = state.split(" ", 1)[0]  # "CANCELLED by 123" -> "CANCELLED"
            if end in no_time or state in unfinished_states:
                stats.unfinished_skipped += 1
                continue
            try:
                submit_t = to_utc(submit)
                end_t = to_utc(end)
                start_t = null if start in no_time else to_utc(start)
                if eligible == submit:
                    eligible_t = submit_t
                else:
                    eligible_t = null if eligible in no_time else to_utc(eligible)
            except ValueError:
                if header and _is_header_again(fields[:-1], header):
                    stats.data_lines -= 1  # the header again (concatenated exports)
                    continue
                stats.bad(number, _bad_time_reason(submit, eligible, start, end))
                continue
            try:
                seconds = elapsed_cache.get(elapsed)
                if seconds is None:
                    seconds = parse_elapsed(elapsed)
                    if len(elapsed_cache) >= CACHE_SIZE:
                        elapsed_cache.clear()
                    elapsed_cache[elapsed] = seconds
                nodes = int(nnodes) if nnodes else 0
                cpus = int(ncpus)
                if not (0 <= cpus <= MAX_COUNT and 0 <= nodes <= MAX_COUNT):
                    raise ValueError
            except BadLine as exc:
                stats.bad(number, str(exc))
                continue
            except ValueError:
                try:
                    count_field(nnodes or "0", "NNodes")
                    count_field(ncpus, "NCPUS")
                    stats.bad(number, _("bad counts"))
                except BadLine as exc:
                    stats.bad(number, str(exc))
                continue
            if not job_id_raw:
                job_id_raw = job_id
            if len(job_id_raw) > MAX_JOB_ID_RAW or not job_id_raw:
                stats.bad(number, _("job id '%(value)s' empty or longer than %(limit)d characters")
                          % {"value": job_id_raw[:80], "limit": MAX_JOB_ID_RAW})
                continue
            if reqmem in memory_cache:
                memory = memory_cache[reqmem]
            else:
                memory = parse_requested_memory(reqmem)
                if len(memory_cache) >= CACHE_SIZE:
                    memory_cache.clear()
                memory_cache[reqmem] = memory
            if memory is None:
                memory_mb = null
            else:
                if memory[1] == "n":
                    memory_mb = round(memory[0] * (nodes or 1))
                elif memory[1] == "c":
                    memory_mb = round(memory[0] * (cpus or 1))
                else:
                    memory_mb = round(memory[0])
                if memory_mb > MAX_MEMORY_MB:
                    memory_mb = null
            if timelimit in limit_cache:
                limit = limit_cache[timelimit]
            else:
                limit = parse_time_limit(timelimit)
                if limit is None:
                    limit = null
                if len(limit_cache) >= CACHE_SIZE:
                    limit_cache.clear()
                limit_cache[timelimit] = limit
            gpus = gpu_cache.get(alloctres)
            if gpus is None:
                gpus = gpus_from_tres(alloctres)
                if len(gpu_cache) >= CACHE_SIZE:
                    gpu_cache.clear()
                gpu_cache[alloctres] = gpus
            core_hours = seconds * cpus / 3600
            gpu_hours = seconds * gpus / 3600 if gpus else 0.0
            gpu_hours_text = repr(gpu_hours) if gpus else "0.0"
            energy = null
            method = NO_ENERGY
            if energy_raw and energy_raw != "0":
                try:
                    joules = float(energy_raw)
                except ValueError:
                    joules = 0.0
                if 0 < joules < ENERGY_RAW_LIMIT:
                    energy = joules / 3.6e6
                    method = MEASURED
            if method is NO_ENERGY:
                if partition in powers:
                    figures = powers[partition]
                else:
                    figures = powers[partition] = power(partition)
                if figures is not None:
                    energy = (core_hours * figures.kwh_per_core_hour
                              + gpu_hours * figures.kwh_per_gpu_hour)
                    method = ESTIMATED
            job_id = job_id[:64]
            account = account[:64]
            user = (user or uid)[:64]
            group = (group or gid)[:64]
            partition = partition[:64]
            qos = qos[:64]
            state = (state or "UNKNOWN")[:32]
            exit_code = exit_code[:16]
            if "\\" in line or "\t" in line or "\r" in line:
                (job_id, job_id_raw, job_name, account, user, group, partition, qos, state,
                 exit_code) = map(copy_escape, (job_id, job_id_raw, job_name, account, user,
                                                group, partition, qos, state, exit_code))
            append(f"{head}{job_id}\t{job_id_raw}\t{job_name}\t{account}\t{user}\t{group}\t"
                   f"{partition}\t{qos}\t{submit_t}\t{eligible_t}\t{start_t}\t{end_t}\t"
                   f"{seconds}\t{nodes}\t{cpus}\t{gpus}\t{memory_mb}\t{limit}\t{state}\t"
                   f"{exit_code}\t{core_hours!r}\t{gpu_hours_text}\t{energy}\t{method}{tail}")
            add_submit(submit_t)
            add_end(end_t)
            if len(lines_out) >= batch_size:
                yield make_batch(lines_out, submits, ends)
                lines_out, submits, ends = [], [], []
                append, add_submit, add_end = lines_out.append, submits.append, ends.append
    if lines_out:
        yield make_batch(lines_out, submits, ends)
