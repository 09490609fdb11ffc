"""Staff pages of the members app: the dashboard, agreement decisions, payments, fees, terms.

Every view is for staff with two-factor authentication (``staff_required``). Each
decision is a POST to its own URL that calls one service; a refused decision
re-renders the page with the reason (400 for bad input, 409 for a status that no
longer allows it) and changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from algoric.pages.markdown import render_markdown
from algoric.permissions import staff_required

from ..dashboard import dashboard_sections
from ..forms_staff import (
    ApproveForm,
    CountersignForm,
    FeeScheduleForm,
    MembershipOpenForm,
    PaymentForm,
    RejectForm,
    RequestChangesForm,
    TerminateForm,
    TermsForm,
    WaiveForm,
)
from ..models import (
    Agreement,
    FeeSchedule,
    Membership,
    Organisation,
    OrganisationKind,
    TermsTemplate,
)
from ..selectors import (
    agreement_for_user,
    agreement_history,
    membership_history,
    organisation_for_user,
    organisation_members,
    organisation_open_invitations,
    staff_dashboard,
)
from ..services import (
    TransitionError,
    agreement_approve,
    agreement_countersign,
    agreement_reject,
    agreement_request_changes,
    agreement_terminate,
    membership_open,
    membership_record_payment,
    membership_waive,
    organisation_access_status,
    organisation_access_statuses,
)
from ..services.fees import FEE_YEAR_MAX, FEE_YEAR_MIN, fee_schedule_set
from ..services.terms import terms_create_version, terms_in_use, terms_publish, terms_update
from .feedback import error_messages, form_error_texts

#: Organisations per page on the staff list (each row computes its access status).
ORGANISATIONS_PER_PAGE = 50

Status = Agreement.Status


def _error_status(exc: ValidationError) -> int:
    """409 for a refused transition (the status changed), 400 for bad input."""
    return 409 if isinstance(exc, TransitionError) else 400


def _error_texts(errors) -> list[str]:
    """The messages of a ``ValidationError``, or of a bound form's errors, flattened."""
    if isinstance(errors, ValidationError):
        return error_messages(errors)
    return form_error_texts(errors)


def _refused(request, texts: list[str]) -> None:
    messages.error(request, _("Nothing was changed: %(reasons)s")
                   % {"reasons": " ".join(texts)})


# --- Dashboard and organisations ---------------------------------------------------------

