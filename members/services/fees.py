"""Writes on the membership fee schedule (cotisations by kind of organisation and year)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.staff import require_staff

from ..models import FeeSchedule, OrganisationKind

#: The years staff may set fees for.
FEE_YEAR_MIN = 2020
FEE_YEAR_MAX = 2100
#: The largest fee the schedule stores (``max_digits=9, decimal_places=2``), in euros.
FEE_AMOUNT_MAX = Decimal("9999999.99")


@transaction.atomic
def fee_schedule_set(*, year: int, amounts: dict[str, Decimal], actor) -> int:
    """Set the yearly membership fee of some kinds of organisation for ``year``.

    Args:
        year: the calendar year the fees apply to, from :data:`FEE_YEAR_MIN` to
            :data:`FEE_YEAR_MAX`.
        amounts: ``{kind: amount}``, ``kind`` an :class:`OrganisationKind` value and
            ``amount`` a ``Decimal`` in euros (≥ 0, two decimal places at most).
            Kinds left out keep their fee (or stay without one).
        actor: the staff member making the change; recorded as ``updated_by``.

    Memberships already opened keep the fee they were opened at. All rows are
    written in one transaction (``update_or_create`` per kind), or none.

    Returns the number of kinds written. Raises ``PermissionDenied`` for a non-staff
    ``actor`` and ``ValidationError`` (a dict of field errors keyed by ``year`` or
    the kind) for a year out of range, an unknown kind or a bad amount.
    """
    require_staff(actor)
    errors: dict[str, list[str]] = {}
    if not isinstance(year, int) or not FEE_YEAR_MIN <= year <= FEE_YEAR_MAX:
        errors["year"] = [_("Choose a year between %(min)s and %(max)s.")
                          % {"min": FEE_YEAR_MIN, "max": FEE_YEAR_MAX}]
    clean: dict[str, Decimal] = {}
    for kind, amount in amounts.items():
        if kind not in OrganisationKind.values:
            errors.setdefault("__all__", []).append(
                _("Unknown kind of organisation: %(kind)s.") % {"kind": kind})
            continue
        try:
            value = Decimal(amount)
        except (InvalidOperation, TypeError, ValueError):
            errors[kind] = [_("Enter an amount in euros.")]
            continue
        if not value.is_finite() or value < 0:
            errors[kind] = [_("A fee cannot be negative.")]
        elif value > FEE_AMOUNT_MAX or value != value.quantize(Decimal("0.01")):
            errors[kind] = [_("Enter an amount in euros with at most two decimal places.")]
        else:
            clean[kind] = value.quantize(Decimal("0.01"))
    if errors:
        raise ValidationError(errors)
    for kind, value in clean.items():
        FeeSchedule.objects.update_or_create(
            kind=kind, year=year, defaults={"amount": value, "updated_by": actor}
        )
    if clean:
        audit_record(action="fee_schedule.set", actor=actor,
                     detail={"year": year, "amounts": clean})
    return len(clean)
