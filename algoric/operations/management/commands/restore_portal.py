"""``manage.py restore_portal ARCHIVE [--force]``: put back a ``backup_portal`` archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from algoric.operations.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = ("Check a backup_portal archive against its manifest, then restore the database "
            "(pg_restore --clean --if-exists, or SQLite) and the private files. Refused "
            "when the database already holds accounts, unless --force is given.")

    def add_arguments(self, parser):
        parser.add_argument("archive", help="archive written by backup_portal")
        parser.add_argument("--force", action="store_true",
                            help="replace a database and private files that are not empty")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, archive, force, database, **options):
        try:
            result = backup_restore(archive_path=Path(archive), force=force, alias=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored: {result.engine} database and {result.files} private "
                          f"files from the backup of {result.created_at}")
