"""Applicant pages of resource requests: start, the table with live totals, detail, submit,
withdraw, comments.

Every view reads the request through :func:`projects.selectors.requests.request_for_user` (404
for the requests of other people's projects); the PI and managers act, the other
members read and comment. The table page works without JavaScript ("Recalculate" is a
normal POST that saves the draft); ``static/js/request-table.js`` only adds totals that
follow the typing, through :func:`request_estimate`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from algoric.core.feedback import error_text
from algoric.core.staff import is_verified_staff
from resources.models import Resource

from ..forms.requests import CommentForm, RequestCreateForm, RequestTableForm, justification_field
from ..models import ProjectMember, ResourceRequest
from ..outputs.selectors import activity_report_outputs
from ..selectors.lifecycle import activity_report_of, renewal_past_use
from ..selectors.projects import project_for_user, project_role
from ..selectors.requests import (
    DECIDED,
    request_comments,
    request_for_user,
    request_history,
    request_rows,
    request_table,
    return_note,
)
from ..services import renewals as renewal_services
from ..services import requests as request_services
from .request_display import GRANTED, estimate_context, read_only_table, table_view

Status = ResourceRequest.Status
LEADS = {ProjectMember.Role.PI, ProjectMember.Role.MANAGER}
#: Statuses a request may still be withdrawn from.
WITHDRAWABLE = {Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW, Status.CHANGES_REQUESTED}


def _require_lead(resource_request: ResourceRequest, user) -> str | None:
    role = project_role(project=resource_request.project, user=user)
    if role not in LEADS:
        raise PermissionDenied(_("Only the project's PI and managers may do this."))
    return role


@login_required
@require_POST
def request_create(request, pk: int):
    """Start a draft request of the posted ``kind`` for project ``pk`` (PI and managers),
    then go to its table."""
    project = project_for_user(user=request.user, pk=pk)
    form = RequestCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the kind of request."))
        return redirect("projects:project_detail", pk=project.pk)
    renewal = form.cleaned_data["kind"] == ResourceRequest.Kind.RENEWAL
    try:
        if renewal:  # a renewal starts from the last granted table
            resource_request = renewal_services.request_renew(project=project,
                                                              actor=request.user)
        else:
            resource_request = request_services.request_create(
                project=project, kind=form.cleaned_data["kind"], actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("projects:project_detail", pk=project.pk)
    messages.success(request, _("Draft request started: fill in the amounts for each year, "
                                "then submit it."))
    return redirect("projects:request_edit", pk=resource_request.pk)


def _edit_page(request, resource_request: ResourceRequest, form: RequestTableForm,
               resources: list[Resource], status: int = 200):
    project = resource_request.project
    past = renewal_past_use(resource_request)
    if form.is_bound:
        table = form.cleaned_data.get("table") if form.is_valid() else form.partial_table
        view = table_view(project=project, resources=resources, table=table or {},
                          values=form.values, invalid=form.invalid, past=past,
                          justifications={r.pk: form.values.get(justification_field(r.pk), "")
                                          for r in resources})
        errors = form.error_texts()
    else:
        rows = request_rows(resource_request)
        view = table_view(project=project, resources=resources,
                          table=request_table(resource_request), past=past,
                          justifications={row.resource_id: row.justification for row in rows})
        errors = []
    return render(request, "projects/request_edit.html", {
        "resource_request": resource_request, "project": project, "form": form,
        "table": view, "errors": errors, "return_event": return_note(resource_request),
        "has_past": bool(past), **estimate_context(),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def request_edit(request, pk: int):
    """The table of a draft request, or of one returned for changes (PI and managers):
    amounts per resource and year, justifications, totals and estimates.

    "Recalculate" and "Save" both save the draft (all or nothing) — the first comes
    back to the table with the totals, the second goes to the request's page. Bad
    input shows the page again with what was typed and the errors; nothing is saved.
    """
    resource_request = request_for_user(user=request.user, pk=pk)
    _require_lead(resource_request, request.user)
    if resource_request.status not in request_services.EDITABLE:
        messages.info(request, _("Only a draft request or one returned for changes can be "
                                 "edited."))
        return redirect("projects:request_detail", pk=resource_request.pk)
    resources = list(Resource.objects.active())
    if request.method != "POST":
        form = RequestTableForm(project=resource_request.project, resources=resources,
                                initial={"justification": resource_request.justification})
        return _edit_page(request, resource_request, form, resources)
    form = RequestTableForm(request.POST, project=resource_request.project, resources=resources)
    if form.is_valid():
        try:
            request_services.request_save(
                request=resource_request, table=form.cleaned_data["table"],
                justification=form.cleaned_data["justification"],
                row_justifications=form.cleaned_data["row_justifications"],
                actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if "recalculate" in request.POST:
                messages.success(request, _("Draft saved. The totals below are up to date."))
                return redirect(reverse("projects:request_edit", args=[resource_request.pk])
                                + "#estimate")
            if resource_request.status == Status.CHANGES_REQUESTED:
                messages.success(request, _("Changes saved. Submit the request again when it "
                                            "is ready."))
            else:
                messages.success(request, _("Draft saved."))
            return redirect("projects:request_detail", pk=resource_request.pk)
    return _edit_page(request, resource_request, form, resources)


@login_required
@require_POST
def request_estimate(request, pk: int):
    """Totals and estimates of the posted table, as JSON, without saving anything.

    Same fields as :func:`request_edit`. Answers ``{"rows": {resource id: {"total",
    "unit", "cost_eur", "energy_kwh"}}, "years": {year: {"cost_eur", "energy_kwh",
    "co2e_kg"}}, "total": {"cost_eur", "energy_kwh", "co2e_kg"}, "errors": [...],
    "invalid": [input names]}``; amounts are decimal strings (EUR, kWh, kg). Cells
    in error are left out of the totals.
    """
    resource_request = request_for_user(user=request.user, pk=pk)
    resources = list(Resource.objects.active())
    form = RequestTableForm(request.POST, project=resource_request.project, resources=resources)
    if form.is_valid():
        table, errors = form.cleaned_data["table"], []
    else:
        table, errors = form.partial_table, form.error_texts()
    view = table_view(project=resource_request.project, resources=resources, table=table)
    return JsonResponse({**view.as_json(), "errors": errors, "invalid": sorted(form.invalid)})


@login_required
@require_GET
def request_detail(request, pk: int):
    """A request: status, kind, the table (and what was granted), totals and estimates,
    justifications, conversation, history, and the actions of the PI and managers."""
    resource_request = request_for_user(user=request.user, pk=pk)
    role = project_role(project=resource_request.project, user=request.user)
    is_lead = role in LEADS
    view, rows = read_only_table(resource_request)
    status = resource_request.status
    return render(request, "projects/request_detail.html", {
        "resource_request": resource_request, "project": resource_request.project,
        "table": view, "rows": rows, "is_lead": is_lead,
        "can_edit": is_lead and status in request_services.EDITABLE,
        "can_submit": is_lead and status in request_services.EDITABLE,
        "return_event": return_note(resource_request),
        "can_withdraw": is_lead and status in WITHDRAWABLE,
        "can_comment": role is not None or is_verified_staff(request.user),
        "decided": status in DECIDED,
        "granted": status in GRANTED,
        "comments": request_comments(resource_request),
        "comment_form": CommentForm(),
        "events": request_history(resource_request),
        "is_renewal": resource_request.kind == ResourceRequest.Kind.RENEWAL,
        "activity_report": (report := activity_report_of(resource_request)),
        "report_outputs": activity_report_outputs(report),
        **estimate_context(),
    })


@login_required
@require_POST
def request_submit(request, pk: int):
    """Submit a draft, or a request returned for changes again (PI and managers). When the
    access rule or the checks refuse, the reasons are shown and the status stays."""
    resource_request = request_for_user(user=request.user, pk=pk)
    try:
        request_services.request_submit(request=resource_request, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _("The request was not submitted. %(reasons)s")
                       % {"reasons": error_text(exc)})
    else:
        messages.success(request, _("Request submitted. The Algoric team will review it; "
                                    "you will be notified of their comments and decision."))
    return redirect("projects:request_detail", pk=resource_request.pk)


@login_required
@require_POST
def request_withdraw(request, pk: int):
    """Withdraw a request before any decision (PI and managers)."""
    resource_request = request_for_user(user=request.user, pk=pk)
    try:
        request_services.request_withdraw(request=resource_request, actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The request was withdrawn."))
    return redirect("projects:request_detail", pk=resource_request.pk)


@login_required
@require_POST
def request_comment(request, pk: int):
    """Add a comment to the request's conversation (the project's members); staff are
    notified."""
    resource_request = request_for_user(user=request.user, pk=pk)
    form = CommentForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Write a comment first (at most 4000 characters)."))
        request_services.request_comment(request=resource_request,
                                         body=form.cleaned_data["body"], actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Your comment was added."))
    return redirect(reverse("projects:request_detail", args=[resource_request.pk]) + "#comments")
