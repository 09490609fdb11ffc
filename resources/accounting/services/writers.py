"""Storing parsed rows: one writer per database, same contract.

``writer.write(batch) -> int`` stores a :class:`~resources.accounting.parsing.Batch`
(COPY text lines in :data:`~resources.accounting.parsing.COPY_COLUMNS` order, cluster
and import included), skips the jobs already stored (unique ``(cluster, job_id_raw,
submit_time)``) and returns how many rows it inserted. It runs inside the caller's
transaction, so a rolled-back import keeps nothing.

- PostgreSQL, two paths:

  - **direct**: ``COPY`` of the batch straight into ``resources_jobrecord``, inside a
    savepoint. Taken when no stored job can have the same key: the batch's submit
    times lie outside the submit-time span of every other import of the cluster
    (``direct_spans``; the imports of a cluster are serialised by an advisory lock,
    so that list cannot change during the import). A job repeated inside the file
    itself still breaks the unique constraint: the savepoint is rolled back, the
    batch goes the other way and so do all the following ones. The constraint is
    the proof; the spans only avoid attempts bound to fail.
  - **staging**: ``COPY`` of the batch into a temporary staging table, then
    ``INSERT INTO resources_jobrecord … SELECT … FROM staging ON CONFLICT (cluster,
    job_id_raw, submit_time) DO NOTHING``; the statement's row count is the number
    inserted.

  Either way no ORM object and no Python value per row: the text goes as it is.
- SQLite (the laptop default): the lines are split back into values (SQLite's
  column affinity turns number text into numbers) and stored with ``INSERT OR
  IGNORE`` by ``executemany``; sqlite3 sums the rows changed, which is the number
  inserted.
"""

from __future__ import annotations

import bisect
import datetime

from algoric.core.table_versions import tables_changed

from ..parsing.fields import COPY_COLUMNS, COPY_NULL, TIME_COLUMNS, Batch

JOB_TABLE = "resources_jobrecord"
STAGING_TABLE = "accounting_staging"

_STAGING_TYPES = {
    "submit_time": "timestamp", "eligible_time": "timestamp", "start_time": "timestamp",
    "end_time": "timestamp", "elapsed_seconds": "bigint", "nodes": "integer",
    "cpus": "integer", "gpus": "integer", "requested_memory_mb": "bigint",
    "time_limit_minutes": "bigint", "core_hours": "double precision",
    "gpu_hours": "double precision", "energy_kwh": "double precision",
    "accounting_import_id": "bigint",
}


def _quoted(connection, names) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


def utc_key(moment: datetime.datetime) -> str:
    """An aware datetime as the parser's UTC text (``YYYY-MM-DD HH:MM:SS[.ffffff]``)."""
    return str(moment.astimezone(datetime.UTC).replace(tzinfo=None))


class Spans:
    """Disjoint, sorted time spans (UTC text pairs) and an overlap test.

    ``spans``: ``[(first, last)]`` in any order, overlapping or not; ``None`` as a
    bound stands for "unknown", which makes the whole line of time overlap.
    """

    def __init__(self, spans):
        self.everything = False
        merged: list[list[str]] = []
        for first, last in sorted(spans, key=lambda span: (span[0] or "", span[1] or "")):
            if first is None or last is None:
                self.everything = True
                return
            if merged and first <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        self.firsts = [span[0] for span in merged]
        self.lasts = [span[1] for span in merged]

    def overlaps(self, first: str, last: str) -> bool:
        """Whether ``[first, last]`` meets one of the spans."""
        if self.everything:
            return True
        # The last span starting at or before ``last`` is the only candidate.
        index = bisect.bisect_right(self.firsts, last) - 1
        return index >= 0 and self.lasts[index] >= first


