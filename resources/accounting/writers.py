"""Storing parsed rows: one writer per database, same contract.

``writer.write(rows) -> int`` inserts a batch of row tuples (:data:`parsing.COLUMNS`
order) for one cluster and one import, skips the jobs already stored (unique
``(cluster, job_id_raw, submit_time)``) and returns how many rows it inserted. It
runs inside the caller's transaction, so a rolled-back import keeps nothing.

- PostgreSQL: psycopg 3 ``COPY`` of the batch into a temporary staging table, then
  ``INSERT INTO resources_jobrecord … SELECT … FROM staging ON CONFLICT (cluster,
  job_id_raw, submit_time) DO NOTHING``; the statement's row count is the number
  inserted. No ORM object per row.
- SQLite (the laptop default): ``INSERT OR IGNORE`` with ``executemany``; sqlite3
  sums the rows changed, which is the number inserted.
"""

from __future__ import annotations

from .parsing import COLUMNS, TIME_COLUMNS

JOB_TABLE = "resources_jobrecord"
STAGING_TABLE = "accounting_staging"

_STAGING_TYPES = {
    "submit_time": "timestamp", "eligible_time": "timestamp", "start_time": "timestamp",
    "end_time": "timestamp", "elapsed_seconds": "bigint", "nodes": "integer",
    "cpus": "integer", "gpus": "integer", "requested_memory_mb": "bigint",
    "time_limit_minutes": "bigint", "core_hours": "double precision",
    "gpu_hours": "double precision", "energy_kwh": "double precision",
}


def _quoted(connection, names) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


class PostgresWriter:
    """COPY into a staging table, then INSERT … ON CONFLICT DO NOTHING (see module doc).

    ``connection``: the Django connection, inside an atomic block (the staging table
    is dropped at commit). ``cluster``: the cluster name; ``import_id``: the
    ``AccountingImport`` primary key, stored on every row.
    """

    def __init__(self, connection, *, cluster: str, import_id: int):
        connection.ensure_connection()
        self.raw = connection.connection
        quote = connection.ops.quote_name
        columns = ", ".join(f"{quote(name)} {_STAGING_TYPES.get(name, 'text')}"
                            for name in COLUMNS)
        selected = ", ".join(
            f"{quote(name)} AT TIME ZONE 'UTC'" if name in TIME_COLUMNS else quote(name)
            for name in COLUMNS)
        self.copy_sql = f"COPY {STAGING_TABLE} ({_quoted(connection, COLUMNS)}) FROM STDIN"
        self.insert_sql = (  # identifiers of this module only; values are parameters
            f"INSERT INTO {JOB_TABLE} (cluster, {_quoted(connection, COLUMNS)}, "  # noqa: S608
            f"accounting_import_id) SELECT %s, {selected}, %s FROM {STAGING_TABLE} "
            "ON CONFLICT (cluster, job_id_raw, submit_time) DO NOTHING"
        )
        self.params = (cluster, import_id)
        with self.raw.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGING_TABLE} ({columns}) "
                           "ON COMMIT DROP")
            cursor.execute(f"TRUNCATE {STAGING_TABLE}")

    def write(self, rows: list[tuple]) -> int:
        """Insert ``rows``; returns the number inserted (the others were already stored)."""
        with self.raw.cursor() as cursor:
            with cursor.copy(self.copy_sql) as copy:
                write_row = copy.write_row
                for row in rows:
                    write_row(row)
            cursor.execute(self.insert_sql, self.params)
            inserted = cursor.rowcount
            cursor.execute(f"TRUNCATE {STAGING_TABLE}")
        return inserted


class SqliteWriter:
    """``INSERT OR IGNORE`` by ``executemany`` (see module doc); same arguments."""

    def __init__(self, connection, *, cluster: str, import_id: int):
        connection.ensure_connection()
        self.raw = connection.connection
        names = ("cluster", *COLUMNS, "accounting_import_id")
        self.sql = (f"INSERT OR IGNORE INTO {JOB_TABLE} ({_quoted(connection, names)}) "  # noqa: S608
                    f"VALUES ({', '.join('?' * len(names))})")
        self.cluster = cluster
        self.import_id = import_id

    def write(self, rows: list[tuple]) -> int:
        """Insert ``rows``; returns the number inserted (the others were already stored)."""
        cluster, import_id = self.cluster, self.import_id
        cursor = self.raw.executemany(self.sql, [(cluster, *row, import_id) for row in rows])
        return cursor.rowcount


def writer_for(connection, *, cluster: str, import_id: int):
    """The writer for ``connection``'s database (PostgreSQL or SQLite).

    Raises ``NotImplementedError`` for another database.
    """
    if connection.vendor == "postgresql":
        return PostgresWriter(connection, cluster=cluster, import_id=import_id)
    if connection.vendor == "sqlite":
        return SqliteWriter(connection, cluster=cluster, import_id=import_id)
    raise NotImplementedError(f"accounting import on {connection.vendor}")
