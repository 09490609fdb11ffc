"""Record denied access in the audit trail (RELIABILITY.md: security events are logged)."""

from __future__ import annotations

import logging

from django.db import DatabaseError

from .models import AuditEvent
from .services import audit_record

logger = logging.getLogger(__name__)

#: Paths never recorded: the health check (polled every few seconds) and static files.
EXCLUDED_PREFIXES = ("/healthz", "/static/", "/favicon.ico")
#: Status → action recorded. 404 only for signed-in users: another organisation's
#: object answers 404, while anonymous crawlers' 404s are noise.
ACTIONS = {403: "access.denied", 429: "access.rate_limited", 404: "access.not_found"}


def audit_security_event(request, action: str, **detail) -> None:
    """Record a security event about ``request`` (path and method in ``detail``).

    A failure to write (database down) is logged and swallowed: answering the client
    matters more than the trail, and the event is in the security log anyway.
    """
    try:
        audit_record(action=action, category=AuditEvent.Category.SECURITY, request=request,
                     detail={"path": request.path[:300], "method": request.method, **detail})
    except DatabaseError:
        logger.exception("audit: could not record %s", action)


class AuditDeniedAccessMiddleware:
    """Record 403 and 429 answers, and 404 answers to signed-in users.

    Must come after ``AuthenticationMiddleware`` (it reads ``request.user``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        action = ACTIONS.get(response.status_code)
        if action is None or request.path.startswith(EXCLUDED_PREFIXES):
            return response
        user = getattr(request, "user", None)
        if response.status_code == 404 and not (user is not None and user.is_authenticated):
            return response
        audit_security_event(request, action, status=response.status_code)
        return response
