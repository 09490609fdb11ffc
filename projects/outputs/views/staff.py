"""The staff's list of every research output: search, filters (kind, year, open access,
HAL, project), sorting, pagination (50 a page) and the CSV export of the filtered rows
(``?export=csv``) — a fixed number of queries whatever the number of outputs (the
projects of a page are prefetched)."""

from __future__ import annotations

import django_tables2 as tables
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from algoric.core.staff import staff_required

from ...views.staff.lists import PER_PAGE, csv_response
from ..selectors import OutputFilter, staff_output_queryset


class StaffOutputTable(tables.Table):
    """Every output: title (to its DOI, HAL or link), kind, year, authors, venue,
    identifiers, open access, licence, acknowledgement, projects (to their pages)."""

    title = tables.Column(verbose_name=_("Title"))
    kind = tables.Column(verbose_name=_("Kind"))
    year = tables.Column(verbose_name=_("Year"))
    authors = tables.Column(verbose_name=_("Authors"), attrs={"td": {"class": "small"}})
    venue = tables.Column(verbose_name=_("Venue"))
    doi = tables.Column(verbose_name=_("DOI"))
    hal_id = tables.Column(verbose_name=_("HAL id"))
    arxiv_id = tables.Column(verbose_name=_("arXiv id"), visible=False)
    swhid = tables.Column(verbose_name=_("SWHID"), visible=False)
    open_access = tables.Column(verbose_name=_("Open access"))
    licence = tables.Column(verbose_name=_("Licence"), visible=False)
    acknowledges_centre = tables.BooleanColumn(verbose_name=_("Thanks the centre"))
    projects = tables.Column(verbose_name=_("Projects"), accessor="pk", orderable=False)

    class Meta:
        template_name = "django_tables2/bootstrap5-responsive.html"
        attrs = {"class": "table align-middle"}
        order_by = ("-year", "title")

    def render_title(self, record):
        link = record.doi_url or record.hal_url or record.url
        if link:
            return format_html('<a href="{}" rel="noopener">{}</a>', link, record.title)
        return record.title

    def value_title(self, record):
        return record.title

    def value_doi(self, value):
        return value

    def render_doi(self, value):
        return format_html('<span class="font-monospace small">{}</span>', value)

    def render_open_access(self, record):
        css = "text-bg-success" if record.is_open else "text-bg-light border"
        return format_html('<span class="badge {}">{}</span>', css,
                           record.get_open_access_display())

    def value_open_access(self, record):
        return record.open_access

    def value_kind(self, record):
        return record.kind

    def render_projects(self, record):
        return format_html_join(
            ", ", '<a href="{}">{}</a>',
            ((reverse("projects:project_detail", args=[project.pk]), project.acronym)
             for project in record.projects.all()))

    def value_projects(self, record):
        return " ".join(project.acronym for project in record.projects.all())

    def value_acknowledges_centre(self, record):
        return "yes" if record.acknowledges_centre else "no"


@staff_required
@require_GET
def output_list(request):
    """Every research output, with filters and CSV export."""
    queryset = staff_output_queryset()
    filterset = OutputFilter(request.GET or None, queryset=queryset)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    table = StaffOutputTable(rows)
    if request.GET.get("export") == "csv":
        RequestConfig(request, paginate=False).configure(table)
        return csv_response(table, name="outputs")
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    export_query = request.GET.copy()
    export_query["export"] = "csv"
    export_query.pop("page", None)
    return render(request, "projects/outputs/staff/output_list.html",
                  {"filter": filterset, "table": table,
                   "export_query": export_query.urlencode()})
