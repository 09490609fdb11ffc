"""Reads of the members app shared by views and tasks."""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from algoric.core.staff import is_verified_staff

from .models import (
    Agreement,
    Invitation,
    Membership,
    Organisation,
    OrganisationMember,
    User,
)


def organisation_list_for_user(*, user: User) -> QuerySet[Organisation]:
    """The organisations ``user`` belongs to, each annotated with ``my_role``."""
    role = OrganisationMember.objects.filter(organisation=OuterRef("pk"), user=user)
    return (Organisation.objects.filter(members__user=user)
            .annotate(my_role=Subquery(role.values("role")[:1]))
            .order_by("name"))


def organisation_for_user(*, user: User, pk: int) -> Organisation:
    """The organisation ``pk`` if ``user`` belongs to it (or is staff); else ``Http404``.

    Another organisation's page answers 404, never 403: its existence is not revealed.
    """
    queryset = Organisation.objects.all()
    if not is_verified_staff(user):
        queryset = queryset.filter(members__user=user)
    organisation = queryset.filter(pk=pk).first()
    if organisation is None:
        raise Http404
    return organisation


def agreement_for_user(*, user: User, pk: int) -> Agreement:
    """The agreement ``pk`` if ``user`` belongs to its organisation (or is staff); else 404."""
    agreement = (Agreement.objects.visible_to(user).select_related("organisation", "terms")
                 .filter(pk=pk).first())
    if agreement is None:
        raise Http404
    return agreement


def organisation_members(*, organisation: Organisation) -> QuerySet[OrganisationMember]:
    """People of ``organisation`` with their user rows, representatives first."""
    order = {OrganisationMember.Role.REPRESENTATIVE: 0, OrganisationMember.Role.REFERENT: 1,
             OrganisationMember.Role.MEMBER: 2}
    members = list(organisation.members.select_related("user"))
    members.sort(key=lambda m: (order.get(m.role, 9), m.user.email))
    return members


def organisation_open_invitations(*, organisation: Organisation) -> QuerySet[Invitation]:
    """Invitations of ``organisation`` still waiting for an answer."""
    return organisation.invitations.open().select_related("invited_by")


def membership_history(*, organisation: Organisation) -> QuerySet[Membership]:
    """Every membership of ``organisation``, newest year first."""
    return organisation.memberships.order_by("-year")


def agreement_history(*, agreement: Agreement):
    """The status events of ``agreement``, oldest first, with their actors."""
    return agreement.events.select_related("actor").order_by("created_at", "pk")


def staff_dashboard(*, today: dt.date | None = None) -> dict:
    """What staff must act on, oldest first, with counts.

    Keys: ``to_review`` (submitted agreements), ``to_countersign`` (signed),
    ``unpaid`` (pending memberships), ``expiring`` (active agreements ending
    within 60 days), each a list, and ``counts`` (a dict of their lengths).
    """
    today = today or timezone.localdate()
    base = Agreement.objects.select_related("organisation")
    data = {
        "to_review": list(base.filter(status=Agreement.Status.SUBMITTED)
                          .order_by("updated_at")),
        "to_countersign": list(base.filter(status=Agreement.Status.SIGNED)
                               .order_by("signed_uploaded_at")),
        "unpaid": list(Membership.objects.filter(status=Membership.Status.PENDING)
                       .select_related("organisation").order_by("year", "created_at")),
        "expiring": list(base.filter(status=Agreement.Status.ACTIVE,
                                     ends_on__lte=today + dt.timedelta(days=60))
                         .order_by("ends_on")),
    }
    data["counts"] = {key: len(value) for key, value in data.items()}
    return data

