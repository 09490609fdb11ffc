"""The staff lists of every project and every allocation: their querysets, their filters
(``django-filter`` filter sets) and the figures shown beside each row — the access status
of each organisation today and the use of each allocation.

Every figure is read in a fixed number of queries, whatever the number of projects, and
for the rows of the page only unless a filter on access or use or an export needs them all:
access statuses through :func:`members.services.organisation_access_statuses` (batch),
use through :func:`projects.selectors.usage.allocation_use` (the usage summaries, as the
usage dashboard reads them) — once per year that has allocations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import django_filters
from django.db.models import Exists, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from members.models import Organisation, OrganisationKind
from members.services import AccessStatus, organisation_access_statuses
from resources.models import Resource, ResourceKind

from ..models import Allocation, Project, ProjectMember
from .usage import account_attribution, allocation_use, default_year

#: Use of a grant (in %) from which a row is "near" its grant (filter ``usage=near``).
NEAR_PERCENT = 80
#: Use of a grant (in %) from which a row is "past" its grant (filter ``usage=over``).
OVER_PERCENT = 100

#: The empty choice of the filters.
ALL = _("all")

ACCESS_CHOICES = (("allowed", _("allowed")), ("refused", _("refused")))
USAGE_CHOICES = (
    ("near", _("near the grant (80 % to 100 %)")),
    ("over", _("past the grant (100 % or more)")),
)


def percent_band(percent: float | None) -> str | None:
    """``"over"`` from :data:`OVER_PERCENT` %, ``"near"`` from :data:`NEAR_PERCENT` %,
    else ``None`` (``percent`` ``None``: no grant)."""
    if percent is None:
        return None
    if percent >= OVER_PERCENT:
        return "over"
    if percent >= NEAR_PERCENT:
        return "near"
    return None


def _percent(used: float, granted: Decimal | None) -> float | None:
    if not granted:
        return None
    return float(used) * 100 / float(granted)


@dataclass
class ListFigures:
    """What the staff lists show beside the rows.

    ``year``: the year of the projects' CPU figures (this year); ``access``: organisation
    id → :class:`~members.services.AccessStatus` today; ``use``: ``(project id, resource
    id, year)`` → use in the resource's unit (core-hours, GPU-hours); ``cpu_granted`` and
    ``cpu_used``: project id → core-hours granted and used in ``year`` on CPU resources.
    """

    year: int
    access: dict[int, AccessStatus] = field(default_factory=dict)
    use: dict[tuple[int, int, int], float] = field(default_factory=dict)
    cpu_granted: dict[int, Decimal] = field(default_factory=dict)
    cpu_used: dict[int, float] = field(default_factory=dict)

    def access_allowed(self, organisation_id: int) -> bool | None:
        """Whether the organisation may use the centre today (``None``: unknown id)."""
        status = self.access.get(organisation_id)
        return None if status is None else status.allowed

    def cpu_percent(self, project_id: int) -> float | None:
        """Core-hours used in :attr:`year` as a percentage of the CPU grant of that year."""
        return _percent(self.cpu_used.get(project_id, 0.0), self.cpu_granted.get(project_id))

    def allocation_used(self, allocation: Allocation) -> float:
        """Use of ``allocation`` in its year, in its resource's unit."""
        return self.use.get((allocation.project_id, allocation.resource_id, allocation.year),
                            0.0)

    def allocation_percent(self, allocation: Allocation) -> float | None:
        """Use of ``allocation`` as a percentage of its amount (``None`` for no amount)."""
        return _percent(self.allocation_used(allocation), allocation.amount)


