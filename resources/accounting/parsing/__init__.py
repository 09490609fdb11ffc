"""Streamed parsing of accounting files: Slurm ``sacct --parsable2`` and SWF traces.

- :mod:`.stream` reads the binary stream (plain or gzip) in chunks and cuts it into
  decoded lines;
- :mod:`.fields` holds what both formats share: the row layout, the counts
  (:class:`ParseStats`) and the field parsers (times, durations, memory, TRES…);
- :mod:`.sacct` and :mod:`.swf` turn lines into rows; :func:`parse` (here) picks one.

Memory does not grow with the file size (one chunk, one batch of rows, at most
:data:`~.fields.MAX_ERRORS` error messages). Each parser yields :class:`Batch` es
whose rows are already lines of PostgreSQL ``COPY`` text in the order of
:data:`COPY_COLUMNS` (no tuple per row: formatting while parsing keeps the database
busy instead of waiting for a formatter); times are text ``"YYYY-MM-DD HH:MM:SS"``
in UTC (the files are in UTC), which is what both databases store for a
timezone-aware ``DateTimeField``. ``services.writers`` sends that text to PostgreSQL
as it is and splits it back into values for SQLite.

What is skipped, and counted in :class:`ParseStats`:

- step lines (a job id with a dot: ``123.batch``, ``123.extern``, ``123.0``): ``steps_skipped``;
- jobs that have not ended (``RUNNING``, ``PENDING``…, or an End of ``Unknown``,
  ``None`` or empty): ``unfinished_skipped``;
- bad lines (wrong field count, bad time, bad or negative elapsed time, undecodable
  bytes, non-numeric or negative counts, a NUL character, a job id too long): each
  reported with its line number and reason (the first :data:`~.fields.MAX_ERRORS`
  kept in ``errors``, all counted in ``error_count``).

This is the import's hot path (a large centre's year is millions of lines): plain
``str`` methods instead of regular expressions, one ``split`` and one ``itemgetter``
a line, and small caches for the fields whose values repeat (elapsed time, memory,
time limit, AllocTRES). A time shift (demonstration imports of real traces moved in
time) is applied to every time of a job, in both formats.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

from .fields import (
    COLUMNS,
    COPY_COLUMNS,
    COPY_NULL,
    TIME_COLUMNS,
    BadFile,
    BadLine,
    Batch,
    ParseStats,
    Power,
    copy_line_ends,
    gpus_from_tres,
    parse_elapsed,
    parse_requested_memory,
    parse_time_limit,
    utc_text,
)
from .sacct import parse_sacct
from .stream import CountingReader, iter_blocks, open_stream
from .swf import parse_swf

__all__ = [
    "COLUMNS", "COPY_COLUMNS", "COPY_NULL", "TIME_COLUMNS", "BadFile", "BadLine", "Batch",
    "CountingReader", "ParseStats", "Power", "gpus_from_tres", "iter_blocks", "open_stream",
    "parse", "parse_elapsed", "parse_requested_memory", "parse_time_limit", "utc_text",
]

#: The line parser of each format.
PARSERS = {"sacct": parse_sacct, "swf": parse_swf}


def parse(format: str, stream, *, stats: ParseStats, power: Callable[[str], Power | None],
          batch_size: int = 10_000, cluster: str = "", import_id: int | None = None,
          shift: timedelta = timedelta(0)) -> tuple[Iterator[Batch], CountingReader]:
    """Batches of rows from a binary ``stream`` in ``format`` (``"sacct"`` or ``"swf"``).

    ``cluster`` and ``import_id`` are written in every COPY line (the job's cluster
    and ``AccountingImport``); ``shift`` is added to every time of every job.
    Returns the batch iterator and the byte counter of the stream (bytes taken from
    ``stream``, compressed ones for gzip). Raises :class:`BadFile` while iterating
    when the file cannot be read at all, ``ValueError`` for an unknown format.
    """
    parser = PARSERS.get(format)
    if parser is None:
        raise ValueError(f"unknown accounting format {format!r}")
    readable, counter = open_stream(stream)
    blocks = iter_blocks(readable, stats)
    line_ends = copy_line_ends(cluster, import_id)
    return parser(blocks, stats=stats, power=power, batch_size=batch_size,
                  line_ends=line_ends, shift=shift), counter
