"""The staff's side of the resource request workflow: starting the review, returning a
request to its applicant for changes, granting a request (all or in part, which creates
or extends the allocations) and rejecting it.

Each verb goes through :func:`.requests.request_transition` (row locked, table
:data:`.requests.ALLOWED` checked, stale versions refused, event row written), records
the decision in the audit trail and stores the PI's and managers' notifications in the
same transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.staff import require_staff
from members.models import User
from members.services import AccessStatus, organisation_access_status

from ..models import ResourceRequest, ResourceRequestCell
from ..selectors.requests import Table
from .allocations import allocations_grant
from .requests import notify_leads, request_transition

Status = ResourceRequest.Status
Kind = ResourceRequest.Kind


@transaction.atomic
def request_start_review(*, request: ResourceRequest, actor: User) -> ResourceRequest:
    """submitted → under_review (staff): the applicants see someone is on it."""
    require_staff(actor)
    request = request_transition(request=request, to=Status.UNDER_REVIEW, actor=actor)
    audit_record(action="request.review_started", actor=actor, target=request)
    return request


@transaction.atomic
def request_return_for_changes(*, request: ResourceRequest, note: str, actor: User,
                               version: int) -> ResourceRequest:
    """submitted or under_review → changes_requested (staff): the request goes back to its
    applicant with ``note`` (required: what to change), who may edit it and submit it
    again (:func:`.requests.request_submit`) or withdraw it.

    ``version`` is the request version the staff member saw: a stale one is refused. The
    note is kept on the status-event row; the PI and managers are notified
    (``request_returned``, after commit); the return is in the audit trail
    (``request.returned``).

    Raises ``PermissionDenied`` (not staff), ``ValidationError`` (no note) or
    :class:`~algoric.core.workflow.TransitionError` (status that cannot be returned,
    stale version). Nothing is written on refusal.
    """
    require_staff(actor)
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Say what the applicant should change."))
    request = request_transition(request=request, to=Status.CHANGES_REQUESTED, actor=actor,
                                 note=note, version=version)
    notify_leads(request, "request_returned", note=note, actor=actor)
    audit_record(action="request.returned", actor=actor, target=request,
                 detail={"note": note})
    return request


def access_refusal(access: AccessStatus) -> list[str]:
    """The lines of the message refusing to grant a request of an organisation without
    access: a heading and each blocking reason of ``access``."""
    return ([_("The organisation may not use the centre today, so the request cannot be "
               "approved:")]
            + [str(reason.message) for reason in access.blocking_reasons])


def _check_access(*, request: ResourceRequest, access_override: bool,
                  override_reason: str) -> AccessStatus:
    """Refuse (``ValidationError``) to grant ``request`` when its organisation may not use
    the centre today, unless it is an emergency request and staff override with a reason.
    Returns the access status (for the audit trail)."""
    access = organisation_access_status(organisation=request.project.organisation)
    if access.allowed:
        return access
    if request.kind != Kind.EMERGENCY:
        raise ValidationError(access_refusal(access))
    if not access_override:
        raise ValidationError(access_refusal(access) + [
            _("For an emergency, tick the access override and give its reason.")])
    if not override_reason:
        raise ValidationError(_("Give the reason for overriding the access rule."))
    return access


@transaction.atomic
def request_decide(*, request: ResourceRequest, granted: Table, note: str, actor: User,
                   version: int, emergency_ends_on: dt.date | None = None,
                   access_override: bool = False,
                   override_reason: str = "") -> ResourceRequest:
    """Grant a request, all or in part (staff), and create or extend the allocations.

    ``granted``: (resource id, year) → amount, each between 0 and what was asked
    (cells not given count 0). All cells granted in full gives ``approved``,
    anything less ``partially_approved``; granting nothing is refused (use
    :func:`request_reject`). ``version`` is the version the decision was made on: a
    stale decision is refused. For an emergency request ``emergency_ends_on``
    bounds the grant (at most ``EMERGENCY_GRANT_MAX_DAYS`` days from today).

    The access rule (``members.services.organisation_access_status``, today): a request
    of an organisation that may not use the centre is refused with the status's
    blocking reasons — except an emergency request when ``access_override`` is true
    and ``override_reason`` (free text, required then) says why; the override is
    recorded in the audit trail (``request.access_override``) and the grant stays
    time-boxed. Without access the override is ignored.

    Raises ``PermissionDenied`` (not staff), ``ValidationError`` (bad table, access
    refused, override without reason, time box exceeded, stale version) or
    :class:`~algoric.core.workflow.TransitionError`. Nothing is written on refusal.
    """
    require_staff(actor)
    locked = ResourceRequest.objects.select_for_update().get(pk=request.pk)
    override_reason = (override_reason or "").strip()
    access = _check_access(request=locked, access_override=access_override,
                           override_reason=override_reason)
    cells = list(ResourceRequestCell.objects.filter(row__request=locked)
                 .select_related("row__resource"))
    requested = {(c.row.resource_id, c.year): c for c in cells}
    errors = []
    for key, amount in granted.items():
        cell = requested.get(key)
        if cell is None:
            if amount:
                errors.append(_("A granted amount was given for a cell that was not asked."))
        elif amount < 0 or amount > cell.requested:
            errors.append(_("%(resource)s, %(year)s: grant between 0 and %(asked)s.")
                          % {"resource": cell.row.resource.name, "year": cell.year,
                             "asked": cell.requested})
    if errors:
        raise ValidationError(errors)
    total = sum((granted.get(key, Decimal(0)) for key in requested), Decimal(0))
    if total <= 0:
        raise ValidationError(_("Nothing is granted: reject the request instead."))
    if locked.kind == Kind.EMERGENCY:
        today = timezone.localdate()
        limit = today + dt.timedelta(days=settings.EMERGENCY_GRANT_MAX_DAYS)
        emergency_ends_on = emergency_ends_on or limit
        if not today <= emergency_ends_on <= limit:
            raise ValidationError(_("An emergency grant ends within %(days)s days.")
                                  % {"days": settings.EMERGENCY_GRANT_MAX_DAYS})
    else:
        emergency_ends_on = None
    full = all(granted.get(key, Decimal(0)) == cell.requested for key, cell in requested.items())
    to = Status.APPROVED if full else Status.PARTIALLY_APPROVED
    locked = request_transition(request=locked, to=to, actor=actor,
                                note=(note or "").strip(), version=version,
                                fields={"decided_at": timezone.now(), "decided_by": actor,
                                        "decision_note": (note or "").strip(),
                                        "emergency_ends_on": emergency_ends_on})
    for key, cell in requested.items():
        cell.granted = granted.get(key, Decimal(0))
    ResourceRequestCell.objects.bulk_update(list(requested.values()), ["granted"])
    allocations = allocations_grant(request=locked, actor=actor)
    notify_leads(locked, "request_decided")
    audit_record(action="request.granted", actor=actor, target=locked,
                 detail={"status": to, "note": (note or "").strip(),
                         "granted": {f"{rid}:{year}": amount
                                     for (rid, year), amount in sorted(granted.items())},
                         "allocations": [a.pk for a in allocations],
                         "emergency_ends_on": emergency_ends_on})
    if not access.allowed:
        audit_record(action="request.access_override", actor=actor, target=locked,
                     detail={"reasons": {reason.code: str(reason.message)
                                         for reason in access.blocking_reasons},
                             "override_reason": override_reason,
                             "emergency_ends_on": emergency_ends_on})
    return locked


@transaction.atomic
def request_reject(*, request: ResourceRequest, note: str, actor: User,
                   version: int) -> ResourceRequest:
    """Reject a request (staff), with the reason; nothing is allocated."""
    require_staff(actor)
    if not (note or "").strip():
        raise ValidationError(_("Give the reason for the rejection."))
    request = request_transition(request=request, to=Status.REJECTED, actor=actor,
                                 note=note.strip(), version=version,
                                 fields={"decided_at": timezone.now(), "decided_by": actor,
                                         "decision_note": note.strip()})
    notify_leads(request, "request_decided")
    audit_record(action="request.rejected", actor=actor, target=request,
                 detail={"note": note.strip()})
    return request
