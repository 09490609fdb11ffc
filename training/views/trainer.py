"""The trainer's pages: the sessions they teach, new sessions of their courses,
attendance, feedback, course logins."""

from __future__ import annotations

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Avg
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from algoric.core.feedback import add_service_errors, refused

from ..forms import CourseLoginsForm, SessionForm
from ..models import Feedback, Registration
from ..selectors.access import (
    course_for_new_session,
    courses_taught_by,
    is_trainer,
    session_for_trainer,
    sessions_taught_by,
)
from ..services.attendance import attendance_mark
from ..services.course_logins import course_logins_create, course_logins_sheet_pdf
from ..services.sessions import TRAINER_NEW_SESSION_FIELDS, session_create, session_update


@login_required
@require_GET
def trainer_sessions(request):
    """The sessions the signed-in trainer teaches (empty for anyone else)."""
    return render(request, "training/trainer_sessions.html", {
        "is_trainer": is_trainer(request.user),
        "sessions": sessions_taught_by(user=request.user),
        "courses": courses_taught_by(user=request.user)})


def _session_context(session, **extra) -> dict:
    registrations = (Registration.objects.filter(session=session)
                     .exclude(status=Registration.Status.CANCELLED)
                     .select_related("user").order_by("status", "created_at", "pk"))
    feedback = Feedback.objects.filter(registration__session=session).order_by("created_at")
    return {"session": session, "course": session.course, "registrations": registrations,
            "feedback": feedback, "rating": feedback.aggregate(avg=Avg("rating"))["avg"],
            "started": session.starts_at <= timezone.now(),
            "course_logins": session.course_logins.all(),
            "form": extra.pop("form", None) or SessionForm(session=session),
            "logins_form": extra.pop("logins_form", None) or CourseLoginsForm(), **extra}


@login_required
@require_GET
def trainer_session(request, pk: int):
    """A session as its trainer sees it: registrations, attendance, answers, logins."""
    session = session_for_trainer(pk=pk, user=request.user)
    return render(request, "training/trainer_session.html", _session_context(session))


@login_required
@require_POST
def trainer_session_edit(request, pk: int):
    """Change the place, link, capacity or deadline of a session."""
    session = session_for_trainer(pk=pk, user=request.user)
    form = SessionForm(request.POST, session=session)
    if not form.is_valid():
        refused(request, form)
        return redirect("training:trainer_session", pk=session.pk)
    try:
        session_update(session=session, data=form.cleaned_data, actor=request.user)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("The session is saved."))
    return redirect("training:trainer_session", pk=session.pk)


@login_required
@require_http_methods(["GET", "POST"])
def trainer_session_create(request, pk: int):
    """Add a session of course ``pk``, which the trainer teaches; they become its
    trainer (404 for a course they do not teach)."""
    course = course_for_new_session(pk=pk, user=request.user)
    form = SessionForm(request.POST or None, fields=TRAINER_NEW_SESSION_FIELDS,
                       initial={"is_published": True})
    if request.method == "POST":
        if form.is_valid():
            try:
                session = session_create(course=course, data=form.cleaned_data,
                                         actor=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The session is added."))
                return redirect("training:trainer_session", pk=session.pk)
        messages.error(request, _("Nothing was saved: correct the fields marked below."))
    return render(request, "training/trainer_session_form.html",
                  {"course": course, "form": form},
                  status=HTTPStatus.BAD_REQUEST if form.is_bound else HTTPStatus.OK)


@login_required
@require_POST
def trainer_attendance(request, pk: int):
    """Mark who was there (the ticked confirmed registrations)."""
    session = session_for_trainer(pk=pk, user=request.user)
    try:
        present = {int(value) for value in request.POST.getlist("present")}
    except ValueError:
        present = {-1}
    try:
        count = attendance_mark(session=session, present=present, actor=request.user)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("Attendance saved: %(count)s present.") % {"count": count})
    return redirect("training:trainer_session", pk=session.pk)


@login_required
@require_POST
def trainer_course_logins(request, pk: int):
    """Generate course logins and answer the PDF sheet of their passwords (shown once)."""
    session = session_for_trainer(pk=pk, user=request.user)
    form = CourseLoginsForm(request.POST)
    if not form.is_valid():
        refused(request, form)
        return redirect("training:trainer_session", pk=session.pk)
    try:
        logins = course_logins_create(session=session, count=form.cleaned_data["count"],
                                      actor=request.user)
    except ValidationError as exc:
        refused(request, exc)
        return redirect("training:trainer_session", pk=session.pk)
    response = HttpResponse(course_logins_sheet_pdf(session=session, logins=logins),
                            content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="course-logins-{logins[0]["login"]}.pdf"')
    return response
