"""Reads of projects and their people: who may see a project, who leads it, its
allocation table, the public list."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from members.models import User
from resources.models import Resource

from ..models import Allocation, Project, ProjectMember

Role = ProjectMember.Role


def project_list_for_user(*, user: User) -> QuerySet[Project]:
    """Projects ``user`` belongs to, each annotated with ``my_role``, newest first."""
    role = ProjectMember.objects.filter(project=OuterRef("pk"), user=user)
    return (Project.objects.filter(members__user=user)
            .annotate(my_role=Subquery(role.values("role")[:1]))
            .select_related("organisation").order_by("-created_at"))


def project_for_user(*, user: User, pk: int) -> Project:
    """Project ``pk`` if ``user`` is in it (or is staff); ``Http404`` otherwise."""
    project = (Project.objects.visible_to(user).select_related("organisation")
               .filter(pk=pk).first())
    if project is None:
        raise Http404
    return project


def project_member_list(*, project: Project) -> QuerySet[ProjectMember]:
    """The people of ``project`` with their users, in the order of the project page: the
    PI, then managers, then members (``role_order`` 0, 1, 2), each by last name, first
    name and email. One query whatever their number."""
    role_order = Case(When(role=Role.PI, then=Value(0)), When(role=Role.MANAGER, then=Value(1)),
                      default=Value(2), output_field=IntegerField())
    return (project.members.select_related("user").annotate(role_order=role_order)
            .order_by("role_order", "user__last_name", "user__first_name", "user__email"))


def allocation_table(*, project: Project) -> dict:
    """The project's allocations as a resource × year table.

    Returns ``{"years": [...], "rows": [{"resource": Resource, "cells": {year:
    Allocation | None}, "total": Decimal}], }`` with resources in catalogue order.
    """
    allocations = list(project.allocations.select_related("resource"))
    years = sorted(set(project.years) | {a.year for a in allocations})
    by_resource: dict[int, dict[int, Allocation]] = defaultdict(dict)
    resources: dict[int, Resource] = {}
    for allocation in allocations:
        by_resource[allocation.resource_id][allocation.year] = allocation
        resources[allocation.resource_id] = allocation.resource
    rows = []
    for resource in sorted(resources.values(), key=lambda r: (r.order, r.kind, r.name)):
        cells = {year: by_resource[resource.pk].get(year) for year in years}
        total = sum((a.amount for a in cells.values() if a), Decimal(0))
        rows.append({"resource": resource, "cells": cells, "total": total})
    return {"years": years, "rows": rows}


def public_projects() -> QuerySet[Project]:
    """Projects whose summary is public (active or closed), newest first."""
    return Project.objects.public().select_related("organisation").order_by("-starts_on")


def project_role(*, project: Project, user) -> str | None:
    """The role of ``user`` in ``project`` (``pi``, ``manager``, ``member``) or ``None``
    (not in it, or anonymous). One query for a signed-in user."""
    if not user.is_authenticated:
        return None
    return (ProjectMember.objects.filter(project=project, user=user)
            .values_list("role", flat=True).first())


def require_project_lead(*, project: Project, user) -> None:
    """Raise ``PermissionDenied`` unless ``user`` is the project's PI or a manager."""
    if project_role(project=project, user=user) not in {Role.PI, Role.MANAGER}:
        raise PermissionDenied(_("Only the project's PI and managers may do this."))


def leads(project: Project) -> list[User]:
    """The PI and managers of ``project`` (every one, active or not), who are told of its
    requests' decisions, its allocations and its usage. One query."""
    return [m.user for m in project.members.filter(
        role__in=[ProjectMember.Role.PI, ProjectMember.Role.MANAGER]).select_related("user")]
