"""Reads of the yearly usage reports: who may read which report, who is told one is
ready, which projects get one, and which reports lost their task."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from algoric.core.staff import needs_mfa_enrolment
from members.models import User
from resources.selectors.usage import usage_by_account

from ..models import Allocation, Project, ProjectMember, UsageReport
from ..selectors.usage import account_attribution

#: A report ``running`` without a heartbeat for this long is taken as abandoned (its
#: worker died) and queued again by the sweeper; one step (one file) takes seconds. A
#: report ``queued`` for this long lost its message (broker down at commit).
STALE_AFTER = timedelta(minutes=5)
#: How many stale reports one sweep queues again at most.
STALE_BATCH = 100


def reports_for_user(*, user) -> QuerySet[UsageReport]:
    """The reports ``user`` may read (``UsageReport.objects.visible_to``: members the
    reports of their projects, verified staff every report). Staff without two-factor
    authentication are treated as members: their projects' reports only."""
    queryset = UsageReport.objects.select_related("project__organisation", "requested_by")
    if needs_mfa_enrolment(user):
        return queryset.filter(scope=UsageReport.Scope.PROJECT,
                               project__members__user=user).distinct()
    return queryset.visible_to(user)


def report_for_user(*, user, pk: int) -> UsageReport:
    """Report ``pk`` if ``user`` may read it (:func:`reports_for_user`); ``Http404``
    otherwise, as for a report that does not exist."""
    report = reports_for_user(user=user).filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def report_readers(report: UsageReport) -> list[User]:
    """Who is told a report is ready: the active PI and managers of a project report,
    active staff for the centre report. One query."""
    if report.scope == UsageReport.Scope.CENTRE:
        return list(User.objects.filter(is_staff=True, is_active=True).order_by("pk"))
    return [member.user for member in ProjectMember.objects.filter(
        project=report.project,
        role__in=[ProjectMember.Role.PI, ProjectMember.Role.MANAGER],
        user__is_active=True).select_related("user").order_by("pk")]


def projects_to_report(*, year: int) -> list[Project]:
    """Projects with usage attributed to them in ``year`` or an allocation for ``year``
    (drafts excluded), by acronym — a fixed number of queries."""
    attribution = account_attribution()
    ids = {attribution.project_id(cluster=row["cluster"], account=row["account"])
           for row in usage_by_account(year=year)}
    ids.discard(None)
    ids |= set(Allocation.objects.filter(year=year).values_list("project_id", flat=True))
    return list(Project.objects.filter(pk__in=ids).exclude(status=Project.Status.DRAFT)
                .select_related("organisation").order_by("acronym"))


def stale_usage_reports() -> list[tuple[int, int]]:
    """``(report id, generation)`` of the reports left ``queued`` for
    :data:`STALE_AFTER` (message lost) or ``running`` without a heartbeat for as long
    (worker died) — at most :data:`STALE_BATCH`. One query."""
    cutoff = timezone.now() - STALE_AFTER
    stale = UsageReport.objects.filter(
        status=UsageReport.Status.QUEUED, requested_at__lt=cutoff
    ) | UsageReport.objects.filter(status=UsageReport.Status.RUNNING, heartbeat_at__lt=cutoff)
    return list(stale.values_list("pk", "generation")[:STALE_BATCH])
