"""The public statistics page: what the centre delivered this year and last, for every
visitor.

The figures come from ``projects.selectors.statistics`` (cached for a few minutes, a fixed
number of queries when computed); the chart is drawn in the browser from the numbers the
page carries (:mod:`projects.views.charts`), above the table that gives them. The whole
page is kept by the public page cache (:mod:`algoric.core.page_cache`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from algoric.core.page_cache import public_page
from algoric.core.registries import centre_report_sections
from members.models import OrganisationKind

from ..selectors.statistics import PublicStatistics, cache_key, public_statistics
from .charts import monthly_comparison


def _amount(value) -> str:
    return number_format(round(float(value)), 0, force_grouping=True)


def _chart(stats: PublicStatistics) -> dict:
    """The chart of core-hours by month, this year beside last year: the id of its data
    block, its numbers and its text alternative (the table under it gives every number)."""
    this_year, last_year = stats.this_year, stats.last_year
    data = monthly_comparison(
        months=[row["month"] for row in this_year.by_month],
        values=[row["core_hours"] for row in this_year.by_month],
        previous=[row["core_hours"] for row in last_year.by_month],
        unit=_("core-hours"),
        legend={"current": str(this_year.year), "previous": str(last_year.year)})
    alt = _("Chart of the core-hours delivered each month of %(year)s (%(total)s in all) "
            "beside the same month of %(previous)s (%(previous_total)s). The table below "
            "gives the figures.") % {
        "year": this_year.year, "total": _amount(this_year.totals.core_hours),
        "previous": last_year.year, "previous_total": _amount(last_year.totals.core_hours)}
    return {"id": "statistics-chart", "data": data, "alt": alt}


@public_page("usage", "catalogue", "projects", "agenda")
@require_GET
def public_statistics_view(request):
    """Members, organisations by kind, active projects, core-hours and GPU-hours of this
    year and last, energy and CO2e, and a chart by month with its table — for every
    visitor, in French or English; then the sections other apps register (training).
    Figures are at most a few minutes old (the page says when they were computed)."""
    stats = public_statistics()
    labels = dict(OrganisationKind.choices)
    by_kind = [{**row, "label": labels[row["kind"]]} for row in stats.by_kind]
    months = [{"month": current["month"], "current": current, "previous": previous}
              for current, previous in zip(stats.this_year.by_month, stats.last_year.by_month,
                                           strict=True)]
    return render(request, "projects/public_statistics.html", {
        "stats": stats, "by_kind": by_kind, "months": months, "chart": _chart(stats),
        "cache_minutes": max(1, settings.PUBLIC_STATISTICS_CACHE_SECONDS // 60),
        "extra_sections": cache.get_or_set(
            f"{cache_key(stats.year)}:registered:{get_language()}:"
            f"{stats.computed_at.timestamp():.6f}", lambda: _registered_sections(stats),
            timeout=settings.PUBLIC_STATISTICS_CACHE_SECONDS),
    })


def _registered_sections(stats: PublicStatistics) -> list[dict]:
    """The figures the apps above register (training: sessions, attendees, hours, school
    visits) for this year and last: ``[{"title", "rows": [(label, last, this)]}]``; cached
    with the figures, in each language."""
    last = {section["name"]: dict(section["rows"])
            for section in centre_report_sections(year=stats.last_year.year)}
    return [{"title": section["title"],
             "rows": [(label, last.get(section["name"], {}).get(label), value)
                      for label, value in section["rows"]]}
            for section in centre_report_sections(year=stats.year)]
