"""Writes of the members app (CONVENTIONS.md: every write and status change is a service).

The services live in modules by subject: ``access`` (the access rule), ``agreements`` (the
agreement workflow), ``agreement_signing`` (signed copy, countersignature),
``agreement_pdf`` (the PDF to sign), ``fees``, ``invitations`` (signed links shared with
projects), ``memberships``, ``organisations`` (organisations, people, invitations),
``terms`` and ``users`` (profile, account deletion). The reads they share are in
:mod:`members.selectors`. The names below are the public interface.
"""

from algoric.core.workflow import TransitionError

from .access import (
    AccessReason,
    AccessStatus,
    organisation_access_status,
    organisation_access_statuses,
)
from .agreement_signing import agreement_countersign, agreement_upload_signed
from .agreements import (
    agreement_approve,
    agreement_create,
    agreement_reject,
    agreement_renew,
    agreement_request_changes,
    agreement_submit,
    agreement_terminate,
    agreement_update_draft,
    agreements_expire,
    agreements_send_expiry_reminders,
)
from .memberships import (
    membership_open,
    membership_record_payment,
    membership_waive,
    memberships_lapse,
    memberships_send_grace_reminders,
    memberships_send_reminders,
)
from .organisations import (
    invitation_accept,
    invitation_create,
    invitation_revoke,
    organisation_create,
    organisation_member_remove,
    organisation_member_set_role,
    organisation_update,
)
from .users import user_delete_account, user_update_profile

__all__ = [
    "AccessReason",
    "AccessStatus",
    "TransitionError",
    "agreement_approve",
    "agreement_countersign",
    "agreement_create",
    "agreement_reject",
    "agreement_renew",
    "agreement_request_changes",
    "agreement_submit",
    "agreement_terminate",
    "agreement_update_draft",
    "agreement_upload_signed",
    "agreements_expire",
    "agreements_send_expiry_reminders",
    "invitation_accept",
    "invitation_create",
    "invitation_revoke",
    "membership_open",
    "membership_record_payment",
    "membership_waive",
    "memberships_lapse",
    "memberships_send_grace_reminders",
    "memberships_send_reminders",
    "organisation_access_status",
    "organisation_access_statuses",
    "organisation_create",
    "organisation_member_remove",
    "organisation_member_set_role",
    "organisation_update",
    "user_delete_account",
    "user_update_profile",
]
