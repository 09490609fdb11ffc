"""``manage.py import_accounting FILE --format sacct|swf --cluster NAME``."""

from __future__ import annotations

import datetime
import os
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from resources.accounting.services.imports import (
    accounting_import_create,
    accounting_import_run,
)
from resources.accounting.services.intake import sha256_of
from resources.models import AccountingImport

#: Shortest time between two redraws of the progress bar, seconds.
REDRAW_INTERVAL = 0.25
#: How many of the first bad lines are printed.
ERRORS_SHOWN = 10
#: Largest ``--shift-days`` either way (about 300 years).
MAX_SHIFT_DAYS = 110_000


class ProgressBar:
    """A one-line progress bar on a terminal stream, redrawn at most 4 times a second.

    ``total``: the file size in bytes; ``update(bytes_read, lines_read)`` redraws.
    """

    width = 30

    def __init__(self, stream, total: int):
        self.stream = stream
        self.total = total
        self.last = 0.0
        self.drawn = False

    def update(self, bytes_read: int, lines_read: int, *, force: bool = False) -> None:
        """Redraw with ``bytes_read`` of ``total`` bytes and ``lines_read`` lines, unless
        the last redraw is less than :data:`REDRAW_INTERVAL` seconds old (``force``: anyway)."""
        now = time.monotonic()
        if not force and now - self.last < REDRAW_INTERVAL:
            return
        self.last = now
        fraction = min(1.0, bytes_read / self.total) if self.total else 1.0
        filled = int(fraction * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {fraction * 100:5.1f} %  {lines_read:,} lines", ending="")
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        """End the bar's line (when it was drawn)."""
        if self.drawn:
            self.stream.write("")


class Command(BaseCommand):
    """Import a Slurm ``sacct --parsable2`` file or an SWF trace (plain or gzip).

    Computes the file's SHA-256, records the import (source ``command``) through the
    same service as the upload page, runs it with a progress bar on stderr (when it
    is a terminal, or with ``--progress``) and prints the counts. Exits non-zero when
    the file is refused (already imported, too large) or the import fails.
    """

    help = ("Import a Slurm sacct (--parsable2) file or an SWF trace, plain or gzip, "
            "into the job records of a cluster.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the accounting file (plain or .gz)")
        parser.add_argument("--format", required=True, choices=AccountingImport.Format.values)
        parser.add_argument("--cluster", required=True, help="the cluster the jobs ran on")
        parser.add_argument("--shift-days", type=int, default=0, metavar="N",
                            help="move every time of every job by N days (may be negative): "
                                 "a real trace replayed for a demonstration")
        parser.add_argument("--progress", action="store_true", default=None,
                            help="draw the progress bar even when stderr is not a terminal")
        parser.add_argument("--no-progress", dest="progress", action="store_false",
                            help="never draw the progress bar")

    def handle(self, *args, file: str, format: str, cluster: str, progress: bool | None,
               shift_days: int = 0, **options):
        if abs(shift_days) > MAX_SHIFT_DAYS:
            raise CommandError(_("The time shift is at most %(days)d days either way.")
                               % {"days": MAX_SHIFT_DAYS})
        time_shift = datetime.timedelta(days=shift_days)
        try:
            handle = open(file, "rb")  # noqa: SIM115 (closed below, after the import)
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s")
                               % {"file": file, "error": exc.strerror}) from exc
        with handle:
            size = os.fstat(handle.fileno()).st_size
            # An oversized file is refused without reading it (the size check comes
            # before the SHA-256 one in the service).
            digest = sha256_of(handle) if size <= settings.ACCOUNTING_MAX_FILE_BYTES else ""
            try:
                accounting_import = accounting_import_create(
                    file_name=os.path.basename(file), size_bytes=size, sha256=digest,
                    format=format, cluster=cluster, source=AccountingImport.Source.COMMAND,
                    time_shift=time_shift)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            if progress is None:
                progress = self.stderr.isatty()
            bar = ProgressBar(self.stderr, size) if progress else None
            started = time.monotonic()
            accounting_import = accounting_import_run(
                accounting_import=accounting_import, stream=handle,
                progress=bar.update if bar else None)
            seconds = time.monotonic() - started
            if bar:
                bar.update(accounting_import.bytes_read, accounting_import.lines_read, force=True)
                bar.finish()
        self.report(accounting_import, seconds)
        if accounting_import.status == AccountingImport.Status.FAILED:
            raise CommandError(accounting_import.failure)

    def report(self, accounting_import: AccountingImport, seconds: float) -> None:
        """Print the import's counts and its first errors on stdout."""
        imp = accounting_import
        write = self.stdout.write
        write(_("Import #%(id)d of %(file)s (%(format)s, cluster %(cluster)s): %(status)s")
              % {"id": imp.pk, "file": imp.file_name, "format": imp.format,
                 "cluster": imp.cluster, "status": imp.get_status_display()})
        lines_rate = imp.lines_read / seconds if seconds > 0 else 0
        jobs_rate = imp.jobs_added / seconds if seconds > 0 else 0
        for label, value in (
            (_("lines read"), imp.lines_read),
            (_("jobs added"), imp.jobs_added),
            (_("duplicates skipped"), imp.duplicates_skipped),
            (_("steps skipped"), imp.steps_skipped),
            (_("unfinished skipped"), imp.unfinished_skipped),
            (_("bad lines"), imp.error_count),
        ):
            write(f"  {label + ':':<22}{value:>12,}")
        if imp.time_shift:
            write("  " + _("every time moved by %(days)s days") % {
                "days": f"{imp.time_shift / datetime.timedelta(days=1):+g}"})
        write("  " + _("%(seconds).2f s: %(lines)s lines read and %(jobs)s jobs added per second")
              % {"seconds": seconds, "lines": f"{lines_rate:,.0f}", "jobs": f"{jobs_rate:,.0f}"})
        if imp.errors:
            write(_("First errors:"))
            for error in imp.errors[:ERRORS_SHOWN]:
                write("  " + _("line %(line)d: %(reason)s") % error)
            if imp.error_count > ERRORS_SHOWN:
                write("  " + _("… and %(count)d more") % {"count": imp.error_count - ERRORS_SHOWN})
