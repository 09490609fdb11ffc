"""Periodic task of the audit trail (beat)."""

from celery import shared_task

from .services import audit_purge


@shared_task(acks_late=True)
def purge_audit_events() -> int:
    """Delete audit events past their retention (daily; see ``audit_purge``)."""
    return audit_purge()
