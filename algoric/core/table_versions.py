"""A version per database table, replaced whenever rows of the table change.

Every connection of the portal gets an execute wrapper when it opens
(:func:`install`, on ``connection_created``). It reads the first word of each statement
that ran:

- a write (``INSERT``, ``UPDATE``, ``DELETE``, ``TRUNCATE``, ``REPLACE``, ``MERGE``)
  names the tables it changes; their versions are replaced when the transaction commits
  (in autocommit: at once with Redis, at the end of the request or Celery task with the
  database cache), and the tables are also kept on the connection as *pending*
  until :func:`flush_pending` replaces their versions at once (the signed-in page cache
  does it before and after each request, so a test or a request reads the versions of its
  own uncommitted writes as changed). A write whose table cannot be read from the
  statement (a data-changing ``WITH``) replaces the version of
  :data:`ANY_TABLE`, which every reader depends on;
- a read (``SELECT``, ``WITH``) adds the tables named after each ``FROM`` and ``JOIN`` to
  the set of the current :func:`reading` block, if any.

Writes that do not go through a cursor's ``execute`` (``COPY`` through psycopg) are
announced with :func:`tables_changed`. A version is a random token in a shared cache
(``TABLE_VERSIONS_ALIAS``: Redis in production), so a copy kept under an old token can
never match a new one; a version missing from the store (first use, evicted) is given a
new token when read. Each replacement also replaces the :data:`WRITE_STAMP` first, in
the same call: a reader that reads the stamp before its work and again with the versions
after it knows whether any table changed in between (:func:`versions_after`). The
database cache's own tables and the sessions are neither tracked nor versioned.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, transaction
from django.db.models.signals import post_migrate, pre_migrate

logger = logging.getLogger(__name__)

#: The pseudo-table every reader depends on: replaced by writes no table can be read from.
ANY_TABLE = "*"
_KEY = "table-version:{}"
_WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCAT", "REPLACE", "MERGE")
_READS = ("SELECT", "WITH", "(SELECT")
_NAME = r'"?([A-Za-z_][A-Za-z0-9_$]*)"?'
_READ_TABLES = re.compile(r"\b(?:FROM|JOIN)\s+" + _NAME, re.IGNORECASE)
_WRITE_TABLE = re.compile(r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE"
                          r"|DELETE\s+FROM)\s+" + _NAME, re.IGNORECASE)
_TRUNCATE = re.compile(r"^\s*TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?(.+?)(?:\s+RESTART|\s+CONTINUE"
                       r"|\s+CASCADE|\s+RESTRICT|;|$)", re.IGNORECASE | re.DOTALL)
_DATA_CHANGING_CTE = re.compile(r"\b(?:INSERT|UPDATE|DELETE)\b", re.IGNORECASE)

_reading: ContextVar[set[str] | None] = ContextVar("tables_read", default=None)
_writing: ContextVar[set[str] | None] = ContextVar("tables_written", default=None)


#: The key replaced with every replacement of table versions.
WRITE_STAMP = "table-version:stamp"


def _store():
    return caches[getattr(settings, "TABLE_VERSIONS_ALIAS", "default")]


def _store_on_this_database() -> bool:
    return isinstance(_store(), DatabaseCache)


def _untracked() -> frozenset[str]:
    """The database cache's tables (settings.CACHES): never tracked."""
    return frozenset(cache["LOCATION"] for cache in settings.CACHES.values()
                     if cache.get("BACKEND", "").endswith("DatabaseCache")) | {"django_session"}


def tables_written_by(sql: str) -> set[str] | None:
    """The tables a data-changing statement writes, ``{ANY_TABLE}`` when they cannot be
    read from it, ``None`` for a statement that changes nothing (a read, a savepoint, a
    ``SET``)."""
    head = sql.lstrip()[:8].upper()
    if head.startswith(_READS):
        if head.startswith("WITH") and _DATA_CHANGING_CTE.search(sql):
            return {ANY_TABLE}
        return None
    if not head.startswith(_WRITES):
        return None
    if head.startswith("TRUNCAT"):
        match = _TRUNCATE.match(sql)
        names = [name.strip().strip('"') for name in match.group(1).split(",")] if match else []
        return set(names) if names and all(names) else {ANY_TABLE}
    match = _WRITE_TABLE.match(sql)
    if not match:
        return {ANY_TABLE}
    table = match.group(1)
    quiet = _QUIET_COLUMNS.get(table)
    if quiet and head.startswith("UPDATE"):
        assigned = _SET_CLAUSE.search(sql)
        columns = set(_ASSIGNED.findall(assigned.group(1))) if assigned else set()
        if columns and columns <= quiet:
            return set()
    return {table}


