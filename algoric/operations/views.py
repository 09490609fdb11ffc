"""The health check, ``GET /healthz``."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import health_report


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
    status, checks = health_report()
    return JsonResponse({"status": status, "checks": checks},
                        status=503 if status == "down" else 200)