def list_figures(*, year: int | None = None, every_year: bool = False,
                 project_ids: Iterable[int] | None = None,
                 organisation_ids: Iterable[int] | None = None) -> ListFigures:
    """Access statuses of the organisations today, and the use of the allocations.

    ``year`` (default this year): the year of the projects' CPU grant and use;
    ``every_year``: also the use of every other year with allocations (the list of all
    allocations), else of ``year`` only. ``project_ids`` and ``organisation_ids``: only
    these projects' use and these organisations' access (the rows of one page); ``None``
    for all of them (a filter on access or use, or an export, needs every row's figure).
    Queries: 3 for the access statuses, 2 for the attribution, 2 per year for the use
    (and 1 for the years with allocations), 2 for the CPU grants — none per project.
    """
    year = year or default_year()
    figures = ListFigures(year=year)
    organisations = (Organisation.objects.only("pk") if organisation_ids is None
                     else Organisation.objects.filter(pk__in=list(organisation_ids)).only("pk"))
    figures.access = organisation_access_statuses(organisations=organisations)
    projects = None if project_ids is None else set(project_ids)
    allocations = Allocation.objects.order_by()
    if projects is not None:
        allocations = allocations.filter(project_id__in=projects)
    years = (set(allocations.values_list("year", flat=True).distinct())
             if every_year else set())
    attribution = account_attribution()
    for allocation_year in sorted(years | {year}):
        for (project_id, resource_id), used in allocation_use(
                year=allocation_year, project_ids=projects, attribution=attribution).items():
            figures.use[(project_id, resource_id, allocation_year)] = used
    cpu_resources = set(Resource.objects.filter(kind=ResourceKind.CPU)
                        .values_list("pk", flat=True))
    figures.cpu_granted = dict(
        allocations.filter(year=year, resource__kind=ResourceKind.CPU)
        .values("project_id").annotate(total=Sum("amount")).values_list("project_id", "total"))
    cpu_used: dict[int, float] = defaultdict(float)
    for (project_id, resource_id), used in ((key[:2], used) for key, used in figures.use.items()
                                           if key[2] == year):
        if resource_id in cpu_resources:
            cpu_used[project_id] += used
    figures.cpu_used = dict(cpu_used)
    return figures


# --- Querysets -------------------------------------------------------------------------

def staff_project_queryset():
    """Every project with its organisation and its PI's email (``pi_email``), by acronym."""
    pi_email = ProjectMember.objects.filter(
        project=OuterRef("pk"), role=ProjectMember.Role.PI).values("user__email")[:1]
    return (Project.objects.select_related("organisation")
            .annotate(pi_email=Subquery(pi_email)).order_by("acronym", "pk"))


def staff_allocation_queryset():
    """Every allocation with its project, organisation and resource; latest year first."""
    return (Allocation.objects.select_related("project__organisation", "resource")
            .order_by("-year", "project__acronym", "resource__order", "resource__name"))


# --- Filters ---------------------------------------------------------------------------

class _FiguresFilterSet(django_filters.FilterSet):
    """A filter set that is given the :class:`ListFigures` (for access and usage)."""

    def __init__(self, data=None, queryset=None, *, figures: ListFigures, **kwargs):
        self.figures = figures
        super().__init__(data, queryset, **kwargs)

    def _organisations_with_access(self, value: str) -> list[int]:
        wanted = value == "allowed"
        return [pk for pk, status in self.figures.access.items() if status.allowed == wanted]


