"""The one staff check: a signed-in staff member with TOTP enrolled.

Staff see every organisation's objects and decide on them. That power needs two-factor
authentication (RELIABILITY.md, staff): a staff account without TOTP is treated as a plain
member by services and templates, and sent to enrol by every staff page. Views use
:func:`staff_required`; services :func:`require_staff` (or :func:`is_verified_staff` where
staff may do more than others); templates the ``is_verified_staff`` variable of
:func:`staff_context`.
"""

from __future__ import annotations

import logging
from functools import wraps

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from algoric.audit.middleware import audit_security_event

security_log = logging.getLogger("algoric.security")


def is_verified_staff(user) -> bool:
    """Whether ``user`` (a user, ``AnonymousUser`` or ``None``) is a signed-in staff
    member with TOTP enrolled. One query for a staff member, none otherwise."""
    return bool(getattr(user, "is_authenticated", False) and user.is_staff
                and is_mfa_enabled(user))


def require_staff(actor) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` (a user or ``None``) passes
    :func:`is_verified_staff`. Services call it before a staff-only write, whoever calls
    them (a staff page, the admin, the API, a command)."""
    if not is_verified_staff(actor):
        raise PermissionDenied(_("Only the association's staff may do this."))


_REQUEST_MFA_ATTRIBUTE = "_algoric_user_mfa_enabled"


def request_user_mfa_enabled(request) -> bool:
    """Whether ``request.user`` has enrolled TOTP (``allauth``'s ``is_mfa_enabled``, one
    query), read once per request: the staff middleware, :func:`staff_required` and the
    templates ask it for every staff page. The answer is kept on ``request`` only, so a
    user object that outlives a request never carries a stale answer."""
    enabled = getattr(request, _REQUEST_MFA_ATTRIBUTE, None)
    if enabled is None:
        enabled = bool(is_mfa_enabled(request.user))
        setattr(request, _REQUEST_MFA_ATTRIBUTE, enabled)
    return enabled


def needs_mfa_enrolment(user, *, request=None) -> bool:
    """Whether ``user`` is signed-in staff who has not enrolled TOTP yet. With
    ``request`` (whose user ``user`` is), the enrolment is read once per request."""
    if not (getattr(user, "is_authenticated", False) and user.is_staff):
        return False
    enabled = request_user_mfa_enabled(request) if request is not None else is_mfa_enabled(user)
    return not enabled


def send_to_mfa_enrolment(request):
    """Record the refusal in the audit trail, explain it, and redirect to TOTP enrolment."""
    security_log.info("staff without MFA sent to enrol: user=%s path=%s", request.user.pk,
                      request.path)
    audit_security_event(request, "access.staff_mfa_required")
    messages.warning(request, _("Staff accounts must use two-factor authentication. "
                                "Set up an authenticator app to continue."))
    return redirect("mfa_activate_totp")


def staff_required(view):
    """Decorate a view so that only staff members with MFA enrolled reach it.

    Anonymous visitors are sent to the login page; signed-in non-staff get 403
    (``PermissionDenied``); staff without TOTP are sent to enrol it first.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_staff:
            raise PermissionDenied
        if needs_mfa_enrolment(user, request=request):
            return send_to_mfa_enrolment(request)
        return view(request, *args, **kwargs)

    return wrapper


def staff_context(request) -> dict:
    """Context processor: ``is_verified_staff`` for templates, computed only when a
    template reads it (a lazy boolean)."""
    def verified() -> bool:
        user = getattr(request, "user", None)  # none on an error page before authentication
        return bool(getattr(user, "is_authenticated", False) and user.is_staff
                    and request_user_mfa_enabled(request))

    return {"is_verified_staff": SimpleLazyObject(verified)}
