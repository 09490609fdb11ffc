"""Yearly usage reports of a project or of the whole centre."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .projects import Project


class UsageReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Reports ``user`` may read: all for staff; for a member, the reports of the
        projects they belong to (the centre report is for staff only)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(scope=UsageReport.Scope.PROJECT, project__members__user=user).distinct()


class UsageReport(models.Model):
    """The yearly usage report of one project, or of the whole centre.

    One report per (scope, year) — per (project, year) for project reports.
    Generating it again replaces its files: each file is written to a temporary name
    then renamed (``os.replace``, atomic on POSIX), so a reader never gets a half file.
    ``files`` maps a file key (``pdf-fr``, ``pdf-en``, ``xlsx-fr``, ``xlsx-en``,
    ``csv-fr``, ``csv-en``) to its path relative to ``USAGE_REPORTS_DIR``;
    ``totals`` keeps the figures the report found (jobs, core-hours, GPU-hours,
    kWh measured and estimated, kg CO2e, euros, reusable heat kWh).
    ``generation`` counts generations: a task carries the number it was queued for,
    and a task for an older number returns without writing.
    """

    class Scope(models.TextChoices):
        PROJECT = "project", _("project")
        CENTRE = "centre", _("centre")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices)
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="usage_reports", null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices,
                              default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("current step"), max_length=100, blank=True)
    generation = models.PositiveIntegerField(default=1)
    files = models.JSONField(_("files"), default=dict, blank=True)
    totals = models.JSONField(_("totals"), default=dict, blank=True)
    failure = models.TextField(_("why it failed"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    generated_at = models.DateTimeField(_("generated"), null=True, blank=True)
    notify_readers = models.BooleanField(
        _("tell the readers when done"), default=False,
        help_text=_("The PI and managers of a project report, staff for the centre report."))
    notified_generation = models.PositiveIntegerField(default=0)

    objects = UsageReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("usage report")
        verbose_name_plural = _("usage reports")
        ordering = ["-year", "scope", "project__acronym"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], condition=Q(scope="project"),
                                    name="usage_report_one_per_project_year"),
            models.UniqueConstraint(fields=["year"], condition=Q(scope="centre"),
                                    name="usage_report_one_centre_per_year"),
            models.CheckConstraint(
                condition=(Q(scope="project", project__isnull=False)
                           | Q(scope="centre", project__isnull=True)),
                name="usage_report_scope_matches_project"),
            models.CheckConstraint(condition=Q(progress__lte=100),
                                   name="usage_report_progress_lte_100"),
        ]

    def __str__(self) -> str:
        if self.scope == self.Scope.CENTRE:
            return _("Centre report %(year)s") % {"year": self.year}
        return _("%(project)s report %(year)s") % {"project": self.project.acronym,
                                                   "year": self.year}

    @property
    def is_finished(self) -> bool:
        """True once the report is done or failed (the page stops polling)."""
        return self.status in {self.Status.DONE, self.Status.FAILED}
