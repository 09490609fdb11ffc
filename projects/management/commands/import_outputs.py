"""``manage.py import_outputs FILE --project ACRONYM``: the BibTeX import from the shell."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from projects.models import Project
from projects.outputs.services.bibtex import REFUSED, bibtex_decode, outputs_import_bibtex


class Command(BaseCommand):
    """Import the entries of a BibTeX file as outputs of one project (its acronym or
    Slurm account, case-insensitive), as the upload on the project page does, and print
    the counts (added, linked, already known, refused) and each refused entry with its
    line and reason. Running it again on the same file adds nothing. Exits non-zero when
    the file cannot be read or the project is not found."""

    help = "Import research outputs of a project from a BibTeX file and print the counts."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="a BibTeX file (UTF-8)")
        parser.add_argument("--project", required=True,
                            help="acronym or Slurm account of the project")

    def handle(self, *args, file: Path, project: str, **options):
        found = list(Project.objects.filter(
            Q(acronym__iexact=project) | Q(slurm_account__iexact=project))[:2])
        if len(found) != 1:
            raise CommandError(f"no single project has the acronym or Slurm account "
                               f"{project!r}")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from error
        try:
            report = outputs_import_bibtex(project=found[0], text=bibtex_decode(data),
                                           actor=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        for entry in report.entries:
            if entry.outcome == REFUSED:
                self.stdout.write(f"line {entry.line} ({entry.key}): refused — "
                                  + " ".join(entry.reasons))
        counts = report.counts
        self.stdout.write(
            f"{counts['total']} entries: {counts['added']} added, {counts['linked']} linked, "
            f"{counts['known']} already known, {counts['refused']} refused")