@staff_required
@require_GET
def dashboard(request):
    """What staff must act on: agreements to review and countersign, unpaid memberships,
    agreements expiring within 60 days; and links to the other staff pages."""
    return render(request, "staff/dashboard.html", {
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
    return render(request, "staff/organisation_list.html", {
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
    return render(request, "staff/organisation_review.html", {
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
        _refused(request, _error_texts(form))
        return _organisation_page(request, organisation, bound={"open": form}, status=400)
    year = form.cleaned_data["year"]
    if organisation.memberships.filter(year=year).exists():
        messages.info(request, _("The %(year)s membership was already open.") % {"year": year})
        return redirect("staff:organisation_review", pk=organisation.pk)
    try:
        membership_open(organisation=organisation, year=year, actor=request.user)
    except ValidationError as exc:
        _refused(request, _error_texts(exc))
        return _organisation_page(request, organisation, bound={"open": form},
                                  status=_error_status(exc))
    messages.success(request, _("The %(year)s membership is open, awaiting payment.")
                     % {"year": year})
    return redirect("staff:organisation_review", pk=organisation.pk)


def _membership(pk: int) -> Membership:
    return get_object_or_404(Membership.objects.select_related("organisation"), pk=pk)


@staff_required
@require_POST
def membership_payment(request, pk: int):
    """Record the payment of membership ``pk`` (date paid and reference)."""
    membership = _membership(pk)
    form = PaymentForm(request.POST, auto_id=f"payment{membership.pk}_%s")
    try:
        if not form.is_valid():
            raise ValidationError(_error_texts(form))
        membership_record_payment(membership=membership, paid_on=form.cleaned_data["paid_on"],
                                  reference=form.cleaned_data["reference"],
                                  actor=request.user)
    except ValidationError as exc:
        _refused(request, _error_texts(exc))
        return _organisation_page(request, membership.organisation,
                                  bound={("payment", membership.pk): form},
                                  status=_error_status(exc))
    messages.success(request, _("Payment of the %(year)s membership recorded.")
                     % {"year": membership.year})
    return redirect("staff:organisation_review", pk=membership.organisation_id)


@staff_required
@require_POST
def membership_waive_view(request, pk: int):
    """Waive the fee of membership ``pk``, with the reason."""
    membership = _membership(pk)
    form = WaiveForm(request.POST, auto_id=f"waive{membership.pk}_%s")
    try:
        if not form.is_valid():
            raise ValidationError(_error_texts(form))
        membership_waive(membership=membership, note=form.cleaned_data["note"],
                         actor=request.user)
    except ValidationError as exc:
        _refused(request, _error_texts(exc))
        return _organisation_page(request, membership.organisation,
                                  bound={("waive", membership.pk): form},
                                  status=_error_status(exc))
    messages.success(request, _("The fee of the %(year)s membership is waived.")
                     % {"year": membership.year})
    return redirect("staff:organisation_review", pk=membership.organisation_id)


# --- Agreements --------------------------------------------------------------------------

#: The decision forms offered for each status: context name → (form class, auto_id).
DECISIONS = {
    "approve": (ApproveForm, "approve_%s"),
    "request_changes": (RequestChangesForm, "changes_%s"),
    "reject": (RejectForm, "reject_%s"),
    "countersign": (CountersignForm, "countersign_%s"),
    "terminate": (TerminateForm, "terminate_%s"),
}
OFFERED = {
    Status.SUBMITTED: ("approve", "request_changes", "reject"),
    Status.SIGNED: ("countersign",),
    Status.ACTIVE: ("terminate",),
}


def _agreement_page(request, agreement: Agreement, *, bound: dict | None = None,
                    status: int = 200):
    """Render the review page of ``agreement``; ``bound`` maps a decision name to a bound
    form that replaces the blank one."""
    bound = bound or {}
    offered = OFFERED.get(agreement.status, ())
    forms = {name: bound.get(name) or form_class(auto_id=auto_id)
             for name, (form_class, auto_id) in DECISIONS.items() if name in offered}
    return render(request, "staff/agreement_review.html", {
        "agreement": agreement,
        "organisation": agreement.organisation,
        "history": _labelled(agreement_history(agreement=agreement)),
        "access": organisation_access_status(organisation=agreement.organisation),
        "people": organisation_members(organisation=agreement.organisation),
        "forms": forms,
    }, status=status)


def _labelled(events) -> list:
    """The history events with ``from_label`` and ``to_label``: their statuses' names."""
    events = list(events)
    for event in events:
        event.from_label = (Status(event.from_status).label
                            if event.from_status in Status.values else event.from_status)
        event.to_label = (Status(event.to_status).label
                          if event.to_status in Status.values else event.to_status)
    return events


@staff_required
@require_GET
def agreement_review(request, pk: int):
    """One agreement for staff: organisation, terms, signatory, history, files and the
    decisions its status allows."""
    agreement = agreement_for_user(user=request.user, pk=pk)
    return _agreement_page(request, agreement)


def _decide(request, pk: int, name: str, act, done: str):
    """Validate the form of decision ``name``, call ``act(agreement, cleaned_data)``, and
    redirect with ``done``; on refusal, re-render the review page (400/409)."""
    agreement = agreement_for_user(user=request.user, pk=pk)
    form_class, auto_id = DECISIONS[name]
    form = form_class(request.POST, auto_id=auto_id)
    try:
        if not form.is_valid():
            raise ValidationError(_error_texts(form))
        act(agreement, form.cleaned_data)
    except ValidationError as exc:
        _refused(request, _error_texts(exc))
        agreement.refresh_from_db()
        return _agreement_page(request, agreement, bound={name: form},
                               status=_error_status(exc))
    messages.success(request, done % {"number": agreement.number})
    return redirect("staff:agreement_review", pk=agreement.pk)


@staff_required
@require_POST
def agreement_approve_view(request, pk: int):
    """submitted → approved, with an optional note."""
    return _decide(request, pk, "approve",
                   lambda agreement, data: agreement_approve(
                       agreement=agreement, actor=request.user, note=data["note"]),
                   _("Agreement %(number)s approved: the representatives can now sign it."))


@staff_required
@require_POST
def agreement_request_changes_view(request, pk: int):
    """submitted → draft, with a note saying what to change."""
    return _decide(request, pk, "request_changes",
                   lambda agreement, data: agreement_request_changes(
                       agreement=agreement, actor=request.user, note=data["note"]),
                   _("Agreement %(number)s sent back to the organisation for changes."))


@staff_required
@require_POST
def agreement_reject_view(request, pk: int):
    """submitted → rejected, with the reason."""
    return _decide(request, pk, "reject",
                   lambda agreement, data: agreement_reject(
                       agreement=agreement, actor=request.user, reason=data["reason"]),
                   _("Agreement %(number)s rejected."))


@staff_required
@require_POST
def agreement_countersign_view(request, pk: int):
    """signed → active from the given date, for one year."""
    return _decide(request, pk, "countersign",
                   lambda agreement, data: agreement_countersign(
                       agreement=agreement, actor=request.user,
                       starts_on=data["starts_on"]),
                   _("Agreement %(number)s countersigned: it is active."))


@staff_required
@require_POST
def agreement_terminate_view(request, pk: int):
    """active → terminated today, with the reason."""
    return _decide(request, pk, "terminate",
                   lambda agreement, data: agreement_terminate(
                       agreement=agreement, actor=request.user, reason=data["reason"]),
                   _("Agreement %(number)s terminated."))


# --- Fee schedule ------------------------------------------------------------------------

def _year_param(value, default: int) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if FEE_YEAR_MIN <= year <= FEE_YEAR_MAX else default


@staff_required
@require_http_methods(["GET", "POST"])
def fee_schedule(request):
    """The membership fees by kind (rows) for last year, this year and next year, and a
    form to set one year's fees (``?year=`` chooses the year the form starts from)."""
    this_year = timezone.localdate().year
    years = [this_year - 1, this_year, this_year + 1]
    if request.method == "POST":
        form = FeeScheduleForm(request.POST)
        status = 200
        if form.is_valid():
            year = form.cleaned_data["year"]
            try:
                count = fee_schedule_set(year=year, amounts=form.cleaned_data["amounts"],
                                         actor=request.user)
            except ValidationError as exc:
                for key, texts in exc.message_dict.items():
                    field = (key if key == "year" else f"amount_{key}"
                             if key in OrganisationKind.values else None)
                    for text in texts:
                        form.add_error(field, text)
            else:
                messages.success(request, _("%(count)s fees saved for %(year)s.")
                                 % {"count": count, "year": year})
                return redirect(f"{reverse('staff:fee_schedule')}?year={year}")
        status = 400
    else:
        year = _year_param(request.GET.get("year"), this_year)
        current = dict(FeeSchedule.objects.filter(year=year).values_list("kind", "amount"))
        initial = {"year": year}
        initial.update({f"amount_{kind}": amount for kind, amount in current.items()})
        form = FeeScheduleForm(initial=initial)
        status = 200
    fees = {(fee.kind, fee.year): fee
            for fee in FeeSchedule.objects.filter(year__in=years).select_related("updated_by")}
    table = [{"kind": label, "cells": [fees.get((kind, year)) for year in years]}
             for kind, label in OrganisationKind.choices]
    return render(request, "staff/fee_schedule.html", {
        "form": form, "years": years, "table": table,
        "edit_year": form["year"].value(),
    }, status=status)


# --- Terms -------------------------------------------------------------------------------

@staff_required
@require_GET
def terms_list(request):
    """Every terms version by kind, with how many agreements use it."""
    versions = (TermsTemplate.objects.annotate(agreement_count=Count("agreements"))
                .select_related("updated_by").order_by("kind", "-version"))
    by_kind = {kind: [] for kind in OrganisationKind.values}
    for terms in versions:
        by_kind.setdefault(terms.kind, []).append(terms)
    groups = [{"kind": kind, "label": label, "versions": by_kind[kind]}
              for kind, label in OrganisationKind.choices]
    return render(request, "staff/terms_list.html", {"groups": groups})


def _previews(form: TermsForm, terms: TermsTemplate | None) -> dict:
    """The Markdown of the form (as posted, or as stored) rendered and sanitised."""
    if form.is_bound:
        body_fr, body_en = form.data.get("body_fr", ""), form.data.get("body_en", "")
    elif terms is not None:
        body_fr, body_en = terms.body_fr, terms.body_en
    else:
        body_fr, body_en = form.initial.get("body_fr", ""), form.initial.get("body_en", "")
    return {"preview_fr": render_markdown(body_fr), "preview_en": render_markdown(body_en)}


@staff_required
@require_http_methods(["GET", "POST"])
def terms_new(request):
    """Write the next version of the terms of ``?kind=``, starting from the latest one.

    POST with ``preview`` shows the rendered text without saving.
    """
    kind = request.GET.get("kind", "")
    if kind not in OrganisationKind.values:
        raise Http404
    latest = TermsTemplate.objects.filter(kind=kind).order_by("-version").first()
    status = 200
    if request.method == "POST":
        form = TermsForm(request.POST)
        if "preview" not in request.POST and form.is_valid():
            try:
                terms = terms_create_version(kind=kind, data=form.cleaned_data,
                                             actor=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
                status = _error_status(exc)
            else:
                messages.success(request, _("Version %(version)s created. It is not published "
                                            "yet.") % {"version": terms.version})
                return redirect("staff:terms_edit", pk=terms.pk)
        elif "preview" not in request.POST:
            status = 400
    else:
        initial = ({name: getattr(latest, name)
                    for name in ("title_fr", "title_en", "body_fr", "body_en")}
                   if latest else {})
        form = TermsForm(initial=initial)
    return render(request, "staff/terms_form.html", {
        "form": form, "terms": None, "kind": kind, "kind_label": OrganisationKind(kind).label,
        "next_version": (latest.version + 1) if latest else 1, "latest": latest,
        "editable": True, **_previews(form, None),
    }, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def terms_edit(request, pk: int):
    """Edit a terms version while no agreement uses it; else show it read-only.

    POST with ``preview`` shows the rendered text without saving.
    """
    terms = get_object_or_404(TermsTemplate, pk=pk)
    agreement_count = terms.agreements.count()
    editable = agreement_count == 0
    status = 200
    if request.method == "POST":
        form = TermsForm(request.POST, instance=terms)
        if "preview" not in request.POST and form.is_valid():
            try:
                terms_update(terms=terms, data=form.cleaned_data, actor=request.user,
                             seen_updated_at=form.cleaned_data.get("seen_updated_at"))
            except ValidationError as exc:
                form.add_error(None, exc)
                status = _error_status(exc)
                editable = not terms_in_use(terms=terms)
            else:
                messages.success(request, _("Version %(version)s saved.")
                                 % {"version": terms.version})
                return redirect("staff:terms_edit", pk=terms.pk)
        elif "preview" not in request.POST:
            status = 400
    else:
        form = TermsForm(instance=terms)
    return render(request, "staff/terms_form.html", {
        "form": form, "terms": terms, "kind": terms.kind, "kind_label": terms.get_kind_display(),
        "editable": editable, "agreement_count": agreement_count,
        **_previews(form, terms),
    }, status=status)


@staff_required
@require_POST
def terms_publish_view(request, pk: int):
    """Publish a terms version: new agreements of its kind use it from now on."""
    terms = get_object_or_404(TermsTemplate, pk=pk)
    try:
        terms_publish(terms=terms, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Version %(version)s is published: new agreements use it.")
                         % {"version": terms.version})
    return redirect("staff:terms_edit", pk=terms.pk)
