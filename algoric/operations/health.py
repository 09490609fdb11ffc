"""What ``/healthz`` reports: database, broker, worker heartbeat, outbox, clusters.

Every check is bounded in time: the database by its connect timeout (5 s on
PostgreSQL), the broker by :data:`BROKER_TIMEOUT_S` per socket operation, so a
frozen Redis (``SIGSTOP``) makes the check fail after about one second instead of
hanging the request. The worker heartbeat is a timestamp written every minute by
:func:`algoric.operations.tasks.worker_heartbeat` (run by beat, executed by a worker)
into the database cache table, so it is readable without Redis.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, connection
from django.db.models import Count, Min
from django.utils import timezone

from algoric.core.registries import health_checks
from algoric.notifications.models import Notification

logger = logging.getLogger(__name__)

#: Seconds allowed to connect to the broker, and again to read its answer to PING.
BROKER_TIMEOUT_S = 0.5
#: Cache key of the worker heartbeat (a UNIX time, seconds).
HEARTBEAT_KEY = "operations:worker-heartbeat"
#: Database cache table (created by ``members`` migration 0002 and ``createcachetable``).
HEARTBEAT_TABLE = "algoric_cache"


def heartbeat_cache() -> DatabaseCache:
    """The database cache that holds the heartbeat, whatever ``CACHES`` says (Redis may be
    the default cache; the heartbeat must stay readable when Redis is down)."""
    return DatabaseCache(HEARTBEAT_TABLE, {"TIMEOUT": None})


def heartbeat_write(now: float | None = None) -> float:
    """Store the current time (UNIX seconds) as the worker heartbeat and return it."""
    now = time.time() if now is None else now
    heartbeat_cache().set(HEARTBEAT_KEY, now, timeout=None)
    return now


def eager() -> bool:
    """Whether tasks run inline (no broker, no worker: the embedded defaults)."""
    return bool(settings.CELERY_TASK_ALWAYS_EAGER) or settings.CELERY_BROKER_URL.startswith(
        "memory://")


def check_database() -> dict[str, Any]:
    """``{"ok": bool, "latency_ms": float}``: runs ``SELECT 1``."""
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("health: database unavailable: %s", exc.__class__.__name__)
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "latency_ms": round((time.monotonic() - started) * 1000, 1)}


def check_broker(timeout: float = BROKER_TIMEOUT_S) -> dict[str, Any]:
    """``{"ok": bool, "latency_ms": float}``: PING the Redis broker, ``timeout`` seconds
    to connect and ``timeout`` to read the answer, no retry. Skipped in eager mode."""
    url = settings.CELERY_BROKER_URL
    if eager():
        return {"ok": True, "skipped": "eager"}
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return {"ok": True, "skipped": "not redis"}
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    started = time.monotonic()
    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout,
                                  retry=Retry(NoBackoff(), 0), health_check_interval=0)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        return {"ok": False, "error": exc.__class__.__name__,
                "latency_ms": round((time.monotonic() - started) * 1000, 1)}
    finally:
        client.close()
    return {"ok": True, "latency_ms": round((time.monotonic() - started) * 1000, 1)}


def check_worker() -> dict[str, Any]:
    """``{"ok": bool, "heartbeat_age_s": float | None}``: age of the last heartbeat.

    Not ok past ``HEALTH_WORKER_MAX_AGE`` seconds or with no heartbeat yet. Skipped
    (ok, age ``None``) in eager mode, where there is no worker.
    """
    if eager():
        return {"ok": True, "heartbeat_age_s": None, "skipped": "eager"}
    try:
        beat = heartbeat_cache().get(HEARTBEAT_KEY)
    except DatabaseError as exc:
        return {"ok": False, "heartbeat_age_s": None, "error": exc.__class__.__name__}
    if beat is None:
        return {"ok": False, "heartbeat_age_s": None}
    age = max(0.0, round(time.time() - float(beat), 1))
    return {"ok": age <= settings.HEALTH_WORKER_MAX_AGE, "heartbeat_age_s": age}


def check_outbox() -> dict[str, Any]:
    """``{"ok": bool, "pending": int, "oldest_age_s": float | None}``: notifications not
    sent yet. Not ok when the oldest waits longer than ``HEALTH_OUTBOX_MAX_AGE``."""
    row = Notification.objects.pending().aggregate(count=Count("id"), oldest=Min("created_at"))
    oldest = row["oldest"]
    age = round((timezone.now() - oldest).total_seconds(), 1) if oldest else None
    return {"ok": age is None or age <= settings.HEALTH_OUTBOX_MAX_AGE,
            "pending": row["count"], "oldest_age_s": age}


def check_registered() -> dict[str, list]:
    """``{name: problems}`` of the checks other apps registered
    (:func:`algoric.core.registries.register_health_check`, e.g. ``"clusters"``: the
    clusters whose Slurm sync or accounting collection fails)."""
    return {name: _json_safe(list(check())) for name, check in health_checks().items()}


def _json_safe(value):
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def health_report() -> tuple[str, dict[str, Any]]:
    """Run every check; return ``(status, checks)``.

    ``status`` is ``"down"`` when the database does not answer (nothing else is
    checked then), ``"degraded"`` when any other check fails, else ``"ok"``.
    """
    checks: dict[str, Any] = {"database": check_database()}
    if not checks["database"]["ok"]:
        return "down", checks
    checks["broker"] = check_broker()
    try:
        checks["worker"] = check_worker()
        checks["outbox"] = check_outbox()
        registered = check_registered()
        checks.update(registered)
    except DatabaseError as exc:
        logger.warning("health: database failed during the checks: %s", exc)
        checks["database"] = {"ok": False, "error": exc.__class__.__name__}
        return "down", checks
    healthy = (checks["broker"]["ok"] and checks["worker"]["ok"] and checks["outbox"]["ok"]
               and not any(registered.values()))
    return ("ok" if healthy else "degraded"), checks
