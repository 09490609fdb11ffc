"""``manage.py backup_portal OUTPUT.tar.gz``: database and private files in one archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from algoric.operations.backup import BackupError, backup_create


class Command(BaseCommand):
    help = ("Write the database (pg_dump --format=custom, or a SQLite online backup) and "
            "the private files (PRIVATE_MEDIA_ROOT, reports) to one .tar.gz archive with "
            "a manifest of versions and sha256 checksums.")

    def add_arguments(self, parser):
        parser.add_argument("output", help="archive to write, e.g. algoric-2026-11-22.tar.gz")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, output, database, **options):
        try:
            manifest = backup_create(output=Path(output), alias=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        files = sum(1 for name in manifest["members"] if name != manifest["database"]["file"])
        self.stdout.write(f"backup written: {output} ({manifest['versions']['database']}, "
                          f"{files} private files)")
