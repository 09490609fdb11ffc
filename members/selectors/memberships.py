"""Reads on yearly memberships and the fee schedule."""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import FeeSchedule, Membership, Organisation


def membership_history(*, organisation: Organisation) -> QuerySet[Membership]:
    """Every membership of ``organisation``, newest year first."""
    return organisation.memberships.order_by("-year")


def fee_for(*, kind: str, year: int) -> FeeSchedule | None:
    """The fee schedule row for ``kind`` (an ``OrganisationKind`` value) and ``year`` (a
    calendar year), or ``None`` when staff set none. Its ``amount`` is in euros."""
    return FeeSchedule.objects.filter(kind=kind, year=year).first()
