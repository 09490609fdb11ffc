"""Forms of the yearly usage report pages: the staff's filters and the staff's request for
a report (the centre's, or one project's, for a year)."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Project, UsageReport
from .services import FIRST_YEAR

#: The value of the report field that stands for the centre report.
CENTRE = "centre"


class ReportFilterForm(forms.Form):
    """``?year=&scope=&status=`` of the staff's list of reports; bad values are ignored."""

    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=2100,
                              required=False)
    scope = forms.ChoiceField(label=_("Scope"), required=False,
                              choices=[("", _("All"))] + list(UsageReport.Scope.choices))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All"))] + list(UsageReport.Status.choices))

    def filter(self, queryset):
        """``queryset`` narrowed by the valid filters."""
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data.get("year"):
            queryset = queryset.filter(year=data["year"])
        if data.get("scope"):
            queryset = queryset.filter(scope=data["scope"])
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        return queryset


def _report_choices() -> list:
    projects = (Project.objects.exclude(status=Project.Status.DRAFT)
                .order_by("acronym", "pk").values_list("pk", "acronym", "title"))
    return [
        (CENTRE, _("The centre's report")),
        (_("Projects"), [(f"project-{pk}", f"{acronym} — {title}"[:90])
                         for pk, acronym, title in projects]),
    ]


class ReportGenerateForm(forms.Form):
    """Which report to generate (``centre`` or ``project-<id>``) and for which year.

    ``scope_and_project()`` gives ``(scope, project)`` for
    ``projects.reports.services.usage_report_request``, which checks the rest (a year
    in the future, a draft project…)."""

    report = forms.ChoiceField(label=_("Report"))
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["report"].choices = _report_choices()
        year = self.fields["year"]
        year.max_value = this_year
        year.validators.append(MaxValueValidator(this_year))
        year.widget.attrs["max"] = this_year
        year.initial = this_year - 1
        for name, css in (("report", "form-select"), ("year", "form-control")):
            widget = self.fields[name].widget
            widget.attrs["class"] = css + (" is-invalid" if self.errors.get(name) else "")

    def scope_and_project(self) -> tuple[str, Project | None]:
        """``("centre", None)`` or ``("project", <Project>)`` from a valid form."""
        value = self.cleaned_data["report"]
        if value == CENTRE:
            return UsageReport.Scope.CENTRE, None
        project = Project.objects.select_related("organisation").get(
            pk=int(value.removeprefix("project-")))
        return UsageReport.Scope.PROJECT, project
