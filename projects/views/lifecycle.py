"""Applicant pages of the life of a project's grants: opening a renewal from the project
page, writing its activity report, and asking to extend an allocation's end date (and
withdrawing that request while it waits).

The PI and managers act (the services check it); every page reads its object through an
access helper that gives 404 outside the user's projects.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from algoric.core.feedback import error_text

from ..forms.allocations import ActivityReportForm, ExtensionForm
from ..models import ResourceRequest
from ..outputs.selectors import activity_report_outputs
from ..selectors.lifecycle import (
    activity_report_of,
    allocation_extensions,
    allocation_for_member,
    allocation_used,
    extension_for_member,
)
from ..selectors.projects import project_for_user, require_project_lead
from ..selectors.requests import request_for_user
from ..services import allocation_extensions as extension_services
from ..services import renewals as renewal_services
from ..services.requests import EDITABLE
from .request_display import amount_text


@login_required
@require_POST
def request_renew(request, pk: int):
    """Open a renewal of project ``pk`` (PI and managers), prefilled from the last granted
    table, then go to its table."""
    project = project_for_user(user=request.user, pk=pk)
    try:
        renewal = renewal_services.request_renew(project=project, actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("projects:project_detail", pk=project.pk)
    messages.success(request, _("Renewal started from the last granted table, moved to the "
                                "next years. Check the amounts beside last year's use, then "
                                "write the activity report."))
    return redirect("projects:request_edit", pk=renewal.pk)


@login_required
@require_http_methods(["GET", "POST"])
def activity_report_edit(request, pk: int):
    """The activity report of renewal ``pk``: what was done, results, problems (PI and
    managers, while the renewal is a draft or returned for changes)."""
    resource_request = request_for_user(user=request.user, pk=pk)
    require_project_lead(project=resource_request.project, user=request.user)
    if resource_request.kind != ResourceRequest.Kind.RENEWAL \
            or resource_request.status not in EDITABLE:
        messages.info(request, _("Only a renewal that is a draft or returned for changes has "
                                 "an activity report to write."))
        return redirect("projects:request_detail", pk=resource_request.pk)
    report = activity_report_of(resource_request)
    if request.method == "POST":
        form = ActivityReportForm(request.POST)
        if form.is_valid():
            try:
                renewal_services.activity_report_save(
                    request=resource_request, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Activity report saved."))
                return redirect("projects:request_detail", pk=resource_request.pk)
    else:
        form = ActivityReportForm(initial={
            "work": report.work, "results": report.results, "problems": report.problems,
        } if report else None)
    return render(request, "projects/activity_report_form.html", {
        "resource_request": resource_request, "project": resource_request.project,
        "report": report, "form": form, "report_outputs": activity_report_outputs(report),
    })


@login_required
@require_http_methods(["GET", "POST"])
def allocation_extension_create(request, pk: int):
    """Ask to extend allocation ``pk``'s end date (PI and managers): a date and a reason;
    staff review it."""
    allocation = allocation_for_member(user=request.user, pk=pk)
    require_project_lead(project=allocation.project, user=request.user)
    form = ExtensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            extension_services.allocation_extension_request(
                allocation=allocation, ends_on=form.cleaned_data["ends_on"],
                reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Extension asked. The Algoric team will review it; you "
                                        "will be notified of their decision."))
            return redirect("projects:project_detail", pk=allocation.project_id)
    return render(request, "projects/allocation_extension_form.html", {
        "allocation": allocation, "project": allocation.project, "form": form,
        "used_text": amount_text(Decimal(str(round(allocation_used(allocation), 2)))),
        "amount_text": amount_text(allocation.amount),
        "extensions": allocation_extensions(allocation),
    })


@login_required
@require_POST
def allocation_extension_withdraw(request, pk: int):
    """Withdraw extension ``pk`` while it waits for staff (PI and managers); back to the
    allocation's extension page with the outcome."""
    extension = extension_for_member(user=request.user, pk=pk)
    try:
        extension_services.allocation_extension_withdraw(extension=extension,
                                                         actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Extension withdrawn. The end date stays as it was; you "
                                    "may ask for another extension."))
    return redirect("projects:allocation_extension_create", pk=extension.allocation_id)
