"""Staff: writing courses, their sessions and the agenda's events on portal pages."""

from __future__ import annotations

from http import HTTPStatus

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from algoric.core.feedback import add_service_errors
from algoric.core.staff import staff_required

from ...forms import CourseForm, EventForm, SessionForm
from ...models import Course, Event, Session
from ...services.courses import course_save
from ...services.events import event_save
from ...services.sessions import STAFF_SESSION_FIELDS, session_create, session_update


def _page(request, template: str, context: dict, status=HTTPStatus.OK):
    return render(request, f"training/staff/{template}", context, status=status)


def _refused(request, template: str, context: dict):
    """Re-show the form with its errors: 400, nothing written."""
    messages.error(request, _("Nothing was saved: correct the fields marked below."))
    return _page(request, template, context, status=HTTPStatus.BAD_REQUEST)


def _write(request, *, form, template: str, context: dict, save):
    """Validate ``form``, call ``save(cleaned_data)`` (a service), redirect to the staff's
    training page, or re-show the form with the form's or the service's errors (400)."""
    context = {"form": form, **context}
    if not form.is_valid():
        return _refused(request, template, context)
    try:
        saved = save(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _refused(request, template, context)
    messages.success(request, _("“%(name)s” is saved.") % {"name": saved})
    return redirect("training:staff_training")


@staff_required
@require_http_methods(["GET", "POST"])
def staff_course_create(request):
    """Add a course."""
    if request.method == "POST":
        return _write(request, form=CourseForm(request.POST), template="course_form.html",
                      context={"course": None}, save=lambda data: course_save(
                          course=None, data=data, actor=request.user))
    return _page(request, "course_form.html",
                 {"form": CourseForm(initial={"level": "beginner", "language": "fr"}),
                  "course": None})


@staff_required
@require_http_methods(["GET", "POST"])
def staff_course_edit(request, pk: int):
    """Change course ``pk``."""
    course = get_object_or_404(Course, pk=pk)
    if request.method == "POST":
        return _write(request, form=CourseForm(request.POST), template="course_form.html",
                      context={"course": course}, save=lambda data: course_save(
                          course=course, data=data, actor=request.user))
    return _page(request, "course_form.html", {"form": CourseForm(course=course),
                                               "course": course})


@staff_required
@require_http_methods(["GET", "POST"])
def staff_session_create(request, pk: int):
    """Add a session of course ``pk``."""
    course = get_object_or_404(Course, pk=pk)
    context = {"course": course, "session": None}
    if request.method == "POST":
        return _write(request, form=SessionForm(request.POST, fields=STAFF_SESSION_FIELDS),
                      template="session_form.html", context=context,
                      save=lambda data: session_create(course=course, data=data,
                                                       actor=request.user))
    form = SessionForm(fields=STAFF_SESSION_FIELDS, initial={"is_published": True,
                                                             "core_hours_per_attendee": 0})
    return _page(request, "session_form.html", {"form": form, **context})


@staff_required
@require_http_methods(["GET", "POST"])
def staff_session_edit(request, pk: int):
    """Change every field of session ``pk`` (the capacity not below its seats taken)."""
    session = get_object_or_404(Session.objects.select_related("course"), pk=pk)
    context = {"course": session.course, "session": session}
    if request.method == "POST":
        return _write(request, form=SessionForm(request.POST, fields=STAFF_SESSION_FIELDS),
                      template="session_form.html", context=context,
                      save=lambda data: session_update(session=session, data=data,
                                                       actor=request.user))
    form = SessionForm(session=session, fields=STAFF_SESSION_FIELDS)
    return _page(request, "session_form.html", {"form": form, **context})


@staff_required
@require_http_methods(["GET", "POST"])
def staff_event_create(request):
    """Add an event to the agenda."""
    if request.method == "POST":
        return _write(request, form=EventForm(request.POST), template="event_form.html",
                      context={"event": None}, save=lambda data: event_save(
                          event=None, data=data, actor=request.user))
    return _page(request, "event_form.html",
                 {"form": EventForm(initial={"is_published": True}), "event": None})


@staff_required
@require_http_methods(["GET", "POST"])
def staff_event_edit(request, pk: int):
    """Change event ``pk`` (and, afterwards, how many people came)."""
    event = get_object_or_404(Event, pk=pk)
    if request.method == "POST":
        return _write(request, form=EventForm(request.POST), template="event_form.html",
                      context={"event": event}, save=lambda data: event_save(
                          event=event, data=data, actor=request.user))
    return _page(request, "event_form.html", {"form": EventForm(event=event),
                                              "event": event})
