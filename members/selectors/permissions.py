"""Checks that only read: may this person do this? Each raises ``PermissionDenied`` when not.

The services call them before they write; the views call them when a page itself is only
for some people. Staff pages are guarded by :func:`algoric.core.staff.staff_required`
(staff with two-factor authentication); :func:`require_staff` is the services' own check
of the staff role, made again whoever calls them (a staff page, the admin, a command).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from ..models import Organisation, OrganisationMember
from .organisations import role_of


def require_representative(*, organisation: Organisation, user) -> None:
    """Raise ``PermissionDenied`` unless ``user`` represents ``organisation``."""
    if role_of(organisation=organisation, user=user) != OrganisationMember.Role.REPRESENTATIVE:
        raise PermissionDenied(_("Only the organisation's representatives may do this."))


def require_staff(actor) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` (a user or ``None``) is a staff member.

    The role flag only: the two-factor requirement is enforced where people come in
    (:func:`algoric.core.staff.staff_required` on every staff page, the admin's own login).
    """
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only the association's staff may do this."))