_QUIET_COLUMNS: dict[str, frozenset[str]] = {}
_SET_CLAUSE = re.compile(r"\bSET\s+(.*?)\s+WHERE\b", re.IGNORECASE | re.DOTALL)
_ASSIGNED = re.compile(r'"?([A-Za-z_][A-Za-z0-9_]*)"?\s*=(?!=)')


def register_quiet_columns(table: str, *columns: str) -> None:
    """Say that no page kept for a signed-in user shows the ``columns`` of ``table``: an
    ``UPDATE`` setting only those replaces no version (the last sign-in of a user, written
    at every sign-in, would otherwise make every page listing people render again). Called
    from an ``AppConfig.ready()``."""
    _QUIET_COLUMNS[table] = _QUIET_COLUMNS.get(table, frozenset()) | frozenset(columns)


def note_read(*tables: str) -> None:
    """Add ``tables`` (or pseudo-tables, such as a kind of public content whose figures
    were read from a cache) to what the current :class:`Reading` read, if any."""
    reads = _reading.get()
    if reads is not None:
        reads.update(tables)


def tables_read_by(sql: str) -> set[str]:
    """The tables named after each ``FROM`` and ``JOIN`` of ``sql`` (a superset of those it
    reads: a name that is not a table only adds a version nobody replaces)."""
    return set(_READ_TABLES.findall(sql))


class _Replace:
    """An after-commit callback replacing the versions of the tables it collected, and of
    those its connection wrote in autocommit and has not announced yet."""

    def __init__(self, connection):
        self.connection = connection
        self.tables: set[str] = set()

    def __call__(self) -> None:
        pending = self.connection.__dict__.pop("algoric_pending_tables", set())
        replace_versions(self.tables | pending)


def replace_versions(tables: Iterable[str]) -> None:
    """Give each table of ``tables`` a new version token (one cache round trip).

    A store that cannot be reached is logged, not raised: the write it follows has been
    made, and a copy kept under the old token is then served at most until it expires
    (``SIGNED_IN_PAGE_CACHE_SECONDS``)."""
    tables = set(tables) - _untracked()
    if not tables:
        return
    tokens = {WRITE_STAMP: secrets.token_hex(8)}  # first: see the module
    tokens.update((_KEY.format(name), secrets.token_hex(8)) for name in sorted(tables))
    try:
        _store().set_many(tokens, timeout=None)
    except Exception:
        logger.warning("table versions not replaced for %s", sorted(tables), exc_info=True)


def tables_changed(connection, *tables: str) -> None:
    """Say that rows of ``tables`` changed on ``connection`` outside ``execute`` (a
    ``COPY``): their versions are replaced when its transaction commits."""
    _note_written(connection, set(tables))


_migrating = False


def _migration_started(**kwargs) -> None:
    global _migrating
    _migrating = True


def _migration_done(**kwargs) -> None:
    global _migrating
    _migrating = False


def _note_written(connection, tables: set[str]) -> None:
    tables -= _untracked()
    if not tables or _migrating:  # a schema being built: no page was kept from it
        return
    written = _writing.get()
    if written is not None:
        written.update(tables)
    connection.__dict__.setdefault("algoric_pending_tables", set()).update(tables)
    if not connection.in_atomic_block:
        # Committed already. A store on another server is told at once; the database
        # cache, on this very connection, only between statements: at the end of the
        # request or task (flush_pending) or at the connection's next commit, never while
        # this statement's rows are read. Kept pages expire anyway.
        if not _store_on_this_database():
            replace_versions(tables)
        return
    callback = connection.__dict__.get("algoric_on_commit")
    # A rolled-back savepoint or transaction drops its callbacks: register a new one then.
    if callback is None or not any(entry[1] is callback for entry in connection.run_on_commit):
        callback = connection.__dict__["algoric_on_commit"] = _Replace(connection)
        transaction.on_commit(callback, using=connection.alias)
    callback.tables.update(tables)


