"""The public agenda (sessions and events), its iCalendar feed, and registering."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from algoric.core.feedback import show_errors
from algoric.core.page_cache import public_page

from ..models import Registration
from ..selectors.access import live_registration, waiting_position
from ..selectors.agenda import agenda_entries, all_agenda_entries, public_event, public_session
from ..services.calendar import agenda_ical
from ..services.registrations import registration_create

#: Past entries shown under the upcoming ones.
PAST_SHOWN = 20


@require_GET
@public_page("agenda")
def agenda(request):
    """Upcoming sessions and events, then the latest past ones; the iCalendar link."""
    return render(request, "training/agenda.html", {
        "upcoming": agenda_entries(), "past": agenda_entries(past=True, limit=PAST_SHOWN)})


@require_GET
@public_page("agenda")
def agenda_ics(request):
    """The agenda as an iCalendar feed (every published entry), in the page's language."""
    body = agenda_ical(entries=all_agenda_entries(), language=translation.get_language())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="algoric-agenda.ics"'
    return response


@require_GET
@public_page("agenda")
def session_detail(request, pk: int):
    """A session's public page; a signed-in person sees their place and may register."""
    session = public_session(pk=pk)
    registration = live_registration(session=session, user=request.user)
    return render(request, "training/session_detail.html", {
        "session": session, "course": session.course, "registration": registration,
        "position": waiting_position(registration=registration) if registration else None,
        "seats_left": max(session.capacity - session.seats_taken, 0)})


@require_GET
@public_page("agenda")
def event_detail(request, pk: int):
    """An event's public page."""
    return render(request, "training/event_detail.html", {"event": public_event(pk=pk)})


@login_required
@require_POST
def session_register(request, pk: int):
    """Register the signed-in person: a seat, or the waiting list when it is full."""
    session = public_session(pk=pk)
    try:
        registration = registration_create(session=session, user=request.user,
                                           actor=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect("training:session_detail", pk=session.pk)
    if registration.status == Registration.Status.CONFIRMED:
        messages.success(request, _("You are registered. A confirmation is on its way to "
                                    "your mailbox."))
    else:
        messages.info(request, _("The session is full: you are on the waiting list. You "
                                 "will be told if a seat frees up."))
    return redirect("training:session_detail", pk=session.pk)
