"""The staff page of the audit trail: browse and filter, never edit."""

from http import HTTPStatus

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from algoric.core.staff import staff_required

from .forms import AuditFilterForm
from .selectors import audit_actions, audit_event_list

#: Events per page.
EVENTS_PER_PAGE = 50


@staff_required
@require_GET
def event_list(request):
    """List audit events, newest first, with the filters of :class:`AuditFilterForm`.

    Invalid filters (a bad date or address) show their errors, answer 400 and list
    nothing. Staff with MFA only (``staff_required``).
    """
    form = AuditFilterForm(request.GET or None)
    status = HTTPStatus.OK
    if form.is_bound and not form.is_valid():
        events = audit_event_list().none()
        status = HTTPStatus.BAD_REQUEST
    else:
        events = audit_event_list(**(form.filters() if form.is_bound else {}))
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/staff/event_list.html", {
        "form": form, "page": page, "events": page.object_list,
        "actions": audit_actions(), "query": query.urlencode(),
    }, status=status)
