"""Who may do what in training: trainers, the sessions they teach, one's registrations."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from algoric.core.staff import is_verified_staff

from ..models import Course, Registration, Session, Trainer


def is_trainer(user) -> bool:
    """Whether ``user`` holds the trainer role (given by staff). One query."""
    return bool(getattr(user, "is_authenticated", False)
                and Trainer.objects.filter(user=user).exists())


def may_manage_session(*, session: Session, user) -> bool:
    """Whether ``user`` may manage ``session``: verified staff, or a trainer who teaches
    it."""
    if is_verified_staff(user):
        return True
    return is_trainer(user) and session.trainers.filter(pk=user.pk).exists()


def session_for_trainer(*, pk: int, user) -> Session:
    """The session ``pk`` if ``user`` may manage it (:func:`may_manage_session`);
    ``Http404`` otherwise (another trainer's session is not revealed)."""
    session = get_object_or_404(Session.objects.select_related("course"), pk=pk)
    if not may_manage_session(session=session, user=user):
        raise Http404
    return session


def may_add_session(*, course: Course, user) -> bool:
    """Whether ``user`` may add a session of ``course``: verified staff, or a trainer who
    teaches (or taught) a session of it."""
    if is_verified_staff(user):
        return True
    return is_trainer(user) and Session.objects.filter(course=course, trainers=user).exists()


def courses_taught_by(*, user):
    """The courses ``user`` teaches a session of (they may add sessions), by title."""
    return Course.objects.filter(sessions__trainers=user).distinct().order_by("title")


def course_for_new_session(*, pk: int, user) -> Course:
    """The course ``pk`` if ``user`` may add a session of it (:func:`may_add_session`);
    ``Http404`` otherwise (a course one does not teach is not revealed)."""
    course = get_object_or_404(Course, pk=pk)
    if not may_add_session(course=course, user=user):
        raise Http404
    return course


def sessions_taught_by(*, user):
    """The sessions ``user`` teaches, latest first."""
    return (Session.objects.filter(trainers=user).select_related("course")
            .order_by("-starts_at"))


def registration_for_user(*, pk: int, user) -> Registration:
    """``user``'s own registration ``pk``; ``Http404`` for anyone else's."""
    return get_object_or_404(Registration.objects.select_related("session__course", "user"),
                             pk=pk, user=user)


def live_registration(*, session: Session, user) -> Registration | None:
    """``user``'s confirmed or waiting registration for ``session``, or ``None``."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (Registration.objects.filter(session=session, user=user)
            .exclude(status=Registration.Status.CANCELLED).first())


def registrations_of(*, user):
    """``user``'s registrations, latest session first."""
    return (Registration.objects.filter(user=user).select_related("session__course")
            .order_by("-session__starts_at"))


def waiting_position(*, registration: Registration) -> int | None:
    """1-based place of a waiting registration in its session's list, else ``None``."""
    if registration.status != Registration.Status.WAITING:
        return None
    ahead = Registration.objects.waiting().filter(session=registration.session).filter(
        created_at__lt=registration.created_at).count()
    return ahead + 1
