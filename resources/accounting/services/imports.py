"""Accounting imports: create one (refusing duplicates and oversized files), run it.

An import reads a ``sacct --parsable2`` or SWF file as a stream (``parsing``), stores
the finished jobs it has not seen (``writers``: ``COPY`` + ``ON CONFLICT DO NOTHING``
on PostgreSQL), adds what it inserted to the usage summaries, and records its
counts. Everything it writes to jobs and summaries is one transaction: when more
than ``ACCOUNTING_BAD_LINE_LIMIT`` of the lines are bad, the file is taken to be in
the wrong format and nothing from it is kept.

Progress (bytes and lines read) must be visible to the upload page while that
transaction is open. On PostgreSQL it is written through a second, autocommit
connection of its own (:class:`~.pipeline.ProgressWriter`), at most once a second;
the import transaction does not touch the import row until the end, so the two never
wait for each other. On SQLite a second writer would wait for the import's write
lock, so progress there goes only to the ``progress`` callback, and the row gets its
counts at the end.

The file's SHA-256 is computed before (:func:`.intake.sha256_of`); a file already
imported is found by :func:`resources.accounting.selectors.duplicate_of`.
"""

from __future__ import annotations

import datetime
import gc
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..models import AccountingImport
from ..parsing import BadFile, ParseStats, parse
from ..selectors import duplicate_of, import_submit_spans, power_by_partition
from .pipeline import ProgressWriter, WriterThread
from .summaries import usage_summaries_add
from .writers import writer_for

logger = logging.getLogger(__name__)

#: Rows stored per batch (one COPY + INSERT on PostgreSQL).
BATCH_SIZE = 10_000


class _RollBack(Exception):
    """Leave the import transaction, keeping nothing; ``str(exc)`` is the failure."""


def accounting_import_create(*, file_name: str, size_bytes: int, sha256: str, format: str,
                             cluster: str, source: str, actor=None,
                             time_shift: datetime.timedelta = datetime.timedelta(0),
                             ) -> AccountingImport:
    """Record a file to import (status ``queued``), before any of it is parsed.

    Args:
        file_name: the file's name as given (kept for display, cut to 255 characters).
        size_bytes: its size in bytes (compressed size for a gzip file).
        sha256: hex SHA-256 of its bytes (:func:`.intake.sha256_of`).
        format: ``"sacct"`` or ``"swf"``.
        cluster: the cluster name the jobs belong to (the file's own Cluster column
            is not used: the import's cluster is authoritative, which is also what
            ties an API token to its own cluster's jobs).
        source: ``"upload"``, ``"api"`` or ``"command"``.
        actor: the user who imports it, or ``None``.
        time_shift: added to every time of every job (a ``timedelta``, may be
            negative): a real trace moved in time for a demonstration. The same file
            with another shift is another import.

    Raises ``ValidationError`` when the file is larger than
    ``ACCOUNTING_MAX_FILE_BYTES``, was already imported with the same shift (same
    SHA-256, unless that import failed), or the format, source or cluster name is
    not valid.
    """
    cluster = (cluster or "").strip()
    if format not in AccountingImport.Format.values:
        raise ValidationError(_("Unknown accounting format “%(format)s”: use sacct or swf.")
                              % {"format": format})
    if source not in AccountingImport.Source.values:
        raise ValidationError(_("Unknown import source “%(source)s”.") % {"source": source})
    if not cluster:
        raise ValidationError(_("Give the name of the cluster the jobs ran on."))
    if len(cluster) > 64:
        raise ValidationError(_("A cluster name has at most 64 characters."))
    limit = settings.ACCOUNTING_MAX_FILE_BYTES
    if size_bytes > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the largest file accepted is %(limit)s.")
            % {"size": filesizeformat(size_bytes), "limit": filesizeformat(limit)})
    sha256 = (sha256 or "").lower()
    if len(sha256) != 64:
        raise ValidationError(_("The file's SHA-256 is missing or malformed."))
    if not isinstance(time_shift, datetime.timedelta):
        raise ValidationError(_("The time shift must be a duration."))
    earlier = duplicate_of(sha256, time_shift=time_shift)
    if earlier is not None:
        raise _duplicate_error(earlier)
    try:
        with transaction.atomic():
            return AccountingImport.objects.create(
                cluster=cluster, format=format, source=source, file_name=file_name[:255],
                size_bytes=size_bytes, sha256=sha256, created_by=actor, time_shift=time_shift)
    except IntegrityError:
        # Another request created the same file's import between the check and here.
        earlier = duplicate_of(sha256, time_shift=time_shift)
        if earlier is None:
            raise
        raise _duplicate_error(earlier) from None


