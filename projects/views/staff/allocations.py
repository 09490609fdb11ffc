"""Staff actions on allocations: suspending one (with the reason) and lifting the
suspension; the PI and managers are told. For staff with two-factor authentication."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from algoric.core.feedback import refused
from algoric.core.staff import staff_required

from ...forms.requests import SuspendForm
from ...models import Allocation
from ...services import allocations as allocation_services


def _back(request, allocation: Allocation):
    """Where to go after an allocation action: the posted ``next`` (this site only), or
    the queue."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect("projects:staff_request_queue")


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
