"""Registering for a session, the waiting list, cancelling, and the messages around them.

Seats are counted under a lock on the session's row (``select_for_update``): two people
registering for the last seat at once are served one after the other, so one gets the
seat and the other joins the waiting list, never both a seat. When a confirmed person
cancels, the first of the waiting list (by time of registration) gets the seat and is
told (outbox).
"""

from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.notifications.services.outbox import notify

from ..models import Registration, Session
from ..selectors.access import may_manage_session


def _notify(registration: Registration, event: str, *, dedupe_key: str | None = None) -> bool:
    """Store ``event`` for the registration's person; whether a message was stored (a
    course login has no mailbox; a repeated ``dedupe_key`` stores nothing)."""
    if getattr(registration.user, "course_login", None) is not None:
        return False
    notification = notify(event=event, recipient=registration.user, context={
        "registration": registration, "session": registration.session,
        "course": registration.session.course}, dedupe_key=dedupe_key)
    return notification.created


def session_lock(session: Session) -> Session:
    """``session`` read again under a row lock (``select_for_update``), with its course;
    to be called inside a transaction."""
    return (Session.objects.select_for_update(of=("self",)).select_related("course")
            .get(pk=session.pk))


def registration_create(*, session: Session, user, actor) -> Registration:
    """Register ``user`` for ``session``: a seat (``confirmed``) while the confirmed
    registrations are fewer than the capacity, else a place on the waiting list
    (``waiting``). The confirmation (or waiting-list) message goes through the outbox.

    Raises ``PermissionDenied`` when ``actor`` is not ``user``; ``ValidationError`` when the
    account's email is not verified, the deadline has passed, the session is not
    published, or ``user`` already holds a place.
    """
    if actor is None or actor.pk != user.pk:
        raise PermissionDenied(_("You may only register yourself."))
    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        raise ValidationError(_("Verify your email address before registering."))
    with transaction.atomic():
        session = session_lock(session)
        if not session.is_published:
            raise ValidationError(_("This session is not open for registration."))
        if timezone.now() > session.registration_deadline:
            raise ValidationError(_("Registrations for this session are closed."))
        if Registration.objects.filter(session=session, user=user).exclude(
                status=Registration.Status.CANCELLED).exists():
            raise ValidationError(_("You are already registered for this session."))
        taken = Registration.objects.confirmed().filter(session=session).count()
        status = (Registration.Status.CONFIRMED if taken < session.capacity
                  else Registration.Status.WAITING)
        registration = Registration.objects.create(session=session, user=user, status=status)
        _notify(registration, "training_registration_confirmed"
                if status == Registration.Status.CONFIRMED else "training_registration_waiting")
    return registration


def waiting_list_promote(session: Session, *, actor) -> list[Registration]:
    """Give the free seats of ``session`` (locked by :func:`session_lock`, inside the
    caller's transaction) to the waiting list, first come first; each promoted person is
    told. ``actor``: who freed the seats (``None`` for the system). Returns the promoted
    registrations."""
    free = session.capacity - Registration.objects.confirmed().filter(session=session).count()
    promoted = []
    if free <= 0:
        return promoted
    for registration in Registration.objects.waiting().filter(session=session)[:free]:
        registration.status = Registration.Status.CONFIRMED
        registration.promoted_at = timezone.now()
        registration.save(update_fields=["status", "promoted_at"])
        _notify(registration, "training_registration_promoted")
        audit_record(action="training.registration_promoted", actor=actor,
                     target=registration, category="system" if actor is None else "staff")
        promoted.append(registration)
    return promoted


def registration_cancel(*, registration: Registration, actor) -> Registration:
    """Cancel ``registration``: by its person until the session's registration deadline,
    or by staff and the session's trainers at any time before the session ends. A freed
    seat goes to the first of the waiting list (told through the outbox).

    Raises ``PermissionDenied`` for anyone else; ``ValidationError`` after the deadline
    (for the person), once the session has ended, or when it is already cancelled.
    """
    with transaction.atomic():
        session = session_lock(registration.session)
        registration = (Registration.objects.select_for_update(of=("self",))
                        .select_related("user").get(pk=registration.pk))
        own = actor is not None and actor.pk == registration.user_id
        manager = actor is not None and may_manage_session(session=session, user=actor)
        if not (own or manager):
            raise PermissionDenied(_("You may not cancel this registration."))
        if registration.status == Registration.Status.CANCELLED:
            raise ValidationError(_("This registration is already cancelled."))
        if session.is_past or (not manager and session.has_started):
            raise ValidationError(_("This session has begun: it can no longer be "
                                    "cancelled."))
        if not manager and timezone.now() > session.registration_deadline:
            raise ValidationError(_("The cancellation deadline has passed; write to the "
                                    "trainers."))
        registration.status = Registration.Status.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
        _notify(registration, "training_registration_cancelled")
        if not own:
            audit_record(action="training.registration_cancelled", actor=actor,
                         target=registration)
        waiting_list_promote(session, actor=actor)
    return registration


def session_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind the confirmed attendees of the sessions starting tomorrow (local date) —
    once each (``dedupe_key``). Returns how many messages were stored."""
    now = now or timezone.now()
    zone = timezone.get_default_timezone()
    tomorrow = timezone.localtime(now, zone).date() + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time.min, tzinfo=zone)
    sent = 0
    for registration in Registration.objects.confirmed().filter(
            session__starts_at__gte=start, session__starts_at__lt=start + dt.timedelta(days=1)
    ).select_related("session__course", "user"):
        with transaction.atomic():
            sent += _notify(registration, "training_session_reminder",
                            dedupe_key=f"training-reminder-{registration.pk}")
    return sent


def feedback_requests_send(*, now: dt.datetime | None = None) -> int:
    """Ask the attendees of the sessions that ended in the last two days for their
    feedback — once each (``dedupe_key``). Returns how many messages were stored."""
    now = now or timezone.now()
    sent = 0
    for registration in Registration.objects.confirmed().filter(
            session__ends_at__lte=now, session__ends_at__gt=now - dt.timedelta(days=2),
            feedback__isnull=True).exclude(attended=False).select_related(
            "session__course", "user"):
        with transaction.atomic():
            sent += _notify(registration, "training_feedback_request",
                            dedupe_key=f"training-feedback-{registration.pk}")
    return sent