def _duplicate_error(earlier: AccountingImport) -> ValidationError:
    return ValidationError(
        _("This file was already imported on %(date)s (import #%(id)d, %(name)s): "
          "importing it again would add nothing.")
        % {"date": date_format(timezone.localtime(earlier.created_at), "SHORT_DATETIME_FORMAT"),
           "id": earlier.pk, "name": earlier.file_name})


def accounting_import_run(*, accounting_import: AccountingImport, stream,
                          progress: Callable[[int, int], None] | None = None,
                          ) -> AccountingImport:
    """Run an import: parse ``stream``, store new jobs, update summaries and counts.

    Args:
        accounting_import: a ``queued`` import (or ``running``: a run cut short, e.g.
            by a killed worker, starts over; nothing of it was kept).
        stream: the file, a binary file object read once from where it stands
            (plain or gzip, detected by the magic bytes).
        progress: called as ``progress(bytes_read, lines_read)`` after each batch
            (bytes taken from ``stream``: compressed ones for gzip), for display. It
            must not write through the default database connection, which is busy
            with the import's transaction (on PostgreSQL the service itself writes
            the progress to the import row, through a connection of its own).

    Ends ``done`` (no bad line), ``done_with_errors`` (bad lines, at most
    ``ACCOUNTING_BAD_LINE_LIMIT`` of the data lines) or ``failed`` (more, or a file
    that cannot be read: nothing kept, ``failure`` says why). Idempotent: an import
    already finished is returned as it is, and a job already stored (by this or any
    other import) is counted in ``duplicates_skipped``, never twice. Never raises
    for bad content; other errors mark the import failed and are raised again.
    Returns the import, refreshed from the database.
    """
    pk = accounting_import.pk
    claimed = AccountingImport.objects.filter(
        pk=pk, status__in=[AccountingImport.Status.QUEUED, AccountingImport.Status.RUNNING],
    ).update(status=AccountingImport.Status.RUNNING, started_at=timezone.now(),
             finished_at=None, failure="")
    if not claimed:
        accounting_import.refresh_from_db()
        return accounting_import
    accounting_import.refresh_from_db()
    stats = ParseStats()
    reporter = ProgressWriter(pk)
    counter = None
    gc_was_enabled = gc.isenabled()
    # The rows are tuples of strings and numbers (no cycles): the cyclic garbage
    # collector would only rescan them, costing about a tenth of the parse time.
    gc.disable()
    begun = time.monotonic()
    try:
        with transaction.atomic():
            if not _lock_import(accounting_import):
                # Another run of this import finished while this one waited.
                reporter.close()
                accounting_import.refresh_from_db()
                return accounting_import
            batches, counter = parse(
                accounting_import.format, stream, stats=stats,
                power=power_by_partition(accounting_import.cluster), batch_size=BATCH_SIZE,
                cluster=accounting_import.cluster, import_id=pk,
                shift=accounting_import.time_shift)
            writer = writer_for(connection, direct_spans=import_submit_spans(
                accounting_import=accounting_import))
            pipeline = WriterThread(writer)
            # UTC text in a fixed format: text order is time order.
            first_end = last_end = first_submit = last_submit = None
            try:
                for batch in batches:
                    pipeline.put(batch)
                    if first_end is None:
                        first_end, last_end = batch.first_end, batch.last_end
                        first_submit, last_submit = batch.first_submit, batch.last_submit
                    else:
                        first_end = min(first_end, batch.first_end)
                        last_end = max(last_end, batch.last_end)
                        first_submit = min(first_submit, batch.first_submit)
                        last_submit = max(last_submit, batch.last_submit)
                    reporter.write(counter.count, stats.lines_read)
                    if progress is not None:
                        progress(counter.count, stats.lines_read)
            finally:
                # Always wait for the writer before leaving the transaction.
                added, staged = pipeline.close()
            reporter.close()
            limit = settings.ACCOUNTING_BAD_LINE_LIMIT
            if stats.bad_fraction > limit:
                raise _RollBack(
                    _("%(bad)d of %(lines)d lines are bad (more than %(limit)s %%): the file "
                      "does not look like %(format)s output. Nothing was imported; see the "
                      "first errors below.")
                    % {"bad": stats.error_count, "lines": stats.data_lines,
                       "limit": f"{limit * 100:g}", "format": accounting_import.format})
            stored_at = time.monotonic()
            if added:
                usage_summaries_add(accounting_import=accounting_import,
                                    end_span=(_aware(first_end), _aware(last_end)))
            summed_at = time.monotonic()
            status = (AccountingImport.Status.DONE_WITH_ERRORS if stats.error_count
                      else AccountingImport.Status.DONE)
            AccountingImport.objects.filter(pk=pk).update(
                status=status, finished_at=timezone.now(), failure="",
                bytes_read=counter.count, lines_read=stats.lines_read, jobs_added=added,
                duplicates_skipped=staged - added, steps_skipped=stats.steps_skipped,
                unfinished_skipped=stats.unfinished_skipped, error_count=stats.error_count,
                errors=stats.errors, first_submit=_aware(first_submit),
                last_submit=_aware(last_submit), first_end=_aware(first_end),
                last_end=_aware(last_end))
        logger.info(
            "accounting import %s: %d lines, %d jobs added, %d duplicates in %.1f s "
            "(read and store %.1f s, summaries %.1f s, commit %.1f s; rows copied straight "
            "into the job table %d, through staging %d)", pk, stats.lines_read,
            added, staged - added, time.monotonic() - begun, stored_at - begun,
            summed_at - stored_at, time.monotonic() - summed_at, writer.direct_rows,
            writer.staged_rows)
    except (_RollBack, BadFile) as exc:
        _mark_failed(pk, stats, str(exc), bytes_read=counter.count if counter else 0)
    except BaseException as exc:
        _mark_failed(pk, stats, _("The import stopped on an internal error (%(error)s); "
                                  "nothing was kept.") % {"error": type(exc).__name__},
                     bytes_read=counter.count if counter else 0)
        raise
    finally:
        reporter.close()
        if gc_was_enabled:
            gc.enable()
    if progress is not None and counter is not None:
        progress(counter.count, stats.lines_read)
    accounting_import.refresh_from_db()
    return accounting_import


