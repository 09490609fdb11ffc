"""Project-level views: error pages and the health check."""

import logging

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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


@never_cache
@require_GET
def healthz(request):
    """Liveness and database readiness for load balancers and compose health checks.

    Answers 200 ``{"status": "ok"}`` when the database answers, 503 otherwise.
    The broker is not checked: the portal serves pages without it.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.exception("health check: database unavailable")
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
