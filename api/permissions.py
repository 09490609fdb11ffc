"""What a token may do: its scopes against the method and the endpoint.

- safe methods (GET, HEAD, OPTIONS) need the ``read`` scope, other methods ``write``;
- staff endpoints (views with ``staff_only = True``) need the ``staff`` scope, and the
  owner must still be verified staff with TOTP (``algoric.core.staff.is_verified_staff``);
- public endpoints (``public = True``) answer everyone, a token or not.

Anonymous callers get 401, tokens without the scope 403 — as the pages send an anonymous
visitor to the login page and refuse a member a staff page.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from algoric.core.staff import is_verified_staff

from .models import Scope


class TokenScope(permissions.BasePermission):
    """DRF permission by token scope (see the module doc)."""

    message = _("This token does not have the scope this endpoint needs.")

    def has_permission(self, request, view) -> bool:
        if getattr(view, "public", False):
            return True
        token = request.auth
        if token is None or not request.user or not request.user.is_authenticated:
            return False
        if getattr(view, "staff_only", False):
            return token.has_scope(Scope.STAFF) and is_verified_staff(request.user)
        needed = Scope.READ if request.method in permissions.SAFE_METHODS else Scope.WRITE
        return token.has_scope(needed)
