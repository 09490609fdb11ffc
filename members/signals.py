"""Edges with allauth: react to its account events (CONVENTIONS.md, habit 7)."""

import logging

from allauth.account.signals import email_confirmed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from algoric.notifications.services import notify

security_log = logging.getLogger("algoric.security")


@receiver(email_confirmed, dispatch_uid="members_welcome_on_email_confirmed")
def welcome_on_first_confirmation(sender, request, email_address, **kwargs):
    """Send the welcome message once, when a person confirms their first address."""
    user = email_address.user
    with transaction.atomic():
        notify(event="welcome", recipient=user, dedupe_key=f"welcome:{user.pk}")


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "-") if request is not None else "-"


@receiver(user_logged_in, dispatch_uid="members_log_login")
def log_login(sender, request, user, **kwargs):
    """Record a successful login in the security log (user id and address, nothing else)."""
    security_log.info("login succeeded: user=%s ip=%s", user.pk, _client_ip(request))


@receiver(user_login_failed, dispatch_uid="members_log_login_failed")
def log_login_failed(sender, credentials, request=None, **kwargs):
    """Record a failed login. Django has already removed the password from ``credentials``."""
    login = str(credentials.get("email") or credentials.get("username") or "")[:254]
    security_log.warning("login failed: login=%r ip=%s", login, _client_ip(request))


@receiver(user_logged_out, dispatch_uid="members_log_logout")
def log_logout(sender, request, user, **kwargs):
    """Record a logout in the security log."""
    security_log.info("logout: user=%s ip=%s", getattr(user, "pk", None), _client_ip(request))
