"""Staff lists of every project and every allocation: search, filters, sorting,
pagination (50 a page) and the CSV export of the filtered rows (``?export=csv``).

A fixed number of queries whatever the number of rows (the figures come from
:func:`projects.selectors.lists.list_figures`, for the page's 50 rows unless a filter on
access or use, or the export, needs every row's). Suspending and resuming an allocation
stay on the request review page (:mod:`projects.views.staff.allocations`).
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from algoric.core.staff import staff_required

from ...selectors.lists import (
    AllocationFilter,
    ListFigures,
    ProjectFilter,
    list_figures,
    staff_allocation_queryset,
    staff_project_queryset,
)
from ...selectors.usage import default_year
from .tables import StaffAllocationTable, StaffProjectTable

#: Rows per page of the staff lists.
PER_PAGE = 50
#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV
#: injection"); such a cell gets a leading apostrophe in the export.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """One cell of a CSV export, not localised: ISO dates, a dot in decimals, text with a
    leading ``'`` when it starts with one of :data:`FORMULA_PREFIXES`."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return f"{value:.2f}"
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_response(table, *, name: str) -> HttpResponse:
    """The rows of ``table`` (every row, the header first) as a CSV attachment named
    ``<name>-<today>.csv``."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{timezone.localdate().isoformat()}.csv"')
    writer = csv.writer(response)
    for row in table.as_values():
        writer.writerow([csv_cell(value) for value in row])
    return response


#: Filters that need the figures of every row, not only of the page's rows.
FIGURE_FILTERS = ("access", "usage")


def _page_ids(table, *, organisation_of, project_of) -> tuple[set[int], set[int]]:
    """The organisation and project ids of the rows of the table's current page."""
    records = [row.record for row in table.paginated_rows]
    return ({organisation_of(record) for record in records},
            {project_of(record) for record in records})


def _list_page(request, *, filter_class, queryset, table_class, name: str, template: str,
               organisation_of, project_of, every_year: bool = False):
    export = request.GET.get("export") == "csv"
    every_row = export or any(request.GET.get(key) for key in FIGURE_FILTERS)
    figures = (list_figures(every_year=every_year) if every_row
               else ListFigures(year=default_year()))
    filterset = filter_class(request.GET or None, queryset=queryset, figures=figures)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    table = table_class(rows, figures=figures)
    if export:
        RequestConfig(request, paginate=False).configure(table)
        return csv_response(table, name=name)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    if not every_row:
        # The figures of the 50 rows shown, read once the page is known; the table holds
        # the same ListFigures object and reads it when rendered.
        organisation_ids, project_ids = _page_ids(table, organisation_of=organisation_of,
                                                  project_of=project_of)
        page_figures = list_figures(every_year=every_year, project_ids=project_ids,
                                    organisation_ids=organisation_ids)
        vars(figures).update(vars(page_figures))
    export_query = request.GET.copy()
    export_query["export"] = "csv"
    export_query.pop("page", None)
    return render(request, template, {"filter": filterset, "table": table,
                                      "export_query": export_query.urlencode(),
                                      "year": figures.year})


@staff_required
@require_GET
def project_list(request):
    """Every project, with its organisation's access today and this year's CPU use."""
    return _list_page(request, filter_class=ProjectFilter, queryset=staff_project_queryset(),
                      table_class=StaffProjectTable, name="projects",
                      template="projects/staff/project_list.html",
                      organisation_of=lambda project: project.organisation_id,
                      project_of=lambda project: project.pk)


@staff_required
@require_GET
def allocation_list(request):
    """Every allocation, with its use in its year."""
    return _list_page(request, filter_class=AllocationFilter,
                      queryset=staff_allocation_queryset(), table_class=StaffAllocationTable,
                      name="allocations", template="projects/staff/allocation_list.html",
                      organisation_of=lambda allocation: allocation.project.organisation_id,
                      project_of=lambda allocation: allocation.project_id, every_year=True)
