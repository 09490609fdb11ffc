"""Answer 429 Too Many Requests when a rate limit of allauth is exceeded.

allauth answers its request-level limits (sign-up, login, password reset) with
429 itself, but reports the per-account limit on failed logins as a form error
with status 200. The account adapter raises :class:`RateLimited` instead, and
:class:`RateLimitedMiddleware` turns it into allauth's 429 page, so every rate
limit of the portal is answered the same way (RELIABILITY.md, sign-up and login).
"""

import logging

from allauth.core.ratelimit import respond_429

security_log = logging.getLogger("algoric.security")


class RateLimited(Exception):
    """A rate limit was exceeded; the request is answered 429."""


class RateLimitedMiddleware:
    """Render :class:`RateLimited` raised by a view as a 429 response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RateLimited):
            security_log.warning("rate limit exceeded: path=%s ip=%s", request.path,
                                 request.META.get("REMOTE_ADDR"))
            return respond_429(request)
        return None
