"""Staff changes of an allocation's hours: reducing the unused hours of a year, or
transferring them to the next year's allocation of the same resource.

Each is one service in one transaction: the allocations locked, the change written as
:class:`~projects.models.AllocationGrant` rows (negative on the year given, positive on
the year receiving) and as events of their history, the allocation's amount changed (so
the Slurm plan reads the new limits), the audit trail, and the PI's and managers'
notification (``allocation_hours_changed``, sent after commit).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.staff import require_staff
from algoric.notifications.services import notify

from ..models import Allocation, AllocationEvent, AllocationGrant
from ..selectors.lifecycle import allocation_unused, transferred_out, year_grant
from ..selectors.projects import leads
from .allocations import allocation_event, allocation_period

Action = AllocationEvent.Action
Kind = AllocationGrant.Kind


def _hours(value: Decimal) -> str:
    """An amount of hours in a message: grouped digits, no trailing zeros, in the active
    language ("25,000" in English, "25 000" in French)."""
    return number_format(Decimal(value).normalize(), use_l10n=True, force_grouping=True)


def transfer_limit(allocation: Allocation) -> Decimal:
    """The most hours of ``allocation``'s year that may be transferred to the next year in
    all: ``ALLOCATION_TRANSFER_MAX_SHARE`` (default 0.25, the issue "the whole life of an
    allocation": 25 %) of the year's grant (grants and supplements), two decimals."""
    share = Decimal(str(settings.ALLOCATION_TRANSFER_MAX_SHARE))
    return (year_grant(allocation) * share).quantize(Decimal("0.01"))


def _check(*, allocation: Allocation, amount: Decimal, reason: str) -> str:
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason for the change."))
    if amount is None or amount <= 0:
        raise ValidationError(_("Give a number of hours greater than zero."))
    unused = allocation_unused(allocation)
    if amount > unused:
        raise ValidationError(_("Only %(unused)s %(unit)s of this allocation are unused.")
                              % {"unused": _hours(unused), "unit": allocation.resource.unit})
    return reason.strip()


def _tell(allocation: Allocation, *, change: str, amount: Decimal, reason: str,
          other: Allocation | None = None) -> None:
    for user in leads(allocation.project):
        notify(event="allocation_hours_changed", recipient=user,
               context={"allocation": allocation, "project": allocation.project,
                        "change": change, "amount": amount, "reason": reason,
                        "other": other})


@transaction.atomic
def allocation_reduce(*, allocation: Allocation, amount: Decimal, reason: str,
                      actor) -> Allocation:
    """Take ``amount`` unused hours (the resource's unit, > 0) away from ``allocation``
    (staff), with ``reason``.

    Raises ``PermissionDenied`` (not verified staff) or ``ValidationError`` (no reason,
    amount ≤ 0 or more than the unused hours: granted minus what the monthly summaries
    show used in the allocation's year). Nothing is written on refusal.
    """
    require_staff(actor)
    locked = Allocation.objects.select_for_update().select_related(
        "project", "resource").get(pk=allocation.pk)
    reason = _check(allocation=locked, amount=amount, reason=reason)
    AllocationGrant.objects.create(allocation=locked, kind=Kind.REDUCTION, amount=-amount,
                                   reason=reason, granted_by=actor)
    Allocation.objects.filter(pk=locked.pk).update(amount=F("amount") - amount)
    locked.refresh_from_db()
    allocation_event(allocation=locked, action=Action.REDUCED, actor=actor, amount=-amount,
                     note=reason)
    audit_record(action="allocation.reduced", actor=actor, target=locked,
                 detail={"amount": str(amount), "reason": reason,
                         "amount_after": str(locked.amount)})
    _tell(locked, change="reduced", amount=amount, reason=reason)
    return locked


@transaction.atomic
def allocation_transfer(*, allocation: Allocation, amount: Decimal, reason: str,
                        actor) -> Allocation:
    """Move ``amount`` unused hours (> 0) of ``allocation`` to the allocation of the same
    project and resource for the next year (staff), with ``reason``; the next year's
    allocation is created (active, on the project's dates of that year) when there is
    none. Returns the next year's allocation.

    Bounded: all the transfers of a year together are at most :func:`transfer_limit`
    (``ALLOCATION_TRANSFER_MAX_SHARE`` of the year's grant), and at most the unused
    hours. Raises ``PermissionDenied`` or ``ValidationError`` (no reason, amount ≤ 0,
    over the unused hours or the bound, a project without a next year). Nothing is
    written on refusal.
    """
    require_staff(actor)
    locked = Allocation.objects.select_for_update().select_related(
        "project", "resource").get(pk=allocation.pk)
    reason = _check(allocation=locked, amount=amount, reason=reason)
    project = locked.project
    next_year = locked.year + 1
    if next_year not in project.years:
        raise ValidationError(_("The project ends in %(year)s: there is no next year to "
                                "receive the hours.") % {"year": project.ends_on.year})
    limit = transfer_limit(locked)
    done = transferred_out(locked)
    if done + amount > limit:
        raise ValidationError(_(
            "At most %(limit)s %(unit)s of this year's grant may be transferred "
            "(%(share)s %% of %(grant)s); %(done)s already were.") % {
            "limit": _hours(limit), "unit": locked.resource.unit, "done": _hours(done),
            "share": _hours(Decimal(str(settings.ALLOCATION_TRANSFER_MAX_SHARE)) * 100),
            "grant": _hours(year_grant(locked))})
    start, end = allocation_period(project=project, year=next_year)
    target, _created = Allocation.objects.select_for_update().get_or_create(
        project=project, resource_id=locked.resource_id, year=next_year,
        defaults={"amount": Decimal(0), "starts_on": start, "ends_on": end})
    AllocationGrant.objects.create(allocation=locked, kind=Kind.TRANSFER_OUT, amount=-amount,
                                   reason=reason, granted_by=actor)
    AllocationGrant.objects.create(allocation=target, kind=Kind.TRANSFER_IN, amount=amount,
                                   reason=reason, granted_by=actor)
    Allocation.objects.filter(pk=locked.pk).update(amount=F("amount") - amount)
    Allocation.objects.filter(pk=target.pk).update(amount=F("amount") + amount)
    locked.refresh_from_db()
    target.refresh_from_db()
    allocation_event(allocation=locked, action=Action.TRANSFERRED_OUT, actor=actor,
                     amount=-amount, note=reason)
    allocation_event(allocation=target, action=Action.TRANSFERRED_IN, actor=actor,
                     amount=amount, note=reason)
    audit_record(action="allocation.transferred", actor=actor, target=locked,
                 detail={"amount": str(amount), "reason": reason, "to": target.pk,
                         "to_year": next_year, "limit": str(limit)})
    _tell(locked, change="transferred", amount=amount, reason=reason, other=target)
    return target
