"""Edges with allauth: react to its account events (CONVENTIONS.md, habit 7).

Security events (logins, logouts, password, email and MFA changes) go to the security
log and to the audit trail, with the client address.
"""

import logging

from allauth.account.signals import (
    email_added,
    email_changed,
    email_confirmed,
    email_removed,
    password_changed,
    password_reset,
    password_set,
)
from allauth.mfa.signals import (
    authentication_failed,
    authenticator_added,
    authenticator_removed,
    authenticator_reset,
)
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from algoric.audit.models import AuditEvent
from algoric.audit.services import audit_record
from algoric.core.request_id import client_ip
from algoric.notifications.services import notify

security_log = logging.getLogger("algoric.security")
SECURITY = AuditEvent.Category.SECURITY


@receiver(email_confirmed, dispatch_uid="members_welcome_on_email_confirmed")
def welcome_on_first_confirmation(sender, request, email_address, **kwargs):
    """Send the welcome message once, when a person confirms their first address."""
    user = email_address.user
    with transaction.atomic():
        notify(event="welcome", recipient=user, dedupe_key=f"welcome:{user.pk}")
        audit_record(action="email.confirmed", category=SECURITY, actor=user, request=request,
                     detail={"email": email_address.email})


def _client_ip(request) -> str:
    return client_ip(request) or "-"


@receiver(user_logged_in, dispatch_uid="members_log_login")
def log_login(sender, request, user, **kwargs):
    """Record a successful login in the security log (user id and address, nothing else)."""
    security_log.info("login succeeded: user=%s ip=%s", user.pk, _client_ip(request))
    audit_record(action="login.succeeded", category=SECURITY, actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="members_log_login_failed")
def log_login_failed(sender, credentials, request=None, **kwargs):
    """Record a failed login. Django has already removed the password from ``credentials``.

    There is no user: the login as typed is kept in ``actor_label`` (cut to 254 characters).
    """
    login = str(credentials.get("email") or credentials.get("username") or "")[:254]
    security_log.warning("login failed: login=%r ip=%s", login, _client_ip(request))
    audit_record(action="login.failed", category=SECURITY, actor_label=login or "-",
                 request=_anonymous(request))


class _AnonymousRequest:
    """The parts of a request :func:`audit_record` reads, without its signed-in user."""

    def __init__(self, request):
        self.META = request.META
        self.user = None


def _anonymous(request):
    """A failed login must not be credited to whoever is signed in (re-authentication)."""
    return _AnonymousRequest(request) if request is not None else None


@receiver(user_logged_out, dispatch_uid="members_log_logout")
def log_logout(sender, request, user, **kwargs):
    """Record a logout in the security log."""
    security_log.info("logout: user=%s ip=%s", getattr(user, "pk", None), _client_ip(request))
    if user is not None:
        audit_record(action="logout", category=SECURITY, actor=user, request=request)


def _account_event(action: str):
    def receiver_(sender, request, user, **kwargs):
        security_log.info("%s: user=%s ip=%s", action, user.pk, _client_ip(request))
        detail = {}
        for key in ("email_address", "to_email_address", "from_email_address"):
            address = kwargs.get(key)
            if address is not None:
                detail[key.removesuffix("_address")] = address.email
        audit_record(action=action, category=SECURITY, actor=user, request=request,
                     detail=detail)

    receiver_.__name__ = f"audit_{action.replace('.', '_')}"
    receiver_.__doc__ = f"Record ``{action}`` in the audit trail."
    return receiver_


for _signal, _action in [
    (password_changed, "password.changed"),
    (password_set, "password.set"),
    (password_reset, "password.reset"),
    (email_changed, "email.changed"),
    (email_added, "email.added"),
    (email_removed, "email.removed"),
]:
    _signal.connect(_account_event(_action), dispatch_uid=f"members_audit_{_action}",
                    weak=False)


def _mfa_event(action: str):
    def receiver_(sender, request, user, authenticator=None, **kwargs):
        kind = getattr(authenticator, "type", "") if authenticator is not None else ""
        security_log.info("%s: user=%s type=%s ip=%s", action, user.pk, kind,
                          _client_ip(request))
        detail = {"type": kind}
        if "reauthentication" in kwargs:
            detail["reauthentication"] = bool(kwargs["reauthentication"])
        audit_record(action=action, category=SECURITY, actor=user, request=request,
                     detail=detail)

    receiver_.__name__ = f"audit_{action.replace('.', '_')}"
    return receiver_


for _signal, _action in [
    (authenticator_added, "mfa.added"),
    (authenticator_removed, "mfa.removed"),
    (authenticator_reset, "mfa.reset"),
    (authentication_failed, "mfa.failed"),
]:
    _signal.connect(_mfa_event(_action), dispatch_uid=f"members_audit_{_action}", weak=False)
