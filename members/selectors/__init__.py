"""Reads of the members app (CONVENTIONS.md: reads that views, tasks and other apps share).

By subject: ``organisations`` (lists, access for a user, roles, representatives),
``permissions`` (checks that only read and raise ``PermissionDenied``), ``agreements``
(agreements and their terms), ``memberships`` (history, fee schedule), ``invitations``
(the invited-address check, shared with projects), ``users`` (staff recipients),
``dashboard`` (the staff dashboard) and ``personal_data`` (a member's export and what
blocks deletion). The names below are the common ones.
"""

from .agreements import agreement_for_user, agreement_history, terms_current, terms_in_use
from .dashboard import staff_dashboard
from .invitations import invitation_address_matches
from .memberships import fee_for, membership_history
from .organisations import (
    organisation_for_user,
    organisation_list_for_user,
    organisation_members,
    organisation_open_invitations,
    representatives,
    role_of,
)
from .permissions import require_representative
from .users import staff_recipients

__all__ = [
    "agreement_for_user",
    "agreement_history",
    "fee_for",
    "invitation_address_matches",
    "membership_history",
    "organisation_for_user",
    "organisation_list_for_user",
    "organisation_members",
    "organisation_open_invitations",
    "representatives",
    "require_representative",
    "role_of",
    "staff_dashboard",
    "staff_recipients",
    "terms_current",
    "terms_in_use",
]
