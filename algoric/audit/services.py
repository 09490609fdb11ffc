"""Writing to the audit trail."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import models

from algoric.core.request_id import client_ip, current_client_ip, current_request_id

from .models import AuditEvent

audit_log = logging.getLogger("algoric.audit")


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def audit_record(*, action: str, category: str = AuditEvent.Category.STAFF, actor=None,
                 target: models.Model | None = None, request=None,
                 detail: dict | None = None, actor_label: str = "") -> AuditEvent:
    """Append one event to the audit trail and return it.

    ``action``: dotted name, at most 64 characters (``agreement.approved``).
    ``category``: :class:`AuditEvent.Category` value. ``actor``: the user who acted
    (``None`` for the system or an anonymous client; ``actor_label`` then says who,
    e.g. the login typed in a failed login). ``target``: the model instance acted on.
    ``request``: gives the client address and, with ``actor`` unset, the signed-in
    user; without it, the address of the request being served is used (services
    called from a view need not pass the request). ``detail``: small JSON-able dict
    (values that are not JSON are stored as text). Runs in the caller's transaction,
    so an action rolled back leaves no trace; the event is also written to the
    ``algoric.audit`` log.
    """
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    if actor is not None and not actor_label:
        actor_label = getattr(actor, "email", "") or str(actor)
    event = AuditEvent(
        category=category, action=action[:64], actor=actor, actor_label=actor_label[:254],
        ip=client_ip(request) if request is not None else current_client_ip(),
        request_id=current_request_id()[:64],
        detail=_json_safe(detail or {}),
    )
    if target is not None:
        event.target_type = target._meta.label_lower[:64]
        event.target_id = str(target.pk)[:64]
        event.target_label = str(target)[:255]
    event.save()
    audit_log.info("audit: %s actor=%s target=%s:%s ip=%s", event.action, actor_label or "-",
                   event.target_type or "-", event.target_id or "-", event.ip or "-")
    return event


def audit_purge(*, now=None) -> int:
    """Delete the audit events older than ``AUDIT_RETENTION_DAYS`` (days; the privacy
    page promises 12 months, the default is 365). Returns how many were deleted.

    The only deletion of audit events anywhere: a bulk delete by age, run by the
    daily beat task, never from a page.
    """
    from datetime import timedelta

    from django.utils import timezone

    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    deleted, _by_model = AuditEvent.objects.filter(created_at__lt=cutoff).delete()
    if deleted:
        audit_log.info("audit: %s events older than %s deleted", deleted, cutoff.date())
    return deleted
