"""The last step of the demonstration centre: last year's yearly usage reports."""

from __future__ import annotations

import io

from django.core.management import call_command, get_commands

from ..models import Project, UsageReport
from ..reports.selectors import projects_to_report
from .people import DOMAIN

#: Local parts of the logins the demo prints (``member`` comes from ``demo_data``): the
#: demo generates by default the reports of their projects (the others: ``manage.py
#: generate_usage_reports --year …``), so whoever signs in with one finds them.
SHOWCASE_LOGINS = ("member", "mairie", "herve.le-meur", "nolwenn.le-roux", "soizic.tanguy")


class ReportSteps:
    """The ``reports_step`` step of :class:`~projects.demo.centre.DemoCentre`.

    A mixin: it reads the centre's ``year``, ``reports`` (``"showcase"``, ``"all"`` or
    ``"none"``) and ``log``, and lists the reports it generates in ``result.reports``
    and what it could not do in ``result.notices``.
    """

    def reports_step(self) -> None:
        """The yearly reports of last year (projects with usage or grants, and the
        centre), those not generated yet."""
        if self.reports == "none":
            return
        if "generate_usage_reports" not in get_commands():
            self.result.notices.append("The yearly reports are not available in this "
                                       "version: none generated.")
            return
        year = self.year - 1
        done = UsageReport.objects.filter(year=year, status=UsageReport.Status.DONE)
        showcase = set(Project.objects.filter(
            members__user__email__in=[f"{login}@{DOMAIN}" for login in SHOWCASE_LOGINS],
        ).values_list("pk", flat=True))
        targets = [["--project", project.slurm_account] for project in
                   projects_to_report(year=year)
                   if (self.reports == "all" or project.pk in showcase)
                   and not done.filter(project=project).exists()]
        if not done.filter(scope=UsageReport.Scope.CENTRE).exists():
            targets.append(["--centre"])
        for index, target in enumerate(targets, 1):
            self.log(f"Yearly report {year} {index}/{len(targets)}: {target[-1]} …")
            call_command("generate_usage_reports", "--year", str(year), *target,
                         stdout=io.StringIO())
            self.result.reports.append(target[-1])
