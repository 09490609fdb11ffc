"""Staff pages of resource requests: the queue and the review page with its decisions.

Every view is for staff with two-factor authentication (``staff_required``). Each
decision is a POST to its own URL that calls one service. A refused decision shows
the page again with the reasons and changes nothing: status 200 for bad input, 409
when the request changed meanwhile (a stale version, or a status that no longer
allows it).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from algoric.core.feedback import form_error_texts, refused
from algoric.core.staff import staff_required
from algoric.core.workflow import TransitionError
from members.services import organisation_access_status

from ...forms.requests import CommentForm, DecisionForm, RejectForm, ReturnForm, SuspendForm
from ...models import ResourceRequest
from ...outputs.selectors import activity_report_outputs
from ...selectors.lifecycle import activity_report_of, pending_extensions
from ...selectors.projects import allocation_table
from ...selectors.requests import (
    DECIDED,
    recent_decisions,
    request_comments,
    request_for_user,
    request_history,
    request_table,
    requests_returned,
    return_note,
)
from ...selectors.requests import request_queue as queue_selector
from ...services import request_review as review_services
from ...services import requests as request_services
from ..request_display import amount_text, estimate_context, read_only_table, table_view

Status = ResourceRequest.Status
#: Statuses in which staff may decide.
OPEN = {Status.SUBMITTED, Status.UNDER_REVIEW}
#: Decided requests listed under the queue.
RECENT_DECISIONS = 20


@staff_required
@require_GET
def request_queue(request):
    """Requests waiting for staff: emergencies first (flagged), then the oldest; apart,
    the requests returned for changes (they wait for their applicants); the extensions of
    allocations waiting for a decision; and the latest decisions."""
    return render(request, "projects/staff/request_queue.html", {
        "queue": list(queue_selector()), "returned": requests_returned(),
        "extensions": list(pending_extensions()),
        "recent": recent_decisions(limit=RECENT_DECISIONS),
    })


def _allocations(project) -> dict:
    """The project's allocation table with each row's cells as a list in year order, and
    the amounts as display texts (``total_text``, ``allocation.amount_text``)."""
    data = allocation_table(project=project)
    for row in data["rows"]:
        row["cell_list"] = [row["cells"][year] for year in data["years"]]
        row["total_text"] = amount_text(row["total"])
        for allocation in row["cell_list"]:
            if allocation is not None:
                allocation.amount_text = amount_text(allocation.amount)
    return data


def _review_page(request, resource_request: ResourceRequest, *,
                 decision_form: DecisionForm | None = None,
                 reject_form: RejectForm | None = None,
                 return_form: ReturnForm | None = None, status: int = 200):
    """Render the review page; bound forms replace the blank ones after a refusal."""
    project = resource_request.project
    view, rows = read_only_table(resource_request)
    is_open = resource_request.status in OPEN
    grant_view = None
    if is_open:
        initial = {"version": resource_request.version}
        decision_form = decision_form or DecisionForm(resource_request=resource_request,
                                                      initial=initial)
        reject_form = reject_form or RejectForm(initial=initial, auto_id="reject_%s")
        return_form = return_form or ReturnForm(initial=initial, auto_id="return_%s")
        grant_view = table_view(
            project=project, resources=[row.resource for row in rows],
            table=request_table(resource_request),
            values=decision_form.values if decision_form.is_bound else None,
            invalid=decision_form.invalid, prefix="granted")
    other_requests = (project.requests.exclude(pk=resource_request.pk)
                      .exclude(status=Status.DRAFT).order_by("-created_at"))
    access = organisation_access_status(organisation=project.organisation)
    emergency = resource_request.kind == ResourceRequest.Kind.EMERGENCY
    return render(request, "projects/staff/request_review.html", {
        "resource_request": resource_request, "project": project,
        "organisation": project.organisation,
        "access": access,
        # Without access: an emergency may be granted through the override, any other
        # request cannot be approved (request_review.request_decide refuses it).
        "needs_override": is_open and not access.allowed and emergency,
        "approval_blocked": (review_services.access_refusal(access)
                             if is_open and not access.allowed and not emergency else None),
        "pi": project.pi,
        "table": view, "rows": rows, "grant_table": grant_view,
        "decision_form": decision_form if is_open else None,
        "reject_form": reject_form if is_open else None,
        "return_form": return_form if is_open else None,
        "return_event": return_note(resource_request),
        "can_start_review": resource_request.status == Status.SUBMITTED,
        "granted": resource_request.status in {Status.APPROVED, Status.PARTIALLY_APPROVED},
        "decided": resource_request.status in DECIDED,
        "comments": request_comments(resource_request),
        "comment_form": CommentForm(auto_id="comment_%s"),
        "events": request_history(resource_request),
        "allocations": _allocations(project),
        "suspend_form": SuspendForm(),
        "other_requests": other_requests,
        "activity_report": (report := activity_report_of(resource_request)),
        "report_outputs": activity_report_outputs(report),
        **estimate_context(),
    }, status=status)


def _review_url(resource_request: ResourceRequest, anchor: str = "") -> str:
    return reverse("projects:staff_request_review", args=[resource_request.pk]) + anchor


@staff_required
@require_GET
def request_review(request, pk: int):
    """One request for staff: the project's fiche, its organisation's access, the table with
    justifications and estimates, the conversation, the history, the decision forms and
    the project's allocations."""
    resource_request = request_for_user(user=request.user, pk=pk)
    return _review_page(request, resource_request)


