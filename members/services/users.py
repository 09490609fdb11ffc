"""Writes on people: their profile, and the deletion of their account at their request."""

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from algoric.audit.models import AuditEvent
from algoric.audit.services import audit_record
from algoric.core.registries import deletion_hooks
from algoric.notifications.models import Notification

from ..models import User
from ..selectors.personal_data import deletion_blockers, user_session_keys

PROFILE_FIELDS = ("first_name", "last_name", "language", "cluster_login")


@transaction.atomic
def user_update_profile(*, user: User, data: dict[str, Any]) -> User:
    """Save the profile fields of ``user`` found in ``data`` (cleaned form data).

    Only ``first_name``, ``last_name``, ``language`` and ``cluster_login`` are
    written; any other key is ignored.
    """
    changed = [field for field in PROFILE_FIELDS if field in data]
    for field in changed:
        setattr(user, field, data[field])
    user.save(update_fields=changed)
    return user


def _deletion_note(*, reason: str, when) -> str:
    """What is kept once an account is deleted, and why (stored on the user row, in the
    association's language, for staff)."""
    with translation.override(settings.LANGUAGE_CODE):
        note = _(
            "Account deleted at the person's request on %(date)s. Kept, anonymised (no "
            "name, no email): the agreements signed for organisations and their history "
            "(contracts, kept for the association's accounts as the law requires); the "
            "resource requests, comments and decisions of projects (the allocation "
            "record); the job accounting records, which keep the cluster login (accounting "
            "and energy figures of the projects); the audit trail (security)."
        ) % {"date": when.strftime("%Y-%m-%d")}
        reason = (reason or "").strip()
        if reason:
            note += "\n" + _("Reason given: %(reason)s") % {"reason": reason}
    return note


@transaction.atomic
def user_delete_account(*, user: User, reason: str = "") -> User:
    """Delete ``user``'s account at their request: anonymise what must be kept.

    Refused with ``ValidationError`` (the reasons of
    :func:`members.selectors.personal_data.deletion_blockers`) while they are the only
    representative of an organisation or the PI of an active project. Otherwise, in
    one transaction: email → ``deleted-<id>@invalid``, names cleared, password
    unusable, ``is_active`` false, ``deleted_at`` set and ``deletion_note`` saying what
    is kept and why (with ``reason``, at most 1000 characters, if given); their email
    addresses, two-factor authenticators, organisation memberships, notifications and
    sessions are deleted; the hooks of other apps run (e.g. leaving projects). Rows
    that accounting and contracts need (agreements, requests, comments, job records
    with the cluster login, audit events) keep pointing at the anonymised user.
    Recorded in the audit trail as ``account.deleted``.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.deleted_at is not None:
        raise ValidationError("This account is already deleted.")
    blockers = deletion_blockers(user=locked)
    if blockers:
        raise ValidationError(blockers)
    now = timezone.now()
    reason = (reason or "").strip()[:1000]
    sessions = user_session_keys(locked)
    locked.email = f"deleted-{locked.pk}@invalid"
    locked.first_name = ""
    locked.last_name = ""
    locked.set_unusable_password()
    locked.is_active = False
    locked.is_staff = False
    locked.is_superuser = False
    locked.deleted_at = now
    locked.deletion_note = _deletion_note(reason=reason, when=timezone.localtime(now))
    locked.save()
    EmailAddress.objects.filter(user=locked).delete()
    Authenticator.objects.filter(user=locked).delete()
    locked.organisation_memberships.all().delete()
    Notification.objects.filter(recipient=locked).delete()
    for hook in deletion_hooks():  # the steps of other apps (registered in their ready())
        hook(locked)
    Session.objects.filter(session_key__in=sessions).delete()
    audit_record(action="account.deleted", category=AuditEvent.Category.SECURITY,
                 actor=locked, target=locked,
                 detail={"reason": reason, "sessions_ended": len(sessions)})
    return locked
