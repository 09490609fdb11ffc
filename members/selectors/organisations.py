"""Reads on organisations and their people: lists, access for a user, roles, representatives."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from algoric.core.staff import is_verified_staff

from ..models import Invitation, Organisation, OrganisationMember, User

Role = OrganisationMember.Role


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


def organisation_members(*, organisation: Organisation) -> list[OrganisationMember]:
    """People of ``organisation`` with their user rows, representatives first."""
    order = {Role.REPRESENTATIVE: 0, Role.REFERENT: 1, Role.MEMBER: 2}
    members = list(organisation.members.select_related("user"))
    members.sort(key=lambda m: (order.get(m.role, 9), m.user.email))
    return members


def organisation_open_invitations(*, organisation: Organisation) -> QuerySet[Invitation]:
    """Invitations of ``organisation`` still waiting for an answer."""
    return organisation.invitations.open().select_related("invited_by")


def role_of(*, organisation: Organisation, user) -> str | None:
    """The role of ``user`` in ``organisation`` (a ``OrganisationMember.Role`` value), or
    ``None`` when not a member or not signed in. One query (none when anonymous)."""
    if not user.is_authenticated:
        return None
    return (OrganisationMember.objects.filter(organisation=organisation, user=user)
            .values_list("role", flat=True).first())


def representatives(organisation: Organisation) -> list[User]:
    """The users who represent ``organisation`` (the recipients of its notifications)."""
    return [m.user for m in organisation.members.filter(
        role=Role.REPRESENTATIVE).select_related("user")]