def _aware(text: str | None) -> datetime.datetime | None:
    if text is None:
        return None
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


def _lock_import(accounting_import: AccountingImport) -> bool:
    """Serialise the imports of one cluster inside the import transaction; ``False``
    when this import was finished meanwhile (by another run of it).

    PostgreSQL: a transaction-level advisory lock on the cluster name (the import
    row itself stays free for progress writes). Two overlapping exports of a cluster
    imported at once would otherwise wait on each other's uncommitted jobs in
    ``ON CONFLICT`` and could deadlock; one after the other, the second simply
    skips what the first stored. SQLite: the transaction already holds the
    database's write lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('accounting_import'), "
                           "hashtext(%s))", [accounting_import.cluster])
    status = (AccountingImport.objects.filter(pk=accounting_import.pk)
              .values_list("status", flat=True).first())
    return status == AccountingImport.Status.RUNNING


def _mark_failed(pk: int, stats: ParseStats, failure: str, *, bytes_read: int) -> None:
    AccountingImport.objects.filter(pk=pk).update(
        status=AccountingImport.Status.FAILED, finished_at=timezone.now(), failure=failure,
        bytes_read=bytes_read, lines_read=stats.lines_read, jobs_added=0,
        duplicates_skipped=0, steps_skipped=stats.steps_skipped,
        unfinished_skipped=stats.unfinished_skipped, error_count=stats.error_count,
        errors=stats.errors)
