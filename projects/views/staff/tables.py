"""The tables (``django-tables2``) of the staff lists of all projects and all allocations.

Each table is given the :class:`~projects.selectors.lists.ListFigures` of the page, and
reads the access status and the use of each row from it (no query per row). The
``value_…`` methods give the CSV export its plain values: ISO dates, numbers with a dot.
"""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ...selectors.lists import ListFigures


def _access_cell(figures: ListFigures, organisation_id: int):
    status = figures.access.get(organisation_id)
    if status is None:
        return "—"
    if status.allowed:
        return format_html('<span class="badge text-bg-success">{}</span>', gettext("allowed"))
    reasons = " ".join(str(reason.message) for reason in status.blocking_reasons)
    return format_html('<span class="badge text-bg-danger">{}</span>'
                       '<span class="d-block small text-body-secondary">{}</span>',
                       gettext("refused"), reasons)


def _access_value(figures: ListFigures, organisation_id: int) -> str:
    status = figures.access.get(organisation_id)
    if status is None:
        return ""
    return "allowed" if status.allowed else "refused"


def _percent_cell(percent: float | None):
    if percent is None:
        return "—"
    css = "text-danger fw-semibold" if percent >= 100 else (
        "text-warning-emphasis" if percent >= 80 else "")
    return format_html('<span class="{}">{} %</span>', css, number_format(percent, 0))


def _number(value) -> str:
    """A plain number for the CSV export: a dot as decimal separator, two decimals."""
    return "" if value is None else f"{float(value):.2f}"


class StaffProjectTable(tables.Table):
    """All projects: acronym (to the project's page), title, organisation and its kind,
    status, PI, this year's CPU grant and use, access of the organisation today, and a
    link to the usage page."""

    acronym = tables.Column(verbose_name=_("Acronym"), linkify=(
        "projects:project_detail", {"pk": tables.A("pk")}))
    title = tables.Column(verbose_name=_("Title"))
    organisation = tables.Column(verbose_name=_("Organisation"),
                                 accessor="organisation__name", order_by="organisation__name")
    kind = tables.Column(verbose_name=_("Kind"), accessor="organisation__kind",
                         order_by="organisation__kind")
    status = tables.Column(verbose_name=_("Status"))
    pi_email = tables.Column(verbose_name=_("PI"), default="")
    cpu_granted = tables.Column(verbose_name=_("CPU granted (core-hours)"),
                                accessor="pk", orderable=False)
    cpu_used = tables.Column(verbose_name=_("CPU used (core-hours)"),
                             accessor="pk", orderable=False)
    cpu_percent = tables.Column(verbose_name=_("% used"), accessor="pk", orderable=False)
    access = tables.Column(verbose_name=_("Access today"), accessor="organisation_id",
                           orderable=False)
    usage = tables.Column(verbose_name=_("Usage"), accessor="pk", orderable=False,
                          exclude_from_export=True)

    class Meta:
        template_name = "core/table.html"
        attrs = {"class": "table align-middle"}
        order_by = "acronym"

    def __init__(self, *args, figures: ListFigures, **kwargs):
        self.figures = figures
        super().__init__(*args, **kwargs)

    def render_cpu_granted(self, value):
        granted = self.figures.cpu_granted.get(value)
        return "—" if granted is None else number_format(granted, 0, force_grouping=True)

    def value_cpu_granted(self, value):
        return _number(self.figures.cpu_granted.get(value))

    def render_cpu_used(self, value):
        return number_format(self.figures.cpu_used.get(value, 0.0), 0, force_grouping=True)

    def value_cpu_used(self, value):
        return _number(self.figures.cpu_used.get(value, 0.0))

    def render_cpu_percent(self, value):
        return _percent_cell(self.figures.cpu_percent(value))

    def value_cpu_percent(self, value):
        return _number(self.figures.cpu_percent(value))

    def render_access(self, value):
        return _access_cell(self.figures, value)

    def value_access(self, value):
        return _access_value(self.figures, value)

    def render_usage(self, value):
        return format_html('<a href="{}">{}</a>', reverse("projects:project_usage", args=[value]),
                           gettext("usage"))

    def value_kind(self, record):
        return record.organisation.kind

    def value_status(self, record):
        return record.status


class StaffAllocationTable(tables.Table):
    """All allocations: resource (to the allocation's staff page), year, project (to its
    page), organisation, status, granted, used in its year, % used, end date."""

    resource = tables.Column(verbose_name=_("Resource"), accessor="resource__name",
                             order_by=("resource__order", "resource__name"), linkify=(
                                 "projects:staff_allocation_detail", {"pk": tables.A("pk")}))
    year = tables.Column(verbose_name=_("Year"))
    project = tables.Column(verbose_name=_("Project"), accessor="project__acronym",
                            order_by="project__acronym", linkify=(
                                "projects:project_detail", {"pk": tables.A("project_id")}))
    organisation = tables.Column(verbose_name=_("Organisation"),
                                 accessor="project__organisation__name",
                                 order_by="project__organisation__name")
    status = tables.Column(verbose_name=_("Status"))
    amount = tables.Column(verbose_name=_("Granted"))
    used = tables.Column(verbose_name=_("Used"), accessor="pk", orderable=False)
    percent = tables.Column(verbose_name=_("% used"), accessor="pk", orderable=False)
    ends_on = tables.DateColumn(verbose_name=_("Ends on"))
    access = tables.Column(verbose_name=_("Access today"),
                           accessor="project__organisation_id", orderable=False)

    class Meta:
        template_name = "core/table.html"
        attrs = {"class": "table align-middle"}

    def __init__(self, *args, figures: ListFigures, **kwargs):
        self.figures = figures
        super().__init__(*args, **kwargs)

    def render_amount(self, record):
        return format_html("{} {}", number_format(record.amount, 0, force_grouping=True),
                           record.resource.unit)

    def value_amount(self, record):
        return _number(record.amount)

    def render_used(self, record):
        return number_format(self.figures.allocation_used(record), 0, force_grouping=True)

    def value_used(self, record):
        return _number(self.figures.allocation_used(record))

    def render_percent(self, record):
        return _percent_cell(self.figures.allocation_percent(record))

    def value_percent(self, record):
        return _number(self.figures.allocation_percent(record))

    def render_access(self, value):
        return _access_cell(self.figures, value)

    def value_access(self, value):
        return _access_value(self.figures, value)

    def value_status(self, record):
        return record.status

    def value_ends_on(self, record):
        return record.ends_on.isoformat()
