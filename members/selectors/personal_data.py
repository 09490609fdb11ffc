"""A member's personal data: what the portal holds about them, and what blocks deletion.

Reads only: the deletion itself is :func:`members.services.users.user_delete_account`.
The export belongs to the bottom app, but personal data also lives higher up
(projects, resource requests, comments): higher apps add their sections, deletion
checks and deletion steps through :mod:`algoric.core.registries`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.audit.models import AuditEvent
from algoric.core.registries import deletion_blocker_checks, personal_data_sections
from algoric.notifications.models import Notification

from ..models import AgreementEvent, MembershipEvent, OrganisationMember

#: Version of the export's layout, in the file itself.
EXPORT_FORMAT = 1


def _when(value):
    return value.isoformat() if value is not None else None


def _account(user) -> dict:
    return {
        "id": user.pk, "email": user.email, "first_name": user.first_name,
        "last_name": user.last_name, "language": user.language,
        "cluster_login": user.cluster_login, "date_joined": _when(user.date_joined),
        "last_login": _when(user.last_login), "is_staff": user.is_staff,
    }


def _emails(user) -> list[dict]:
    return [{"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("email")]


def _organisations(user) -> list[dict]:
    return [{"organisation": m.organisation.name, "organisation_id": m.organisation_id,
             "role": m.role, "joined_at": _when(m.joined_at)}
            for m in user.organisation_memberships.select_related("organisation")]


def _memberships_recorded(user) -> list[dict]:
    return [{"organisation": e.membership.organisation.name, "year": e.membership.year,
             "from_status": e.from_status, "to_status": e.to_status, "note": e.note,
             "at": _when(e.created_at)}
            for e in MembershipEvent.objects.filter(actor=user)
            .select_related("membership__organisation")]


def _agreements(user) -> list[dict]:
    return [{"agreement": e.agreement.number, "organisation": e.agreement.organisation.name,
             "from_status": e.from_status, "to_status": e.to_status, "note": e.note,
             "at": _when(e.created_at)}
            for e in AgreementEvent.objects.filter(actor=user)
            .select_related("agreement__organisation")]


def _notifications(user) -> list[dict]:
    rows = []
    for n in Notification.objects.filter(recipient=user).order_by("created_at", "pk"):
        row = {"event": n.event, "email": n.email, "subject": n.subject,
               "status": n.status, "created_at": _when(n.created_at),
               "sent_at": _when(n.sent_at), "read_at": _when(n.read_at)}
        # Messages that carry a secret link or code (password reset…) keep it out.
        row["body"] = n.body if n.in_inbox else None
        rows.append(row)
    return rows


def _audit_events(user) -> list[dict]:
    return [{"at": _when(e.created_at), "category": e.category, "action": e.action,
             "object": e.target_label, "client_address": e.ip, "detail": e.detail}
            for e in AuditEvent.objects.filter(actor=user).order_by("created_at", "id")]


def _security(user) -> dict:
    return {
        "active_sessions": len(user_session_keys(user)),
        "two_factor": [{"type": a.type, "created_at": _when(a.created_at),
                        "last_used_at": _when(a.last_used_at)}
                       for a in Authenticator.objects.filter(user=user).order_by("pk")],
        "has_usable_password": user.has_usable_password(),
    }


def user_session_keys(user) -> list[str]:
    """Keys of the unexpired database sessions signed in as ``user`` (read, not shown)."""
    keys = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            keys.append(session.session_key)
    return keys


_BUILTIN: dict[str, Callable[[Any], Any]] = {
    "account": _account,
    "emails": _emails,
    "organisations": _organisations,
    "memberships_recorded": _memberships_recorded,
    "agreement_actions": _agreements,
    "notifications": _notifications,
    "audit_events": _audit_events,
    "security": _security,
}


def personal_data_export(*, user) -> dict:
    """Everything the portal holds about ``user``, as a JSON-able dict.

    Sections: account, emails, organisations (and roles), memberships_recorded,
    agreement_actions, notifications, audit_events, security (session count and
    two-factor methods, no secret), then the sections registered by other apps
    (projects, requests, comments). Secrets (password hash, TOTP seeds, recovery
    codes, session keys, links in reset emails) are never included.
    """
    data: dict[str, Any] = {"format": EXPORT_FORMAT,
                            "exported_at": timezone.now().isoformat(timespec="seconds")}
    for name, provider in {**_BUILTIN, **personal_data_sections()}.items():
        data[name] = provider(user)
    return data


def deletion_blockers(*, user) -> list[str]:
    """Why ``user`` cannot delete their account yet (empty when they can)."""
    reasons = []
    for membership in user.organisation_memberships.filter(
            role=OrganisationMember.Role.REPRESENTATIVE).select_related("organisation"):
        others = membership.organisation.members.filter(
            role=OrganisationMember.Role.REPRESENTATIVE).exclude(user=user)
        if not others.exists():
            reasons.append(_("You are the only representative of %(organisation)s. Give the "
                             "representative role to another person of the organisation "
                             "first (on its page), then come back.")
                           % {"organisation": membership.organisation.name})
    for check in deletion_blocker_checks():
        reasons.extend(check(user))
    return reasons
