"""What runs beside an import's transaction: its progress writes and its writer thread.

Progress (bytes and lines read) must be visible to the upload page while the import
transaction is open. On PostgreSQL it is written through a second, autocommit
connection of its own (:class:`ProgressWriter`), at most once a second; the import
transaction does not touch the import row until the end, so the two never wait for
each other. :class:`WriterThread` stores batches while the parser reads the next ones.
"""

from __future__ import annotations

import logging
import queue
import threading
import time

from django.db import connection, connections

from ..models import AccountingImport
from ..parsing import Batch

logger = logging.getLogger(__name__)

#: Shortest time between two progress writes to the import row, seconds.
PROGRESS_INTERVAL = 1.0


class ProgressWriter:
    """Writes bytes and lines read to the import row through a second connection.

    Only on PostgreSQL, and only when the import is not inside a caller's
    transaction (the row would then not be visible to others anyway). The second
    connection is in autocommit with a short ``lock_timeout``, so a progress write
    never waits behind the import. Failures are logged and ignored: progress is a
    courtesy, the counts are written with the result.
    """

    def __init__(self, import_id: int):
        self.import_id = import_id
        self.last = 0.0
        self.connection = None
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            self.connection = connections.create_connection(connection.alias)

    def write(self, bytes_read: int, lines_read: int, *, force: bool = False) -> None:
        """Store the progress, at most once every :data:`PROGRESS_INTERVAL` seconds."""
        if self.connection is None:
            return
        now = time.monotonic()
        if not force and now - self.last < PROGRESS_INTERVAL:
            return
        self.last = now
        try:
            with self.connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
                cursor.execute(
                    "UPDATE resources_accountingimport SET bytes_read = %s, lines_read = %s "
                    "WHERE id = %s AND status = %s",
                    [bytes_read, lines_read, self.import_id, AccountingImport.Status.RUNNING])
        except Exception:  # a progress write must never stop the import
            logger.warning("accounting import %s: progress not written", self.import_id,
                           exc_info=True)
            self.close()

    def close(self) -> None:
        """Close the second connection."""
        if self.connection is not None:
            try:
                self.connection.close()
            finally:
                self.connection = None


class WriterThread:
    """Stores batches in a background thread while the caller parses the next ones.

    The parser (Python, one core) and the database (another process) then work at
    the same time instead of in turn. The thread uses the import's connection and
    transaction; the caller must not use that connection until :meth:`close`,
    which waits for the thread. At most :data:`QUEUED_BATCHES` batches wait, so
    memory stays bounded. A database error in the thread is raised again by the
    next :meth:`put` or by :meth:`close`.
    """

    QUEUED_BATCHES = 2

    def __init__(self, writer):
        self.writer = writer
        self.queue: queue.Queue = queue.Queue(maxsize=self.QUEUED_BATCHES)
        self.added = 0
        self.staged = 0
        self.error: BaseException | None = None
        self.closed = False
        self.thread = threading.Thread(target=self._run, name="accounting-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            batch = self.queue.get()
            if batch is None:
                return
            if self.error is not None:
                continue
            try:
                self.added += self.writer.write(batch)
                self.staged += batch.rows
            except BaseException as exc:  # handed to the caller's thread
                self.error = exc

    def put(self, batch: Batch) -> None:
        """Queue ``batch`` for storing (waits while :data:`QUEUED_BATCHES` are waiting)."""
        if self.error is not None:
            raise self.error
        self.queue.put(batch)

    def close(self) -> tuple[int, int]:
        """Wait for the queued batches to be stored; returns ``(inserted, staged)`` rows."""
        if not self.closed:
            self.closed = True
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error
        return self.added, self.staged
