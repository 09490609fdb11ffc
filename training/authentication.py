"""The sign-in rule of course logins: only during their session's access window.

:class:`CourseLoginWindowBackend` is Django's ``ModelBackend`` (first in
``AUTHENTICATION_BACKENDS``, in its place) with one rule more: a course login outside its
session's window is refused at sign-in (``PermissionDenied`` stops Django's
authentication, so no later backend lets it in) and, once signed in, is no longer
recognised when its window closes (``get_user`` answers ``None``: signed out).
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from .models import CourseLogin
from .selectors.slurm import in_access_window
from .services.course_logins import LOGIN_DOMAIN


def _course_login_closed(address: str) -> bool:
    """Whether ``address`` is a course login's and may not sign in now (unknown, disabled,
    or outside its window)."""
    course_login = (CourseLogin.objects.select_related("session")
                    .filter(user__email__iexact=address).first())
    return (course_login is None or course_login.disabled_at is not None
            or not in_access_window(course_login.session))


class CourseLoginWindowBackend(ModelBackend):
    """``ModelBackend`` that refuses course logins outside their session's window."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        address = (username or kwargs.get("email") or "").strip().lower()
        if address.endswith("@" + LOGIN_DOMAIN) and _course_login_closed(address):
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        user = super().get_user(user_id)
        if user is not None and user.email.lower().endswith("@" + LOGIN_DOMAIN) and (
                _course_login_closed(user.email.lower())):
            return None
        return user
