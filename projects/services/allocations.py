"""Allocations: created or extended by approved requests (a supplement adds to the year's
allocation); suspended, expired, reminded; every change written in their history
(:class:`~projects.models.AllocationEvent`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.page_cache import content_changed
from algoric.core.staff import require_staff
from algoric.core.workflow import TransitionError
from algoric.notifications.services import notify

from ..models import (
    Allocation,
    AllocationEvent,
    AllocationGrant,
    Project,
    ResourceRequest,
    ResourceRequestCell,
)
from ..selectors.projects import leads

Action = AllocationEvent.Action

#: Days before the end of an allocation when its project's PI and managers are reminded,
#: each threshold once (the issue "the whole life of an allocation": 60, 30 and 7 days).
EXPIRY_REMINDER_DAYS = (60, 30, 7)


def allocation_period(*, project: Project, year: int,
                      emergency_ends_on: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """Start and end dates of an allocation for ``year``: the calendar year clipped to the
    project's dates; for an emergency grant, from today to ``emergency_ends_on``."""
    if emergency_ends_on is not None:
        return timezone.localdate(), emergency_ends_on
    start = max(dt.date(year, 1, 1), project.starts_on)
    end = min(dt.date(year, 12, 31), project.ends_on)
    return start, max(start, end)


def allocation_event(*, allocation: Allocation, action: str, actor, from_status: str = "",
                     to_status: str = "", amount: Decimal | None = None, note: str = "",
                     extension=None) -> AllocationEvent:
    """Write one row of an allocation's history (``action``: an
    :class:`~projects.models.AllocationEvent.Action`; ``amount`` in the resource's unit,
    negative when hours are taken away). The statuses default to the allocation's
    current one. Runs in the caller's transaction."""
    return AllocationEvent.objects.create(
        allocation=allocation, action=action, actor=actor, extension=extension,
        from_status=from_status or allocation.status, to_status=to_status or allocation.status,
        amount=amount, note=note)


def _supplement_target(*, request: ResourceRequest, cell: ResourceRequestCell) -> Allocation:
    """The year's allocation a supplement cell adds to, locked; ``ValidationError`` when
    there is none (a supplement never creates one)."""
    allocation = (Allocation.objects.select_for_update()
                  .filter(project=request.project, resource_id=cell.row.resource_id,
                          year=cell.year).exclude(status=Allocation.Status.EXPIRED).first())
    if allocation is None:
        raise ValidationError(_("A supplement adds to an allocation of the year: %(resource)s "
                                "has no allocation in force in %(year)s.")
                              % {"resource": cell.row.resource.name, "year": cell.year})
    return allocation


def allocations_grant(*, request: ResourceRequest, actor) -> list[Allocation]:
    """Create or increase the project's allocations by what ``request`` granted.

    One :class:`AllocationGrant` per (allocation, request), so running it twice for
    the same request adds nothing. A supplement request adds to the year's existing
    allocation (its dates and status unchanged; ``ValidationError`` when there is none,
    so the decision is refused). Each change is an event in the allocation's history.
    Activates a draft project. Must run in the decision's transaction.
    """
    project = request.project
    supplement = request.kind == ResourceRequest.Kind.SUPPLEMENT
    changed = []
    cells = (ResourceRequestCell.objects.filter(row__request=request, granted__gt=0)
             .select_related("row__resource"))
    for cell in cells:
        if supplement:
            allocation = _supplement_target(request=request, cell=cell)
        else:
            start, end = allocation_period(project=project, year=cell.year,
                                           emergency_ends_on=request.emergency_ends_on)
            allocation, _created = Allocation.objects.select_for_update().get_or_create(
                project=project, resource_id=cell.row.resource_id, year=cell.year,
                defaults={"amount": Decimal(0), "starts_on": start, "ends_on": end})
        if AllocationGrant.objects.filter(allocation=allocation, request=request).exists():
            continue
        AllocationGrant.objects.create(
            allocation=allocation, request=request, amount=cell.granted, granted_by=actor,
            kind=AllocationGrant.Kind.SUPPLEMENT if supplement else AllocationGrant.Kind.GRANT)
        before = allocation.status
        allocation.amount = F("amount") + cell.granted
        if not supplement:
            allocation.starts_on = min(allocation.starts_on, start)
            allocation.ends_on = max(allocation.ends_on, end)
            if allocation.status == Allocation.Status.EXPIRED and allocation.ends_on >= \
                    timezone.localdate():
                allocation.status = Allocation.Status.ACTIVE
        allocation.save()
        allocation.refresh_from_db()
        allocation_event(allocation=allocation, actor=actor, from_status=before,
                         action=Action.SUPPLEMENTED if supplement else Action.GRANTED,
                         amount=cell.granted,
                         note=_("Request #%(number)s") % {"number": request.pk})
        changed.append(allocation)
    if changed and project.status == Project.Status.DRAFT:
        Project.objects.filter(pk=project.pk, status=Project.Status.DRAFT).update(
            status=Project.Status.ACTIVE)
        content_changed("projects")  # counted by the public statistics
    return changed


