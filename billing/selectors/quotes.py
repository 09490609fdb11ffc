"""Reads of quotes: access."""

from __future__ import annotations

from django.http import Http404

from algoric.core.staff import is_verified_staff
from members.models import OrganisationMember
from projects.selectors.projects import project_role

from ..models import Quote


def quote_for_user(*, user, pk: int) -> Quote:
    """The quote ``pk`` if ``user`` may see it: staff, a representative of its
    organisation, or the PI or a manager of its request's project; ``Http404`` otherwise."""
    quote = Quote.objects.select_related("organisation", "request__project").filter(
        pk=pk).first()
    if quote is None:
        raise Http404
    if is_verified_staff(user):
        return quote
    representative = OrganisationMember.objects.filter(
        organisation=quote.organisation, user=user,
        role=OrganisationMember.Role.REPRESENTATIVE).exists()
    if representative or project_role(project=quote.request.project, user=user) in {
            "pi", "manager"}:
        return quote
    raise Http404
