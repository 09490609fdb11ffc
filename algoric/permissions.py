"""Access helpers shared by the apps' views."""

from functools import wraps

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _


def staff_required(view):
    """Decorate a view so that only staff members with MFA enrolled reach it.

    Anonymous visitors are sent to the login page; signed-in non-staff get 403;
    staff without TOTP are sent to enrol it first.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_staff:
            raise PermissionDenied
        if not is_mfa_enabled(user):
            from algoric.audit.middleware import audit_security_event

            audit_security_event(request, "access.staff_mfa_required")
            messages.warning(
                request,
                _("Staff accounts must use two-factor authentication. "
                  "Set up an authenticator app to continue."),
            )
            return redirect("mfa_activate_totp")
        return view(request, *args, **kwargs)

    return wrapper
