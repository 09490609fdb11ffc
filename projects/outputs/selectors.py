"""Reads of research outputs: a project's list, the outputs of a period, the counts by
kind and year with the shares in open access and in HAL, the public figures, the staff
list's filters and the projects whose PI is reminded."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import django_filters
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from resources.selectors.usage import usage_by_account

from ..models import OutputImport, Project, ResearchOutput
from ..selectors.usage import account_attribution

Kind = ResearchOutput.Kind
OpenAccess = ResearchOutput.OpenAccess


def project_outputs(*, project: Project) -> QuerySet[ResearchOutput]:
    """The outputs of ``project``, newest year first, then by title — one query."""
    return project.outputs.order_by("-year", "title")


def project_output_imports(*, project: Project, limit: int = 3) -> list[OutputImport]:
    """The project's ``limit`` latest imports from HAL, the newest first."""
    return list(OutputImport.objects.filter(project=project)
                .order_by("-created_at", "-pk")[:limit])


def public_project_outputs(*, project: Project) -> QuerySet[ResearchOutput]:
    """The outputs shown on the public page of ``project`` (its summary is public: the
    caller has checked it) — the same list as the project page."""
    return project_outputs(project=project)


def outputs_of_period(*, project: Project, start: dt.date, end: dt.date
                      ) -> QuerySet[ResearchOutput]:
    """The outputs of ``project`` published in the years from ``start.year`` to
    ``end.year`` (both included; an output carries its year of publication only), for
    the activity report of a renewal. One query when read."""
    return project_outputs(project=project).filter(year__gte=start.year, year__lte=end.year)


def activity_report_outputs(report) -> list[ResearchOutput]:
    """The outputs listed with a renewal's activity report: those of its project published
    in the report's period (:func:`outputs_of_period`). ``report``: an
    :class:`~projects.models.ActivityReport` or ``None`` (no report yet: no outputs)."""
    if report is None:
        return []
    return list(outputs_of_period(project=report.request.project, start=report.period_start,
                                  end=report.period_end))


def percent(part: int, whole: int) -> float | None:
    """``part`` / ``whole`` × 100, or ``None`` when ``whole`` is 0."""
    return part * 100 / whole if whole else None


@dataclass
class OutputCounts:
    """Outputs counted by year and kind.

    ``cells``: ``{(year, kind): {"outputs": n, "open": n, "hal": n}}``; ``years``: the
    years present, ascending; ``kinds``: the kinds present, in
    :class:`~projects.models.ResearchOutput.Kind` order.
    """

    cells: dict[tuple[int, str], dict[str, int]] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return sorted({year for year, _kind in self.cells})

    @property
    def kinds(self) -> list[str]:
        present = {kind for _year, kind in self.cells}
        return [kind for kind in Kind.values if kind in present]

    def total(self, *, year: int | None = None, kind: str | None = None) -> dict[str, int]:
        """``{"outputs", "open", "hal"}`` summed over the cells of ``year`` and ``kind``
        (``None``: every one)."""
        sums = {"outputs": 0, "open": 0, "hal": 0}
        for (cell_year, cell_kind), counts in self.cells.items():
            if (year is None or cell_year == year) and (kind is None or cell_kind == kind):
                for key in sums:
                    sums[key] += counts[key]
        return sums


def output_counts(*, queryset: QuerySet[ResearchOutput] | None = None,
                  up_to_year: int | None = None) -> OutputCounts:
    """Count ``queryset`` (default: every output) by year and kind, with those in open
    access and those in HAL — one grouped query. ``up_to_year`` leaves out later years."""
    queryset = ResearchOutput.objects.all() if queryset is None else queryset
    if up_to_year is not None:
        queryset = queryset.filter(year__lte=up_to_year)
    rows = (ResearchOutput.objects.filter(pk__in=queryset.values("pk")).order_by()
            .values("year", "kind")
            .annotate(outputs=Count("pk"),
                      open=Count("pk", filter=Q(open_access=OpenAccess.OPEN)),
                      hal=Count("pk", filter=~Q(hal_id=""))))
    return OutputCounts(cells={(row["year"], row["kind"]): {
        "outputs": row["outputs"], "open": row["open"], "hal": row["hal"]} for row in rows})


