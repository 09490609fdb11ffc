"""Attendance marked by the trainers, and the attendees' feedback after a session."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record

from ..models import Feedback, Registration, Session
from ..selectors.access import may_manage_session


def attendance_mark(*, session: Session, present: set[int], actor) -> int:
    """Mark the confirmed registrations of ``session``: present when their id is in
    ``present``, absent otherwise. Only from the session's start, by its trainers or
    staff. Returns the number marked present.

    Raises ``PermissionDenied`` for anyone else; ``ValidationError`` before the session
    starts or when ``present`` names a registration that is not a confirmed one of
    ``session``.
    """
    if actor is None or not may_manage_session(session=session, user=actor):
        raise PermissionDenied(_("Only the session's trainers may mark attendance."))
    if timezone.now() < session.starts_at:
        raise ValidationError(_("Attendance can be marked once the session has started."))
    with transaction.atomic():
        confirmed = list(Registration.objects.confirmed().filter(session=session)
                         .select_for_update(of=("self",)))
        unknown = set(present) - {registration.pk for registration in confirmed}
        if unknown:
            raise ValidationError(_("Some of the people marked are not registered for this "
                                    "session."))
        for registration in confirmed:
            registration.attended = registration.pk in present
            registration.attendance_marked_by = actor
        Registration.objects.bulk_update(confirmed, ["attended", "attendance_marked_by"])
        audit_record(action="training.attendance_marked", actor=actor, target=session,
                     category="staff", detail={"present": len(present),
                                               "registered": len(confirmed)})
    return len(present)


def feedback_submit(*, registration: Registration, data: dict, actor) -> Feedback:
    """Store the attendee's feedback: ``data`` holds ``rating`` (1–5), ``useful`` and
    ``improve`` (texts). Once the session has ended, by the registration's person, once.

    Raises ``PermissionDenied`` for anyone else; ``ValidationError`` before the end, for a
    registration that is not confirmed or was marked absent, or a second time.
    """
    if actor is None or actor.pk != registration.user_id:
        raise PermissionDenied(_("Only the attendee may answer."))
    if registration.status != Registration.Status.CONFIRMED or registration.attended is False:
        raise ValidationError(_("Only the session's attendees may answer."))
    if not registration.session.is_past:
        raise ValidationError(_("The feedback form opens at the end of the session."))
    rating = data.get("rating")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Give a rating from 1 to 5.")})
    with transaction.atomic():
        if Feedback.objects.filter(registration=registration).exists():
            raise ValidationError(_("You have already answered, thank you."))
        return Feedback.objects.create(registration=registration, rating=rating,
                                       useful=data.get("useful", ""),
                                       improve=data.get("improve", ""))
