"""Reads of the projects app shared by views, tasks and commands."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from members.models import User
from resources.models import Resource

from .models import Allocation, Project, ProjectMember, ResourceRequest


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


def request_for_user(*, user: User, pk: int) -> ResourceRequest:
    """Resource request ``pk`` if ``user`` is in its project (or is staff); else 404."""
    request = (ResourceRequest.objects.visible_to(user)
               .select_related("project__organisation").filter(pk=pk).first())
    if request is None:
        raise Http404
    return request


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


def request_queue() -> QuerySet[ResourceRequest]:
    """Requests waiting for staff: emergencies first, then the oldest."""
    return ResourceRequest.objects.staff_queue().select_related("project__organisation")


def public_projects() -> QuerySet[Project]:
    """Projects whose summary is public (active or closed), newest first."""
    return Project.objects.public().select_related("organisation").order_by("-starts_on")


def staff_dashboard_requests(*, limit: int = 10) -> dict:
    """The staff dashboard's view of the request queue: the first ``limit`` requests
    (emergencies first) and the counts ``waiting`` and ``emergencies``."""
    queue = request_queue()
    return {
        "requests": list(queue[:limit]),
        "waiting": queue.count(),
        "emergencies": queue.filter(kind=ResourceRequest.Kind.EMERGENCY).count(),
    }
