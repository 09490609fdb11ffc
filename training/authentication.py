"""The sign-in rule of course logins: only during their session's access window.

Listed first in ``AUTHENTICATION_BACKENDS``: for the address of a course login outside
its window it raises ``PermissionDenied``, which stops Django's authentication (the next
backends are not tried); for anything else it steps aside (returns ``None``).
"""

from __future__ import annotations

from django.contrib.auth.backends import BaseBackend
from django.core.exceptions import PermissionDenied

from .models import CourseLogin
from .selectors.slurm import in_access_window
from .services.course_logins import LOGIN_DOMAIN


class CourseLoginWindowBackend(BaseBackend):
    """Refuse a course login outside its session's access window (never authenticates
    anyone itself)."""

    def authenticate(self, request, email=None, username=None, **credentials):
        login = (email or username or "").strip().lower()
        if not login.endswith("@" + LOGIN_DOMAIN):
            return None
        course_login = (CourseLogin.objects.select_related("session")
                        .filter(user__email__iexact=login).first())
        if course_login is None or course_login.disabled_at is not None:
            raise PermissionDenied
        if not in_access_window(course_login.session):
            raise PermissionDenied
        return None
