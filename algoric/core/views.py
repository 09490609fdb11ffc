"""The error pages (400, 403, 404, 429, 500), named by ``algoric.urls``."""

import logging

from django.shortcuts import render

from .request_id import current_request_id

logger = logging.getLogger(__name__)


def server_error(request, *args, **kwargs):
    """Generic 500 page that shows the request id the error was logged with."""
    return render(
        request, "500.html", {"error_id": getattr(request, "request_id", current_request_id())},
        status=500,
    )


def bad_request(request, exception=None):
    """Generic 400 page (bad ``Host`` header, malformed request)."""
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    """Generic 403 page."""
    return render(request, "403.html", status=403)


def too_many_requests(request, exception=None):
    """429 page for every rate limit (allauth's and the portal's)."""
    return render(request, "429.html", status=429)


def page_not_found(request, exception=None):
    """Generic 404 page."""
    return render(request, "404.html", status=404)
