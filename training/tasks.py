"""Training's beat tasks: reminders the day before, feedback requests after a session,
and the end of the course logins. Thin: each calls one idempotent service."""

from __future__ import annotations

from celery import shared_task

from .services.course_logins import course_logins_expire
from .services.registrations import feedback_requests_send, session_reminders_send


@shared_task(acks_late=True)
def send_session_reminders() -> int:
    """Remind the attendees of tomorrow's sessions, once each (daily)."""
    return session_reminders_send()


@shared_task(acks_late=True)
def send_feedback_requests() -> int:
    """Ask the attendees of the sessions just ended for their feedback, once each."""
    return feedback_requests_send()


@shared_task(acks_late=True)
def expire_course_logins() -> int:
    """Disable and delete the course logins whose session's access window has ended."""
    return course_logins_expire()