def flush_pending(connection) -> None:
    """Replace at once the versions of the tables ``connection`` wrote since the last
    flush, committed or not (they are replaced again at the commit)."""
    pending = connection.__dict__.pop("algoric_pending_tables", None)
    if pending:
        replace_versions(pending)


def flush_all_pending(**kwargs) -> None:
    """:func:`flush_pending` on every open connection (a Celery ``task_postrun``
    receiver: a task's autocommit writes are announced when it ends)."""
    for connection in connections.all(initialized_only=True):
        flush_pending(connection)


def _track(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    written = tables_written_by(sql)
    if written is not None:
        _note_written(context["connection"], written)
    else:
        reads = _reading.get()
        if reads is not None and sql.lstrip()[:8].upper().startswith(_READS):
            reads.update(tables_read_by(sql))
    return result


def pause_during_migrations() -> None:
    """Track no write while ``migrate`` runs (the versions store may not exist yet)."""
    pre_migrate.connect(_migration_started, dispatch_uid="table-versions-pre-migrate")
    post_migrate.connect(_migration_done, dispatch_uid="table-versions-post-migrate")


def install(sender=None, connection=None, **kwargs) -> None:
    """Add the tracking wrapper to ``connection`` (a ``connection_created`` receiver)."""
    if connection is not None and _track not in connection.execute_wrappers:
        connection.execute_wrappers.append(_track)


class Reading:
    """What runs between :meth:`start` and :meth:`stop` reads and writes: ``read`` and
    ``written``, two sets of table names filled as statements run (the database cache's
    tables and the sessions left out). Use it as a context manager, or start it in one
    middleware hook and stop it in another of the same request."""

    def __init__(self):
        self.read: set[str] = set()
        self.written: set[str] = set()
        self._tokens = None

    def start(self) -> Reading:
        self._tokens = (_reading.set(self.read), _writing.set(self.written))
        return self

    def stop(self) -> None:
        if self._tokens is not None:
            _reading.reset(self._tokens[0])
            _writing.reset(self._tokens[1])
            self._tokens = None
            self.read -= _untracked()

    def __enter__(self) -> Reading:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def write_stamp() -> str:
    """The current :data:`WRITE_STAMP` (given one if missing)."""
    return current_versions([WRITE_STAMP])[WRITE_STAMP]


def current_versions(keys: Iterable[str]) -> dict[str, str]:
    """The current token under each cache key of ``keys`` (one round trip). A key without
    one (first use, evicted) is given a new random token, without overwriting one another
    process stored meanwhile, so that nothing kept under an older token can match it."""
    keys = list(keys)
    store = _store()
    found = store.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            store.add(key, secrets.token_hex(8), timeout=None)
        found.update(store.get_many(missing))
        for key in missing:  # evicted again at once: a token nothing can match
            found.setdefault(key, secrets.token_hex(8))
    return found


def versions_after(tables: Iterable[str], stamp: str) -> dict[str, str] | None:
    """The versions of ``tables`` (by cache key) read after some work, or ``None`` when the
    :data:`WRITE_STAMP` is no longer ``stamp`` (read before that work): a table may have
    changed during the work, and its versions could be newer than what it read.

    The stamp is read with the versions, and again after giving tokens to missing ones (a
    replacement sets the stamp before the tables)."""
    keys = [_KEY.format(name) for name in sorted(set(tables))]
    found = _store().get_many([WRITE_STAMP, *keys])
    if found.pop(WRITE_STAMP, None) != stamp:
        return None
    if len(found) < len(keys):
        found = current_versions(keys)
        if _store().get(WRITE_STAMP) != stamp:
            return None
    return found


def version_key(table: str) -> str:
    """The shared-cache key holding the version of ``table``."""
    return _KEY.format(table)