class PostgresWriter:
    """COPY straight into the job table when it is safe, else through a staging table
    with ``ON CONFLICT DO NOTHING`` (see the module doc).

    ``connection``: the Django connection, inside an atomic block (the staging table
    is dropped at commit). ``direct_spans``: the submit-time spans (aware datetime
    pairs, ``None`` when unknown) of the cluster's other imports, or ``None`` to
    always take the staging path. Counts: ``direct_rows`` and ``staged_rows``.
    """

    def __init__(self, connection, *, direct_spans=None):
        connection.ensure_connection()
        self.connection = connection
        self.raw = connection.connection
        quote = connection.ops.quote_name
        self.columns = _quoted(connection, COPY_COLUMNS)
        self.staging_columns = ", ".join(
            f"{quote(name)} {_STAGING_TYPES.get(name, 'text')}" for name in COPY_COLUMNS)
        selected = ", ".join(
            f"{quote(name)} AT TIME ZONE 'UTC'" if name in TIME_COLUMNS else quote(name)
            for name in COPY_COLUMNS)
        self.copy_sql = f"COPY {STAGING_TABLE} ({self.columns}) FROM STDIN"
        self.direct_sql = f"COPY {JOB_TABLE} ({self.columns}) FROM STDIN"
        self.insert_sql = (  # identifiers of this module only
            f"INSERT INTO {JOB_TABLE} ({self.columns}) SELECT {selected} "  # noqa: S608  # nosec B608
            f"FROM {STAGING_TABLE} ON CONFLICT (cluster, job_id_raw, submit_time) DO NOTHING"
        )
        self.spans = None
        if direct_spans is not None:
            self.spans = Spans(
                (None if first is None else utc_key(first), None if last is None else utc_key(last))
                for first, last in direct_spans)
        self.staging_ready = False
        self.direct_rows = self.staged_rows = 0
        with self.raw.cursor() as cursor:
            # The COPY text holds UTC times without an offset.
            cursor.execute("SET LOCAL TIME ZONE 'UTC'")

    def write(self, batch: Batch) -> int:
        """Store ``batch``; returns the number of rows inserted (the others were stored
        before)."""
        # The raw connection's statements do not pass the tracking of every write.
        tables_changed(self.connection, JOB_TABLE)
        if self.spans is not None and not self.spans.overlaps(batch.first_submit,
                                                              batch.last_submit):
            if self._write_direct(batch):
                self.direct_rows += batch.rows
                return batch.rows
            self.spans = None  # a job repeated inside the file: no more direct COPY
        self.staged_rows += batch.rows
        return self._write_staged(batch)

    def _write_direct(self, batch: Batch) -> bool:
        from psycopg import errors

        with self.raw.cursor() as cursor:
            cursor.execute("SAVEPOINT accounting_direct")
            try:
                with cursor.copy(self.direct_sql) as copy:
                    copy.write(batch.text)
            except errors.UniqueViolation:
                cursor.execute("ROLLBACK TO SAVEPOINT accounting_direct")
                cursor.execute("RELEASE SAVEPOINT accounting_direct")
                return False
            cursor.execute("RELEASE SAVEPOINT accounting_direct")
        return True

    def _write_staged(self, batch: Batch) -> int:
        with self.raw.cursor() as cursor:
            if not self.staging_ready:
                cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGING_TABLE} "
                               f"({self.staging_columns}) ON COMMIT DROP")
                self.staging_ready = True
            cursor.execute(f"TRUNCATE {STAGING_TABLE}")
            with cursor.copy(self.copy_sql) as copy:
                copy.write(batch.text)
            cursor.execute(self.insert_sql)
            return cursor.rowcount


def _unescape(value: str) -> str | None:
    if value == COPY_NULL:
        return None
    if "\\" not in value:
        return value
    out, index = [], 0
    while index < len(value):
        char = value[index]
        if char == "\\" and index + 1 < len(value):
            index += 1
            char = {"t": "\t", "n": "\n", "r": "\r"}.get(value[index], value[index])
        out.append(char)
        index += 1
    return "".join(out)


def copy_rows(text: str) -> list[tuple]:
    """The rows of COPY ``text`` as tuples of ``str`` or ``None`` (SQLite's column
    affinity stores number text in INTEGER and REAL columns as numbers)."""
    rows = []
    for line in text.split("\n"):
        if line:
            rows.append(tuple(map(_unescape, line.split("\t"))))
    return rows


class SqliteWriter:
    """``INSERT OR IGNORE`` by ``executemany`` (see module doc)."""

    def __init__(self, connection, *, direct_spans=None):
        connection.ensure_connection()
        self.connection = connection
        self.raw = connection.connection
        self.sql = (f"INSERT OR IGNORE INTO {JOB_TABLE} ({_quoted(connection, COPY_COLUMNS)}) "  # noqa: S608
                    f"VALUES ({', '.join('?' * len(COPY_COLUMNS))})")
        self.direct_rows = self.staged_rows = 0

    def write(self, batch: Batch) -> int:
        """Store ``batch``; returns the number of rows inserted (the others were stored
        before)."""
        tables_changed(self.connection, JOB_TABLE)
        self.staged_rows += batch.rows
        return self.raw.executemany(self.sql, copy_rows(batch.text)).rowcount


def writer_for(connection, *, direct_spans=None):
    """The writer for ``connection``'s database (PostgreSQL or SQLite).

    ``direct_spans``: see :class:`PostgresWriter` (ignored on SQLite). Raises
    ``NotImplementedError`` for another database.
    """
    if connection.vendor == "postgresql":
        return PostgresWriter(connection, direct_spans=direct_spans)
    if connection.vendor == "sqlite":
        return SqliteWriter(connection, direct_spans=direct_spans)
    raise NotImplementedError(f"accounting import on {connection.vendor}")