@transaction.atomic
def allocation_suspend(*, allocation: Allocation, reason: str, actor) -> Allocation:
    """Suspend an active allocation (staff), with the reason; the PI and managers are told."""
    require_staff(actor)
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason for the suspension."))
    changed = Allocation.objects.filter(pk=allocation.pk, status=Allocation.Status.ACTIVE
                                        ).update(status=Allocation.Status.SUSPENDED,
                                                 suspended_reason=reason.strip(),
                                                 updated_at=timezone.now())
    if not changed:
        raise TransitionError(_("Only an active allocation can be suspended."))
    allocation.refresh_from_db()
    allocation_event(allocation=allocation, action=Action.SUSPENDED, actor=actor,
                     from_status=Allocation.Status.ACTIVE, note=allocation.suspended_reason)
    audit_record(action="allocation.suspended", actor=actor, target=allocation,
                 detail={"reason": allocation.suspended_reason})
    for user in leads(allocation.project):
        notify(event="allocation_suspended", recipient=user,
               context={"allocation": allocation, "project": allocation.project,
                        "reason": allocation.suspended_reason})
    return allocation


@transaction.atomic
def allocation_resume(*, allocation: Allocation, actor) -> Allocation:
    """Lift a suspension (staff): active again, or expired if its end date has passed.
    The PI and managers are told."""
    require_staff(actor)
    status = (Allocation.Status.ACTIVE if allocation.ends_on >= timezone.localdate()
              else Allocation.Status.EXPIRED)
    changed = Allocation.objects.filter(pk=allocation.pk, status=Allocation.Status.SUSPENDED
                                        ).update(status=status, suspended_reason="",
                                                 updated_at=timezone.now())
    if not changed:
        raise TransitionError(_("This allocation is not suspended."))
    allocation.refresh_from_db()
    allocation_event(allocation=allocation, action=Action.RESUMED, actor=actor,
                     from_status=Allocation.Status.SUSPENDED)
    audit_record(action="allocation.resumed", actor=actor, target=allocation,
                 detail={"status": allocation.status})
    for user in leads(allocation.project):
        notify(event="allocation_resumed", recipient=user,
               context={"allocation": allocation, "project": allocation.project})
    return allocation


def allocations_expire(*, today: dt.date | None = None) -> int:
    """Mark expired the active allocations whose end date has passed. Returns how many."""
    today = today or timezone.localdate()
    return Allocation.objects.filter(status=Allocation.Status.ACTIVE, ends_on__lt=today).update(
        status=Allocation.Status.EXPIRED, updated_at=timezone.now())


def allocations_send_expiry_reminders(*, today: dt.date | None = None) -> int:
    """Remind the PI and managers 60, 30 and 7 days (:data:`EXPIRY_REMINDER_DAYS`) before an
    active allocation ends, each threshold once.

    Run daily. On ``today`` (default: the local date) an allocation ending in ``days_left``
    days (0 ≤ ``days_left`` ≤ 60) is due the reminder of the nearest threshold reached, the
    smallest threshold ≥ ``days_left``; the dedupe key names the allocation, its end date,
    that threshold and the person, so each threshold is sent at most once, and a run that
    missed days sends only the one due, never the earlier ones it skipped. So an allocation
    granted 20 days before its end gets the 30-day reminder at once (saying 20 days), then
    the 7-day one; an end date moved later starts its reminders afresh.

    When the project has no research output of the allocation's year or later, the
    reminder also asks for them: the renewal lists them with its activity report.

    Returns the number of notifications created.
    """
    today = today or timezone.localdate()
    created = 0
    reported: dict[tuple[int, int], bool] = {}
    for allocation in Allocation.objects.filter(
        status=Allocation.Status.ACTIVE, ends_on__gte=today,
        ends_on__lte=today + dt.timedelta(days=max(EXPIRY_REMINDER_DAYS)),
    ).select_related("project", "resource"):
        days_left = (allocation.ends_on - today).days
        threshold = min(days for days in EXPIRY_REMINDER_DAYS if days_left <= days)
        key = (allocation.project_id, allocation.year)
        if key not in reported:
            reported[key] = allocation.project.outputs.filter(year__gte=allocation.year).exists()
        for user in leads(allocation.project):
            with transaction.atomic():
                created += notify(
                    event="allocation_expiring", recipient=user,
                    context={"allocation": allocation, "project": allocation.project,
                             "days_left": days_left, "outputs_missing": not reported[key]},
                    dedupe_key=f"allocation_expiring:{allocation.pk}:{allocation.ends_on}:"
                               f"{threshold}:{user.pk}",
                ).created
    return created
