"""Who calls the API: a personal access token (``Authorization: Bearer alg_…``).

A token that is unknown, revoked or expired, or whose owner is inactive, answers 401
with ``WWW-Authenticate: Bearer`` (the reason in the JSON error, the same for every
unknown token). Without the ``staff`` scope, the request's user is a plain member for
the whole request (``is_staff`` is cleared on this request's copy of the user, never
saved), so a staff member's read token sees what a member's page shows, no more.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from .models import Scope
from .selectors.tokens import token_for_secret
from .services.tokens import token_touch

security_log = logging.getLogger("algoric.security")


class PersonalAccessTokenAuthentication(authentication.BaseAuthentication):
    """DRF authentication by personal access token; ``request.auth`` is the token row."""

    keyword = "Bearer"

    def authenticate(self, request):
        """``(user, token)`` for a valid ``Bearer`` token, ``None`` without an
        ``Authorization`` header; raises ``AuthenticationFailed`` (401) otherwise."""
        header = authentication.get_authorization_header(request).decode("latin-1").strip()
        if not header:
            return None
        scheme, _sep, value = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        token = token_for_secret(value.strip())
        if token is None:
            security_log.warning("API token refused: unknown ip=%s",
                                 request.META.get("REMOTE_ADDR"))
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token was revoked."))
        if not token.is_usable:
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("This account is not active."))
        if not token.has_scope(Scope.STAFF):
            # This request's copy only (loaded with the token, never saved).
            user.is_staff = False
        token_touch(token=token)
        return user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
