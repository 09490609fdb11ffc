"""A project's usage page: its use of its grants in a year, for its members and staff.

Every figure comes from ``projects.selectors.usage`` (sums of the ``resources`` usage
summaries, a fixed number of queries per page). Charts are drawn in the browser from the
numbers the page carries (:mod:`projects.views.charts`), each above the table that gives
its numbers and stands for it without JavaScript. The staff's usage pages are in
:mod:`projects.views.staff.usage`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from resources.accounting.selectors import shifted_imports

from ..forms.usage import YearForm
from ..models import Allocation
from ..selectors.projects import project_for_user
from ..selectors.usage import default_year
from ..selectors.usage import project_usage as project_usage_for_year
from .charts import grant_chart

ALLOCATION_BADGES = {
    Allocation.Status.ACTIVE: "text-bg-success",
    Allocation.Status.SUSPENDED: "text-bg-warning",
    Allocation.Status.EXPIRED: "text-bg-secondary",
}


def figure_text(value) -> str:
    """A usage figure for the pages' text: rounded to a whole number, grouped digits."""
    return number_format(round(float(value)), 0, force_grouping=True)


def _legend() -> dict[str, str]:
    return {"month": _("Used in the month"), "cumulative": _("Used since January"),
            "granted": _("Granted for the year")}


def _resource_chart(use, year: int, number: int) -> dict:
    """The chart of one resource row: the id of its data block, its numbers
    (:func:`projects.views.charts.grant_chart`) and its text alternative."""
    data = grant_chart(months=[m.month for m in use.months], used=[m.used for m in use.months],
                       granted=use.granted, unit=use.unit, legend=_legend(),
                       elapsed=sum(not m.future for m in use.months))
    if use.granted is not None:
        alt = _("Chart of %(resource)s in %(year)s: %(used)s %(unit)s used of %(granted)s "
                "granted, month by month. The table below gives the figures.") % {
            "resource": use.label, "year": year, "used": figure_text(use.used),
            "unit": use.unit, "granted": figure_text(use.granted)}
    else:
        alt = _("Chart of %(resource)s in %(year)s: %(used)s %(unit)s used, nothing granted, "
                "month by month. The table below gives the figures.") % {
            "resource": use.label, "year": year, "used": figure_text(use.used), "unit": use.unit}
    return {"id": f"usage-chart-{number}", "data": data, "alt": alt}


@login_required
@require_GET
def project_usage(request, pk: int):
    """What a project used in a year (``?year=YYYY``, default this year): per resource and
    month against its grants (chart and table), per person, per job state, energy, CO2e
    and cost. Members of the project and staff; 404 for others."""
    project = project_for_user(user=request.user, pk=pk)
    year = YearForm(request.GET).year_or(default_year())
    usage = project_usage_for_year(project=project, year=year)
    rows = []
    for number, use in enumerate(usage.resources, start=1):
        rows.append({"use": use, "chart": _resource_chart(use, year, number),
                     "badge": ALLOCATION_BADGES.get(use.allocation.status, "")
                     if use.allocation else ""})
    clusters = {place.split("/")[0] for use in usage.resources for place in use.partitions}
    return render(request, "projects/usage_project.html", {
        "project": project, "usage": usage, "rows": rows, "year": year,
        "shifted": [item for item in shifted_imports() if item["cluster"] in clusters],
    })
