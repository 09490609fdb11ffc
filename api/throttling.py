"""Rates of the API: per token (``API_THROTTLE_TOKEN_RATE``) and per client address for
calls without a token (``API_THROTTLE_ADDRESS_RATE``). Past a rate the API answers 429
with ``Retry-After`` (seconds); counters live in the default cache (shared by every
process)."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    """One counter per personal access token."""

    scope = "token"

    def get_cache_key(self, request, view):
        token = getattr(request, "auth", None)
        if token is None or not hasattr(token, "pk"):
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class AddressRateThrottle(SimpleRateThrottle):
    """One counter per client address, for calls without a token (the catalogue, the
    statistics, and refused tokens)."""

    scope = "address"

    def get_cache_key(self, request, view):
        if getattr(request, "auth", None) is not None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