@staff_required
@require_POST
def request_start_review(request, pk: int):
    """submitted → under review: the applicants see that someone is on it."""
    resource_request = request_for_user(user=request.user, pk=pk)
    try:
        review_services.request_start_review(request=resource_request, actor=request.user)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("You are reviewing this request."))
    return redirect(_review_url(resource_request))


@staff_required
@require_POST
def request_decide(request, pk: int):
    """Grant the request with the posted table (each cell at most what was asked): the
    service decides approved or partially approved and creates the allocations."""
    resource_request = request_for_user(user=request.user, pk=pk)
    form = DecisionForm(request.POST, resource_request=resource_request)
    try:
        if not form.is_valid():
            raise ValidationError(form_error_texts(form))
        decided = review_services.request_decide(
            request=resource_request, granted=form.cleaned_data["granted"],
            note=form.cleaned_data["note"], actor=request.user,
            version=form.cleaned_data["version"],
            emergency_ends_on=form.cleaned_data.get("emergency_ends_on"),
            access_override=form.cleaned_data.get("access_override", False),
            override_reason=form.cleaned_data.get("override_reason", ""))
    except TransitionError as exc:
        refused(request, exc)
        resource_request.refresh_from_db()
        return _review_page(request, resource_request, status=409)
    except ValidationError as exc:
        refused(request, exc)
        return _review_page(request, resource_request, decision_form=form)
    messages.success(request, _("Decision recorded: %(status)s. The allocations are created "
                                "and the PI and managers are notified.")
                     % {"status": decided.get_status_display()})
    return redirect(_review_url(resource_request))


@staff_required
@require_POST
def request_reject(request, pk: int):
    """Reject the request, with the reason (required)."""
    resource_request = request_for_user(user=request.user, pk=pk)
    form = RejectForm(request.POST, auto_id="reject_%s")
    try:
        if not form.is_valid():
            raise ValidationError(form_error_texts(form))
        review_services.request_reject(request=resource_request,
                                        note=form.cleaned_data["note"], actor=request.user,
                                        version=form.cleaned_data["version"])
    except TransitionError as exc:
        refused(request, exc)
        resource_request.refresh_from_db()
        return _review_page(request, resource_request, status=409)
    except ValidationError as exc:
        refused(request, exc)
        return _review_page(request, resource_request, reject_form=form)
    messages.success(request, _("The request is rejected; the PI and managers are notified."))
    return redirect(_review_url(resource_request))


@staff_required
@require_POST
def request_return(request, pk: int):
    """Return the request to its applicant for changes, with what to change (required);
    the PI and managers are notified and may edit and submit it again."""
    resource_request = request_for_user(user=request.user, pk=pk)
    form = ReturnForm(request.POST, auto_id="return_%s")
    try:
        if not form.is_valid():
            raise ValidationError(form_error_texts(form))
        review_services.request_return_for_changes(
            request=resource_request, note=form.cleaned_data["note"], actor=request.user,
            version=form.cleaned_data["version"])
    except TransitionError as exc:
        refused(request, exc)
        resource_request.refresh_from_db()
        return _review_page(request, resource_request, status=409)
    except ValidationError as exc:
        refused(request, exc)
        return _review_page(request, resource_request, return_form=form)
    messages.success(request, _("The request is returned for changes; the PI and managers "
                                "are notified."))
    return redirect(_review_url(resource_request))


@staff_required
@require_POST
def request_comment(request, pk: int):
    """Add a staff comment to the request's conversation; the PI and managers are
    notified."""
    resource_request = request_for_user(user=request.user, pk=pk)
    form = CommentForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form_error_texts(form))
        request_services.request_comment(request=resource_request,
                                         body=form.cleaned_data["body"], actor=request.user)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("Comment sent to the applicants."))
    return redirect(_review_url(resource_request, "#comments"))
