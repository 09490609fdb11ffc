"""Checks that only read: may this person do this? Each raises ``PermissionDenied`` when not.

The services call them before they write; the views call them when a page itself is only
for some people. The staff check is :mod:`algoric.core.staff` (``require_staff``,
``is_verified_staff``: staff with two-factor authentication).
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
