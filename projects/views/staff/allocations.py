"""Staff pages of allocations: one allocation's page (its grants per year, its use, its
history, its extensions) and the actions posted from it — suspending (with the reason)
and lifting the suspension, reducing unused hours or transferring them to the next year
(with the reason), approving or refusing an extension. The PI and managers are told.
For staff with two-factor authentication; each action is one service."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from algoric.core.feedback import form_error_texts, refused
from algoric.core.staff import staff_required

from ...forms.allocations import ExtensionDecisionForm, HoursForm
from ...forms.requests import SuspendForm
from ...models import Allocation, AllocationExtension
from ...selectors.lifecycle import (
    allocation_extensions,
    allocation_for_staff,
    allocation_grants,
    allocation_history,
    allocation_unused,
    allocation_used,
    transferred_out,
    year_grant,
)
from ...services import allocation_extensions as extension_services
from ...services import allocation_hours as hours_services
from ...services import allocations as allocation_services
from ..request_display import amount_text


def _back(request, allocation: Allocation):
    """Where to go after an allocation action: the posted ``next`` (this site only), or
    the allocation's page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect("projects:staff_allocation_detail", pk=allocation.pk)


def _decimal(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


@staff_required
@require_GET
def allocation_detail(request, pk: int):
    """One allocation for staff: project, resource, year, dates, status; its grants and
    changes (the rows the Slurm plan's limits add up); what was used and what is left;
    its history; its extensions (pending ones with the decision forms); and the forms to
    suspend or resume it, reduce its unused hours or transfer them to the next year."""
    allocation = allocation_for_staff(pk=pk)
    used = _decimal(allocation_used(allocation))
    grant = year_grant(allocation)
    limit = hours_services.transfer_limit(allocation)
    done = transferred_out(allocation)
    extensions = list(allocation_extensions(allocation))
    return render(request, "projects/staff/allocation_detail.html", {
        "allocation": allocation, "project": allocation.project,
        "amount_text": amount_text(allocation.amount), "used_text": amount_text(used),
        "unused_text": amount_text(allocation_unused(allocation)),
        "percent": (used * 100 / allocation.amount) if allocation.amount else None,
        "grant_text": amount_text(grant),
        "transfer_left_text": amount_text(max(Decimal(0), limit - done)),
        "transfer_limit_text": amount_text(limit),
        "has_next_year": allocation.year + 1 in allocation.project.years,
        "grants": [(row, amount_text(row.amount)) for row in allocation_grants(allocation)],
        "events": [(event, amount_text(event.amount) if event.amount is not None else "")
                   for event in allocation_history(allocation)],
        "pending": [e for e in extensions if e.status == AllocationExtension.Status.PENDING],
        "extensions": extensions,
    })


@staff_required
@require_POST
def allocation_suspend(request, pk: int):
    """Suspend an active allocation, with the reason; the PI and managers are notified."""
    allocation = get_object_or_404(Allocation.objects.select_related("project", "resource"),
                                   pk=pk)
    form = SuspendForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Give the reason for the suspension."))
        allocation_services.allocation_suspend(allocation=allocation,
                                               reason=form.cleaned_data["reason"],
                                               actor=request.user)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("Allocation suspended: %(resource)s, %(year)s.")
                         % {"resource": allocation.resource.name, "year": allocation.year})
    return _back(request, allocation)


@staff_required
@require_POST
def allocation_resume(request, pk: int):
    """Lift the suspension of an allocation."""
    allocation = get_object_or_404(Allocation.objects.select_related("project", "resource"),
                                   pk=pk)
    try:
        allocation_services.allocation_resume(allocation=allocation, actor=request.user)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("Allocation resumed: %(resource)s, %(year)s.")
                         % {"resource": allocation.resource.name, "year": allocation.year})
    return _back(request, allocation)


@staff_required
@require_POST
def allocation_reduce(request, pk: int):
    """Take unused hours away from the allocation, with the reason."""
    allocation = allocation_for_staff(pk=pk)
    form = HoursForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form_error_texts(form))
        hours_services.allocation_reduce(allocation=allocation, actor=request.user,
                                         amount=form.cleaned_data["amount"],
                                         reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("Allocation reduced by %(amount)s %(unit)s.")
                         % {"amount": amount_text(form.cleaned_data["amount"]),
                            "unit": allocation.resource.unit})
    return redirect("projects:staff_allocation_detail", pk=allocation.pk)


@staff_required
@require_POST
def allocation_transfer(request, pk: int):
    """Transfer unused hours of the allocation to the next year's, with the reason."""
    allocation = allocation_for_staff(pk=pk)
    form = HoursForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form_error_texts(form))
        target = hours_services.allocation_transfer(
            allocation=allocation, actor=request.user, amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("%(amount)s %(unit)s transferred to %(year)s.")
                         % {"amount": amount_text(form.cleaned_data["amount"]),
                            "unit": allocation.resource.unit, "year": target.year})
    return redirect("projects:staff_allocation_detail", pk=allocation.pk)


def _extension_decision(request, pk: int, *, approve: bool):
    extension = get_object_or_404(AllocationExtension.objects.select_related(
        "allocation__project", "allocation__resource"), pk=pk)
    form = ExtensionDecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form_error_texts(form))
        verb = (extension_services.allocation_extension_approve if approve
                else extension_services.allocation_extension_refuse)
        verb(extension=extension, note=form.cleaned_data["note"], actor=request.user)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("Extension approved: the allocation now ends on %(date)s.")
                         % {"date": extension.ends_on.isoformat()} if approve else
                         _("Extension refused; the PI and managers are notified."))
    return redirect(reverse("projects:staff_allocation_detail", args=[extension.allocation_id])
                    + "#extensions")


@staff_required
@require_POST
def extension_approve(request, pk: int):
    """Approve a pending extension: the allocation's end date moves."""
    return _extension_decision(request, pk, approve=True)


@staff_required
@require_POST
def extension_refuse(request, pk: int):
    """Refuse a pending extension, with the reason (required)."""
    return _extension_decision(request, pk, approve=False)
