"""The staff catalogue pages: the list of resources with their prices, adding, editing,
opening and closing a resource."""

from __future__ import annotations

from http import HTTPStatus

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from algoric.core.feedback import add_service_errors, show_errors
from algoric.core.staff import staff_required
from members.models import OrganisationKind

from ..forms import ActiveForm, ResourceForm
from ..models import Resource
from ..selectors.catalogue import catalogue_for_staff, resource_prices
from ..services.catalogue import StaleResourceError, resource_save, resource_set_active

#: Short column headings of the kinds of organisation in the staff price table.
SHORT_KIND_LABELS = {
    OrganisationKind.SME: pgettext_lazy("short kind of organisation", "SME"),
    OrganisationKind.LAB: pgettext_lazy("short kind of organisation", "Lab"),
    OrganisationKind.PUBLIC_BODY: pgettext_lazy("short kind of organisation", "Public"),
    OrganisationKind.SCHOOL: pgettext_lazy("short kind of organisation", "School"),
    OrganisationKind.ASSOCIATION: pgettext_lazy("short kind of organisation", "Assoc."),
    OrganisationKind.INDIVIDUAL: pgettext_lazy("short kind of organisation", "Indiv."),
}


@staff_required
@require_GET
def catalogue(request):
    """The staff list of every resource, with its prices per kind of organisation."""
    return _list_page(request)


def _list_page(request, status=HTTPStatus.OK):
    return render(request, "resources/staff/resource_list.html", {
        "rows": catalogue_for_staff(),
        "kinds": [(SHORT_KIND_LABELS[kind], label) for kind, label in OrganisationKind.choices],
    }, status=status)


def _form_page(request, form: ResourceForm, resource: Resource | None, status=HTTPStatus.OK):
    return render(request, "resources/staff/resource_form.html",
                  {"form": form, "resource": resource}, status=status)


def _save(request, resource: Resource | None):
    """Validate the posted form, save through :func:`resource_save`, redirect or re-show."""
    form = ResourceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The resource was not saved: correct the fields marked "
                                  "below."))
        return _form_page(request, form, resource, status=HTTPStatus.BAD_REQUEST)
    try:
        saved = resource_save(resource=resource, data=form.cleaned_data["data"],
                              prices=form.cleaned_data["prices"], actor=request.user,
                              seen_updated_at=form.cleaned_data["seen_updated_at"])
    except StaleResourceError as exc:
        show_errors(request, exc)
        return _form_page(request, form, resource, status=HTTPStatus.CONFLICT)
    except ValidationError as exc:
        add_service_errors(form, exc)
        messages.error(request, _("The resource was not saved: correct the fields marked "
                                  "below."))
        return _form_page(request, form, resource, status=HTTPStatus.BAD_REQUEST)
    if resource is None:
        messages.success(request, _("Resource “%(name)s” added to the catalogue.")
                         % {"name": saved.name})
    else:
        messages.success(request, _("Resource “%(name)s” saved.") % {"name": saved.name})
    return redirect("resources:staff_list")


@staff_required
@require_http_methods(["GET", "POST"])
def resource_create(request):
    """Add a resource to the catalogue, with its prices."""
    if request.method == "POST":
        return _save(request, None)
    return _form_page(request, ResourceForm(initial={"is_public": True, "is_active": True}),
                      None)


@staff_required
@require_http_methods(["GET", "POST"])
def resource_edit(request, pk: int):
    """Edit resource ``pk`` and its prices; a stale edit is refused (409)."""
    resource = get_object_or_404(Resource, pk=pk)
    if request.method == "POST":
        return _save(request, resource)
    form = ResourceForm(resource=resource, prices=resource_prices(resource=resource))
    return _form_page(request, form, resource)


@staff_required
@require_POST
def resource_toggle_active(request, pk: int):
    """Open or close resource ``pk`` to new requests (the posted ``is_active``: 1 or 0)."""
    resource = get_object_or_404(Resource, pk=pk)
    form = ActiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether the resource can be requested."))
        return _list_page(request, status=HTTPStatus.BAD_REQUEST)
    resource = resource_set_active(resource=resource, is_active=form.cleaned_data["is_active"],
                                   actor=request.user)
    if resource.is_active:
        messages.success(request, _("“%(name)s” can be requested again.")
                         % {"name": resource.name})
    else:
        messages.success(request, _("“%(name)s” can no longer be requested; allocations "
                                    "already granted are kept.") % {"name": resource.name})
    return redirect("resources:staff_list")
