"""Staff pages on organisations: the dashboard, the list, one organisation's page and its
memberships (open a year, record a payment, waive a fee)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from algoric.core.feedback import error_status, error_texts, refused
from algoric.core.registries import dashboard_sections
from algoric.core.staff import staff_required

from ...forms.staff import MembershipOpenForm, PaymentForm, WaiveForm
from ...models import Membership, Organisation, OrganisationKind
from ...selectors import (
    membership_history,
    organisation_for_user,
    organisation_members,
    organisation_open_invitations,
    staff_dashboard,
)
from ...services import (
    membership_open,
    membership_record_payment,
    membership_waive,
    organisation_access_status,
    organisation_access_statuses,
)

#: Organisations per page on the staff list (each row computes its access status).
ORGANISATIONS_PER_PAGE = 50

@staff_required
@require_GET
def dashboard(request):
    """What staff must act on: agreements to review and countersign, unpaid memberships,
    agreements expiring within 60 days; and links to the other staff pages."""
    return render(request, "members/staff/dashboard.html", {
        "data": staff_dashboard(), "sections": dashboard_sections(request)})


@staff_required
@require_GET
def organisation_list(request):
    """Every organisation with its kind, SIRET and access status, 50 per page.

    ``?q=`` searches the name and SIRET, ``?kind=`` filters by kind.
    """
    queryset = Organisation.objects.order_by("name")
    query = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    if query:
        queryset = queryset.filter(Q(name__icontains=query) | Q(siret__startswith=query))
    if kind in OrganisationKind.values:
        queryset = queryset.filter(kind=kind)
    else:
        kind = ""
    page = Paginator(queryset, ORGANISATIONS_PER_PAGE).get_page(request.GET.get("page"))
    statuses = organisation_access_statuses(organisations=page.object_list)
    rows = [(organisation, statuses[organisation.pk]) for organisation in page.object_list]
    return render(request, "members/staff/organisation_list.html", {
        "page": page, "rows": rows, "query": query, "kind": kind,
        "kinds": OrganisationKind.choices,
    })


def _organisation_page(request, organisation: Organisation, *, bound: dict | None = None,
                       status: int = 200):
    """Render the staff page of ``organisation``; ``bound`` replaces some forms by bound
    ones: keys ``("payment", membership_pk)``, ``("waive", membership_pk)`` and ``"open"``."""
    bound = bound or {}
    memberships = []
    for membership in membership_history(organisation=organisation):
        can_pay = membership.status in {Membership.Status.PENDING, Membership.Status.LAPSED}
        memberships.append({
            "membership": membership,
            "payment_form": bound.get(("payment", membership.pk))
            or (PaymentForm(auto_id=f"payment{membership.pk}_%s") if can_pay else None),
            "waive_form": bound.get(("waive", membership.pk))
            or (WaiveForm(auto_id=f"waive{membership.pk}_%s")
                if membership.status == Membership.Status.PENDING else None),
        })
    agreements = organisation.agreements.select_related("terms").order_by("-created_at")
    return render(request, "members/staff/organisation_review.html", {
        "organisation": organisation,
        "access": organisation_access_status(organisation=organisation),
        "memberships": memberships,
        "open_form": bound.get("open") or MembershipOpenForm(auto_id="open_%s"),
        "agreements": agreements,
        "people": organisation_members(organisation=organisation),
        "invitations": organisation_open_invitations(organisation=organisation),
    }, status=status)


@staff_required
@require_GET
def organisation_review(request, pk: int):
    """The staff page of one organisation: access status, memberships with their payment
    forms, agreements, people."""
    organisation = organisation_for_user(user=request.user, pk=pk)
    return _organisation_page(request, organisation)


@staff_required
@require_POST
def membership_open_view(request, pk: int):
    """Open the membership of organisation ``pk`` for the posted year, at the scheduled fee."""
    organisation = organisation_for_user(user=request.user, pk=pk)
    form = MembershipOpenForm(request.POST, auto_id="open_%s")
    if not form.is_valid():
        refused(request, form)
        return _organisation_page(request, organisation, bound={"open": form}, status=400)
    year = form.cleaned_data["year"]
    if organisation.memberships.filter(year=year).exists():
        messages.info(request, _("The %(year)s membership was already open.") % {"year": year})
        return redirect("members:staff_organisation_review", pk=organisation.pk)
    try:
        membership_open(organisation=organisation, year=year, actor=request.user)
    except ValidationError as exc:
        refused(request, exc)
        return _organisation_page(request, organisation, bound={"open": form},
                                  status=error_status(exc))
    messages.success(request, _("The %(year)s membership is open, awaiting payment.")
                     % {"year": year})
    return redirect("members:staff_organisation_review", pk=organisation.pk)


def _membership_act(request, pk: int, name: str, form_class, act, done: str):
    """Validate the ``name`` form (``"payment"`` or ``"waive"``) posted for membership
    ``pk``, call ``act(membership, cleaned_data)``, and redirect to the organisation's page
    with ``done`` (where ``%(year)s`` stands for the membership's year); on refusal,
    re-render that page with the bound form (400/409)."""
    membership = get_object_or_404(Membership.objects.select_related("organisation"), pk=pk)
    form = form_class(request.POST, auto_id=f"{name}{membership.pk}_%s")
    try:
        if not form.is_valid():
            raise ValidationError(error_texts(form))
        act(membership, form.cleaned_data)
    except ValidationError as exc:
        refused(request, exc)
        return _organisation_page(request, membership.organisation,
                                  bound={(name, membership.pk): form},
                                  status=error_status(exc))
    messages.success(request, done % {"year": membership.year})
    return redirect("members:staff_organisation_review", pk=membership.organisation_id)


@staff_required
@require_POST
def membership_payment(request, pk: int):
    """Record the payment of membership ``pk`` (date paid and reference)."""
    return _membership_act(
        request, pk, "payment", PaymentForm,
        lambda membership, data: membership_record_payment(
            membership=membership, paid_on=data["paid_on"], reference=data["reference"],
            actor=request.user),
        _("Payment of the %(year)s membership recorded."))


@staff_required
@require_POST
def membership_waive_view(request, pk: int):
    """Waive the fee of membership ``pk``, with the reason."""
    return _membership_act(
        request, pk, "waive", WaiveForm,
        lambda membership, data: membership_waive(
            membership=membership, note=data["note"], actor=request.user),
        _("The fee of the %(year)s membership is waived."))