class ProjectFilter(_FiguresFilterSet):
    """Filters of the list of all projects (GET parameters).

    ``q``: acronym, title, organisation name or PI email (contains, any case);
    ``status``; ``kind`` (organisation kind); ``year`` and ``resource``: has an
    allocation of that year / on that resource (both: one allocation of both);
    ``access``: ``allowed`` / ``refused`` today; ``usage``: ``near`` / ``over`` —
    this year's core-hours at :data:`NEAR_PERCENT` % to :data:`OVER_PERCENT` % of the
    year's CPU grant, or past it.
    """

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    status = django_filters.ChoiceFilter(label=_("Status"), empty_label=ALL,
                                         choices=Project.Status.choices)
    kind = django_filters.ChoiceFilter(label=_("Organisation kind"), empty_label=ALL,
                                       field_name="organisation__kind",
                                       choices=OrganisationKind.choices)
    year = django_filters.NumberFilter(label=_("Year with an allocation"),
                                       method="filter_allocation", min_value=2000,
                                       max_value=2100, step_size=1)
    resource = django_filters.ModelChoiceFilter(label=_("Resource"), empty_label=ALL,
                                                queryset=Resource.objects.all(),
                                                method="filter_allocation")
    access = django_filters.ChoiceFilter(label=_("Access today"), empty_label=ALL,
                                         choices=ACCESS_CHOICES,
                                         method="filter_access")
    usage = django_filters.ChoiceFilter(label=_("CPU use this year"), empty_label=ALL,
                                        choices=USAGE_CHOICES,
                                        method="filter_usage")

    class Meta:
        model = Project
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        pi = ProjectMember.objects.filter(project=OuterRef("pk"), role=ProjectMember.Role.PI,
                                          user__email__icontains=value)
        return queryset.filter(Q(acronym__icontains=value) | Q(title__icontains=value)
                               | Q(organisation__name__icontains=value) | Exists(pi))

    def filter_allocation(self, queryset, name, value):
        # ``year`` and ``resource`` are one condition on one allocation; the second of
        # them to run finds it already applied (applying it again changes nothing).
        conditions = {}
        if self.form.cleaned_data.get("year") is not None:
            conditions["year"] = self.form.cleaned_data["year"]
        if self.form.cleaned_data.get("resource") is not None:
            conditions["resource"] = self.form.cleaned_data["resource"]
        return queryset.filter(Exists(Allocation.objects.filter(project=OuterRef("pk"),
                                                                **conditions)))

    def filter_access(self, queryset, name, value):
        return queryset.filter(organisation_id__in=self._organisations_with_access(value))

    def filter_usage(self, queryset, name, value):
        return queryset.filter(pk__in=[
            pk for pk in self.figures.cpu_granted
            if percent_band(self.figures.cpu_percent(pk)) == value])


class AllocationFilter(_FiguresFilterSet):
    """Filters of the list of all allocations (GET parameters).

    ``q``: project acronym or title, organisation name (contains, any case); ``status``;
    ``kind`` (organisation kind); ``resource``; ``year``; ``access`` (of the
    organisation, today); ``usage``: ``near`` / ``over`` — the allocation's use in its
    year at :data:`NEAR_PERCENT` % to :data:`OVER_PERCENT` % of its amount, or past it.
    """

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    status = django_filters.ChoiceFilter(label=_("Status"), empty_label=ALL,
                                         choices=Allocation.Status.choices)
    kind = django_filters.ChoiceFilter(label=_("Organisation kind"), empty_label=ALL,
                                       field_name="project__organisation__kind",
                                       choices=OrganisationKind.choices)
    resource = django_filters.ModelChoiceFilter(label=_("Resource"), empty_label=ALL,
                                                queryset=Resource.objects.all())
    year = django_filters.NumberFilter(label=_("Year"), min_value=2000, max_value=2100,
                                       step_size=1)
    access = django_filters.ChoiceFilter(label=_("Access today"), empty_label=ALL,
                                         choices=ACCESS_CHOICES,
                                         method="filter_access")
    usage = django_filters.ChoiceFilter(label=_("Use of the grant"), empty_label=ALL,
                                        choices=USAGE_CHOICES,
                                        method="filter_usage")

    class Meta:
        model = Allocation
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(project__acronym__icontains=value)
                               | Q(project__title__icontains=value)
                               | Q(project__organisation__name__icontains=value))

    def filter_access(self, queryset, name, value):
        return queryset.filter(
            project__organisation_id__in=self._organisations_with_access(value))

    def filter_usage(self, queryset, name, value):
        rows = Allocation.objects.order_by().only("pk", "project_id", "resource_id", "year",
                                                  "amount")
        return queryset.filter(pk__in=[
            allocation.pk for allocation in rows
            if percent_band(self.figures.allocation_percent(allocation)) == value])
