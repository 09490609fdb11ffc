"""Extensions of an allocation's end date: asked by the PI or a manager (a date and a
reason, no new hours), approved or refused by staff, or withdrawn by the PI or a manager
while it waits.

Workflow of :class:`~projects.models.AllocationExtension` (:data:`ALLOWED`): ``pending``
→ ``approved`` | ``refused`` | ``withdrawn``. Each verb locks the row, checks the table,
changes the status with a conditional update, writes one event in the allocation's
history (:class:`~projects.models.AllocationEvent`), and stores the notifications in the
same transaction (staff told of a new one and of a withdrawal, the PI and managers of
the decision). A withdrawal and a decision racing on the same extension lock the same
row: the second one finds it no longer pending and is refused.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.staff import require_staff
from algoric.core.workflow import TransitionError
from algoric.notifications.services import notify
from members.models import User
from members.selectors.users import staff_recipients

from ..models import Allocation, AllocationEvent, AllocationExtension
from ..selectors.projects import leads, require_project_lead
from .allocations import allocation_event

Status = AllocationExtension.Status
Action = AllocationEvent.Action

ALLOWED: dict[str, set[str]] = {
    Status.PENDING: {Status.APPROVED, Status.REFUSED, Status.WITHDRAWN},
    Status.APPROVED: set(),
    Status.REFUSED: set(),
    Status.WITHDRAWN: set(),
}
#: Longest extension, in days after the current end date (a year).
EXTENSION_MAX_DAYS = 366


@transaction.atomic
def allocation_extension_request(*, allocation: Allocation, ends_on: dt.date, reason: str,
                                 actor: User) -> AllocationExtension:
    """Ask to move ``allocation``'s end date to ``ends_on`` (PI and managers), with
    ``reason``; staff are notified (``allocation_extension_asked``); audited
    (``allocation.extension_asked``).

    Raises ``PermissionDenied`` (not a lead) or ``ValidationError``: by field, no
    ``reason``, an ``ends_on`` not after the current end, more than
    :data:`EXTENSION_MAX_DAYS` after it or already past; form-wide, an extension of this
    allocation already waiting.
    """
    require_project_lead(project=allocation.project, user=actor)
    locked = Allocation.objects.select_for_update().select_related(
        "project", "resource").get(pk=allocation.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the allocation should end later.")})
    if ends_on is None or ends_on <= locked.ends_on:
        raise ValidationError({"ends_on": _(
            "The new end date must be after the current one (%(date)s).")
            % {"date": locked.ends_on.isoformat()}})
    latest = locked.ends_on + dt.timedelta(days=EXTENSION_MAX_DAYS)
    if ends_on > latest:
        raise ValidationError({"ends_on": _(
            "An extension moves the end by a year at most: %(date)s at the latest.")
            % {"date": latest.isoformat()}})
    if ends_on < timezone.localdate():
        raise ValidationError({"ends_on": _("The new end date has already passed.")})
    if locked.extensions.filter(status=Status.PENDING).exists():
        raise ValidationError(_("An extension of this allocation is already waiting for the "
                                "Algoric team."))
    extension = AllocationExtension.objects.create(
        allocation=locked, ends_on=ends_on, previous_ends_on=locked.ends_on, reason=reason,
        requested_by=actor)
    allocation_event(allocation=locked, action=Action.EXTENSION_ASKED, actor=actor,
                     extension=extension, note=reason)
    audit_record(action="allocation.extension_asked", actor=actor, target=locked,
                 detail={"extension": extension.pk, "ends_on": ends_on.isoformat(),
                         "previous_ends_on": locked.ends_on.isoformat()})
    _tell_staff("allocation_extension_asked", extension=extension, allocation=locked,
                actor=actor)
    return extension


def _tell_staff(event: str, *, extension: AllocationExtension, allocation: Allocation,
                actor) -> None:
    """Notify every staff member of ``event`` about ``extension`` (once per person)."""
    for user in staff_recipients():
        notify(event=event, recipient=user,
               context={"extension": extension, "allocation": allocation,
                        "project": allocation.project, "actor": actor},
               dedupe_key=f"{event}:{extension.pk}:{user.pk}")


def _decide(*, extension: AllocationExtension, to: str, note: str,
            actor: User) -> AllocationExtension:
    """Move a pending extension to ``to`` along :data:`ALLOWED` (row locked, conditional
    update); raises :class:`TransitionError` otherwise."""
    locked = AllocationExtension.objects.select_for_update().get(pk=extension.pk)
    if to not in ALLOWED.get(locked.status, set()):
        if to == Status.WITHDRAWN:
            raise TransitionError(_("Only an extension still waiting for the Algoric team can "
                                    "be withdrawn; this one is “%(status)s”.")
                                  % {"status": locked.get_status_display()})
        raise TransitionError(_("This extension is “%(status)s”: it cannot become “%(to)s”.")
                              % {"status": locked.get_status_display(),
                                 "to": Status(to).label})
    changed = AllocationExtension.objects.filter(pk=locked.pk, status=locked.status).update(
        status=to, decided_by=actor, decided_at=timezone.now(), decision_note=note)
    if changed != 1:
        raise TransitionError(_("This extension was changed by someone else meanwhile. "
                                "Reload the page."))
    locked.refresh_from_db()
    return locked


def _tell(extension: AllocationExtension) -> None:
    allocation = extension.allocation
    for user in leads(allocation.project):
        notify(event="allocation_extension_decided", recipient=user,
               context={"extension": extension, "allocation": allocation,
                        "project": allocation.project},
               dedupe_key=f"allocation_extension_decided:{extension.pk}:{user.pk}")


@transaction.atomic
def allocation_extension_approve(*, extension: AllocationExtension, note: str,
                                 actor: User) -> AllocationExtension:
    """Approve a pending extension (staff): the allocation's end date becomes the
    extension's, and an expired allocation whose new end is today or later is active
    again (the Slurm plan counts it again). The PI and managers are told; audited
    (``allocation.extension_approved``).

    Raises ``PermissionDenied`` or :class:`TransitionError` (not pending, raced).
    """
    require_staff(actor)
    note = (note or "").strip()
    extension = _decide(extension=extension, to=Status.APPROVED, note=note, actor=actor)
    allocation = Allocation.objects.select_for_update().select_related(
        "project", "resource").get(pk=extension.allocation_id)
    before = allocation.status
    allocation.ends_on = extension.ends_on
    if before == Allocation.Status.EXPIRED and extension.ends_on >= timezone.localdate():
        allocation.status = Allocation.Status.ACTIVE
    allocation.save(update_fields=["ends_on", "status", "updated_at"])
    allocation_event(allocation=allocation, action=Action.EXTENSION_APPROVED, actor=actor,
                     extension=extension, from_status=before,
                     note=note or extension.ends_on.isoformat())
    audit_record(action="allocation.extension_approved", actor=actor, target=allocation,
                 detail={"extension": extension.pk, "ends_on": extension.ends_on.isoformat(),
                         "previous_ends_on": extension.previous_ends_on.isoformat(),
                         "note": note})
    extension.allocation = allocation
    _tell(extension)
    return extension


@transaction.atomic
def allocation_extension_refuse(*, extension: AllocationExtension, note: str,
                                actor: User) -> AllocationExtension:
    """Refuse a pending extension (staff), with the reason (required); the end date stays.
    The PI and managers are told; audited (``allocation.extension_refused``).

    Raises ``PermissionDenied``, ``ValidationError`` (no reason: on ``note``) or
    :class:`TransitionError` (not pending, raced).
    """
    require_staff(actor)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Give the reason for the refusal.")})
    extension = _decide(extension=extension, to=Status.REFUSED, note=note, actor=actor)
    allocation = extension.allocation
    allocation_event(allocation=allocation, action=Action.EXTENSION_REFUSED, actor=actor,
                     extension=extension, note=note)
    audit_record(action="allocation.extension_refused", actor=actor, target=allocation,
                 detail={"extension": extension.pk, "ends_on": extension.ends_on.isoformat(),
                         "note": note})
    _tell(extension)
    return extension


@transaction.atomic
def allocation_extension_withdraw(*, extension: AllocationExtension,
                                  actor: User) -> AllocationExtension:
    """Withdraw a pending extension (the PI or a manager: whoever may ask for one); the
    allocation's end date stays. ``decided_by`` and ``decided_at`` record who withdrew it
    and when; one event in the allocation's history; staff are told, as they were of the
    request (``allocation_extension_withdrawn``); audited
    (``allocation.extension_withdrawn``).

    Raises ``PermissionDenied`` (not the project's PI or a manager) or
    :class:`TransitionError` (no longer pending: decided, or withdrawn already, also
    when a staff decision took the row first).
    """
    allocation = Allocation.objects.select_related("project").get(pk=extension.allocation_id)
    require_project_lead(project=allocation.project, user=actor)
    extension = _decide(extension=extension, to=Status.WITHDRAWN, note="", actor=actor)
    allocation = Allocation.objects.select_related("project", "resource").get(
        pk=extension.allocation_id)
    allocation_event(allocation=allocation, action=Action.EXTENSION_WITHDRAWN, actor=actor,
                     extension=extension, note=extension.ends_on.isoformat())
    audit_record(action="allocation.extension_withdrawn", actor=actor, target=allocation,
                 detail={"extension": extension.pk, "ends_on": extension.ends_on.isoformat()})
    extension.allocation = allocation
    _tell_staff("allocation_extension_withdrawn", extension=extension, allocation=allocation,
                actor=actor)
    return extension
