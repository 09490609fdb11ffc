"""Project-level views: error pages and the health check."""

import logging

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
    """Health of the portal for load balancers, compose health checks and monitoring.

    JSON ``{"status": "ok" | "degraded" | "down", "checks": {"database": …, "broker": …,
    "worker": {"heartbeat_age_s": …}, "outbox": {"pending": n, "oldest_age_s": …},
    "clusters": […]}}`` (see :mod:`algoric.operations.health`). Answers 200 while the
    database answers, even degraded (the portal serves pages without Redis or a
    worker), and 503 when it does not. No login, no language prefix; not recorded in
    the audit trail.
    """
    from algoric.operations.health import health_report

    status, checks = health_report()
    return JsonResponse({"status": status, "checks": checks},
                        status=503 if status == "down" else 200)
