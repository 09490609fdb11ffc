"""The public statistics of the centre: members, organisations, projects and what was
computed this year and last, with its energy and CO2e.

Everything comes from counts of a few tables and from the monthly usage summaries
(``resources.UsageSummary``): a fixed number of queries (about ten) however many
jobs were imported, never a scan of the job records. The result is kept in the
Django cache for ``PUBLIC_STATISTICS_CACHE_SECONDS`` (a few minutes), so a busy home
page costs one cache read; pages say when the figures were computed.

This module sits in ``projects``, the top app, because it reads all three apps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from algoric.core.page_cache import current_versions
from members.models import Membership, Organisation, OrganisationKind, OrganisationMember
from resources.accounting.selectors import shifted_imports
from resources.selectors.usage import UsageSums, usage_by_account, usage_sums

from ..models import Project
from ..outputs.selectors import public_output_figures
from .usage import (
    EnergyFigures,
    account_attribution,
    current_month,
    energy_figures,
    months_of,
)

#: Cache key prefix of the statistics (the year follows, so a new year starts afresh).
CACHE_KEY = "public-statistics:v1"


@dataclass
class YearFigures:
    """What the centre delivered in one year.

    ``year``; ``totals``: :class:`~resources.selectors.usage.UsageSums` (jobs, core-hours,
    GPU-hours, kWh measured and estimated); ``energy``: :class:`EnergyFigures` (kWh,
    kg CO2e, euros, reusable heat); ``by_month``: the 12 months as ``{"month": date,
    "core_hours": float, "gpu_hours": float, "energy_kwh": float, "jobs": int,
    "future": bool}`` (``future``: the month has not begun and has no usage);
    ``projects``: number of projects with usage that year.
    """

    year: int
    totals: UsageSums
    energy: EnergyFigures
    by_month: list[dict]
    projects: int


@dataclass
class PublicStatistics:
    """The figures of the public statistics page and of the home page.

    ``computed_at``: when they were computed (aware datetime); ``people``: persons
    belonging to at least one organisation; ``organisations``: total;
    ``by_kind``: ``[{"kind": code, "organisations": n, "members": n}]`` for every
    organisation kind (``members``: organisations whose membership of ``year`` is
    paid or waived), in the order of :class:`~members.models.OrganisationKind`;
    ``members``: organisations in good standing for ``year``; ``active_projects``:
    projects with status ``active``; ``this_year``, ``last_year``:
    :class:`YearFigures`; ``shifted``: the accounting imports whose times were
    shifted (``resources.accounting.selectors.shifted_imports``), so pages can say the figures
    come from real traces moved in time; ``outputs``: the research outputs of the
    last five years (:func:`projects.outputs.selectors.public_output_figures`: by year
    with the open-access share, the total and its open-access share). The cache is
    dropped when an output is recorded or removed.
    """

    year: int
    computed_at: dt.datetime
    people: int
    organisations: int
    members: int
    by_kind: list[dict]
    active_projects: int
    this_year: YearFigures
    last_year: YearFigures
    shifted: list[dict] = field(default_factory=list)
    outputs: dict = field(default_factory=dict)

    @property
    def core_hours_change_percent(self) -> float | None:
        """Change of core-hours from last year to this year, percent (``None`` when last
        year had none)."""
        before = self.last_year.totals.core_hours
        if not before:
            return None
        return (self.this_year.totals.core_hours - before) * 100 / before


def _year_figures(year: int, attribution) -> YearFigures:
    """Usage of ``year`` by month and by account — two queries on the summaries."""
    months = {row["month"]: row for row in usage_sums(group_by=["month"], year=year)}
    totals = UsageSums()
    by_month = []
    this_month = current_month()
    for month in months_of(year):
        row = months.get(month)
        sums = UsageSums.of(row) if row else UsageSums()
        totals.add(sums)
        by_month.append({"month": month, "core_hours": sums.core_hours,
                         "gpu_hours": sums.gpu_hours, "energy_kwh": sums.energy_kwh,
                         "jobs": sums.jobs, "future": month > this_month and row is None})
    projects = {attribution.project_id(cluster=row["cluster"], account=row["account"])
                for row in usage_by_account(year=year)
                if row["core_hours"] or row["gpu_hours"]}
    projects.discard(None)
    return YearFigures(year=year, totals=totals, energy=energy_figures(totals),
                       by_month=by_month, projects=len(projects))


def public_statistics_compute(*, year: int | None = None) -> PublicStatistics:
    """Compute the public statistics for ``year`` (default: this year in ``TIME_ZONE``)
    and the year before, without the cache — about ten queries whatever the number of
    jobs (counts on members, organisations and projects; grouped sums of the monthly
    usage summaries)."""
    year = year or timezone.localdate().year
    counts = {row["kind"]: row for row in Organisation.objects.order_by().values("kind").annotate(
        organisations=Count("pk", distinct=True),
        members=Count("memberships", distinct=True, filter=Q(
            memberships__year=year,
            memberships__status__in=[Membership.Status.PAID, Membership.Status.WAIVED])))}
    by_kind = [{"kind": kind, "organisations": counts.get(kind, {}).get("organisations", 0),
                "members": counts.get(kind, {}).get("members", 0)}
               for kind in OrganisationKind.values]
    attribution = account_attribution()
    return PublicStatistics(
        year=year,
        computed_at=timezone.now(),
        people=OrganisationMember.objects.values("user").distinct().count(),
        organisations=sum(row["organisations"] for row in by_kind),
        members=sum(row["members"] for row in by_kind),
        by_kind=by_kind,
        active_projects=Project.objects.filter(status=Project.Status.ACTIVE).count(),
        this_year=_year_figures(year, attribution),
        last_year=_year_figures(year - 1, attribution),
        shifted=list(shifted_imports()),
        outputs=public_output_figures(year=year),
    )


def cache_key(year: int) -> str:
    """The cache key of the statistics of ``year``, with the current versions of the
    usage, projects (and their outputs), catalogue and agenda (training figures)
    (:mod:`algoric.core.page_cache`): new summaries, a new project, output or resource, a
    session's attendance make the next reader's figures new at once."""
    versions = current_versions(("usage", "projects", "catalogue", "agenda"))
    return f"{CACHE_KEY}:{year}:" + ":".join(versions.values())


def public_statistics(*, year: int | None = None) -> PublicStatistics:
    """The public statistics of ``year`` (default: this year) from the cache, computed
    by :func:`public_statistics_compute` when absent or older than
    ``PUBLIC_STATISTICS_CACHE_SECONDS`` — one cache read when cached."""
    year = year or timezone.localdate().year
    return cache.get_or_set(cache_key(year), lambda: public_statistics_compute(year=year),
                            timeout=settings.PUBLIC_STATISTICS_CACHE_SECONDS)


def public_statistics_forget(*, year: int | None = None) -> None:
    """Drop the cached statistics of ``year`` (default: this year), e.g. after the demo
    loads new data."""
    cache.delete(cache_key(year or timezone.localdate().year))