def public_output_figures(*, last_years: int = 5, year: int) -> dict:
    """The public statistics of outputs: ``{"by_year": [{"year", "outputs", "open",
    "open_percent"}] for the ``last_years`` years up to ``year``, "total": n,
    "open_percent": float | None}`` over every output of a project that is not a
    draft — one query."""
    counts = output_counts(
        queryset=ResearchOutput.objects.filter(
            projects__in=Project.objects.exclude(status=Project.Status.DRAFT)),
        up_to_year=year)
    by_year = []
    for shown in range(year - last_years + 1, year + 1):
        sums = counts.total(year=shown)
        by_year.append({"year": shown, "outputs": sums["outputs"], "open": sums["open"],
                        "open_percent": percent(sums["open"], sums["outputs"])})
    overall = counts.total()
    return {"by_year": by_year, "total": overall["outputs"],
            "open_percent": percent(overall["open"], overall["outputs"])}


def projects_to_remind(*, year: int) -> list[Project]:
    """Active projects that computed in ``year`` (usage summaries attributed to them)
    but have no output published in ``year`` or later — a fixed number of queries."""
    attribution = account_attribution()
    computed = {attribution.project_id(cluster=row["cluster"], account=row["account"])
                for row in usage_by_account(year=year)
                if row["core_hours"] or row["gpu_hours"]}
    computed.discard(None)
    with_outputs = set(ResearchOutput.objects.filter(year__gte=year, projects__in=computed)
                       .values_list("projects", flat=True))
    return list(Project.objects.filter(pk__in=computed - with_outputs,
                                       status=Project.Status.ACTIVE).order_by("acronym"))


# --- The staff list ---------------------------------------------------------------------

def staff_output_queryset() -> QuerySet[ResearchOutput]:
    """Every output with its projects (prefetched: one more query per page, whatever the
    number of rows)."""
    return ResearchOutput.objects.prefetch_related("projects").order_by("-year", "title")


YES_NO = (("yes", _("yes")), ("no", _("no")))


class OutputFilter(django_filters.FilterSet):
    """Filters of the staff list: words of the title, authors or identifiers, kind, year,
    open access, in HAL, software archived, project (acronym)."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Kind.choices,
                                       empty_label=_("all"))
    year = django_filters.NumberFilter(label=_("Year"))
    open_access = django_filters.ChoiceFilter(label=_("Open access"),
                                              choices=OpenAccess.choices, empty_label=_("all"))
    hal = django_filters.ChoiceFilter(label=_("In HAL"), choices=YES_NO, method="filter_hal",
                                      empty_label=_("all"))
    project = django_filters.CharFilter(label=_("Project (acronym)"), method="filter_project")

    class Meta:
        model = ResearchOutput
        fields = ["q", "kind", "year", "open_access", "hal", "project"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(authors__icontains=value)
                               | Q(doi__icontains=value) | Q(hal_id__icontains=value)
                               | Q(venue__icontains=value))

    def filter_hal(self, queryset, name, value):
        if value == "yes":
            return queryset.exclude(hal_id="")
        if value == "no":
            return queryset.filter(hal_id="")
        return queryset

    def filter_project(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(projects__acronym__iexact=value).distinct()


def outputs_by_project(outputs: list[ResearchOutput]) -> dict[int, list[ResearchOutput]]:
    """``{project id: [outputs]}`` of already loaded outputs with prefetched projects."""
    grouped: dict[int, list[ResearchOutput]] = defaultdict(list)
    for output in outputs:
        for project in output.projects.all():
            grouped[project.pk].append(output)
    return grouped
