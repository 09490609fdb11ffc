"""``manage.py generate_usage_reports``: write yearly usage reports now, in this process."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from projects.models import Project, UsageReport
from projects.reports.selectors import projects_to_report
from projects.reports.services import usage_report_generate, usage_report_request


class Command(BaseCommand):
    """Generate the reports of ``--year`` synchronously and print the files written.

    ``--project`` (acronym or Slurm account, case-insensitive) for one project,
    ``--centre`` for the centre report; with neither, every project with usage or
    allocations that year and the centre. Exits non-zero when a report fails.
    Readers are not notified (the yearly beat task does that).
    """

    help = "Generate yearly usage reports (PDF, CSV, XLSX in French and English) now."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--project", help="acronym or Slurm account of one project")
        parser.add_argument("--centre", action="store_true", help="the centre report")

    def handle(self, *args, year: int, project: str | None, centre: bool, **options):
        targets: list[tuple[str, Project | None]] = []
        if project:
            found = list(Project.objects.filter(
                Q(acronym__iexact=project) | Q(slurm_account__iexact=project))[:2])
            if len(found) != 1:
                raise CommandError(f"no single project has the acronym or Slurm account "
                                   f"{project!r}")
            targets.append((UsageReport.Scope.PROJECT, found[0]))
        if centre:
            targets.append((UsageReport.Scope.CENTRE, None))
        if not targets:
            targets = [(UsageReport.Scope.PROJECT, p) for p in projects_to_report(year=year)]
            targets.append((UsageReport.Scope.CENTRE, None))
        failures = 0
        for scope, target in targets:
            label = target.acronym if target else "centre"
            try:
                report = usage_report_request(scope=scope, year=year, project=target,
                                              enqueue=False)
            except ValidationError as error:
                raise CommandError(f"{label}: " + "; ".join(error.messages)) from error
            try:
                usage_report_generate(report_id=report.pk, generation=report.generation)
            except Exception as error:  # the report row says failed, with the reason
                failures += 1
                self.stderr.write(f"{label} {year}: failed: {error}")
                continue
            report.refresh_from_db()
            if report.status != UsageReport.Status.DONE:
                failures += 1
                self.stderr.write(f"{label} {year}: {report.status}")
                continue
            self.stdout.write(f"{label} {year}: {report.totals.get('jobs', 0)} jobs, "
                              f"{report.totals.get('core_hours', 0):.1f} core-hours")
            for key in sorted(report.files):
                self.stdout.write(f"  {settings.USAGE_REPORTS_DIR / report.files[key]}")
        if failures:
            raise CommandError(f"{failures} report(s) failed")
