"""Applicant pages of resource requests: start, the table with live totals, detail, submit,
withdraw, comments.

Every view reads the request through :func:`projects.selectors.request_for_user` (404
for the requests of other people's projects); the PI and managers act, the other
members read and comment. The table page works without JavaScript ("Recalculate" is a
normal POST that saves the draft); ``static/js/request-table.js`` only adds totals that
follow the typing, through :func:`request_estimate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from algoric.core.staff import is_verified_staff
from resources.energy import co2e_kg, energy_constants
from resources.models import Resource
from resources.selectors.estimates import energy_per_unit_kwh, price_table

from ..forms_requests import (
    CommentForm,
    RequestCreateForm,
    RequestTableForm,
    amount_as_input,
    justification_field,
)
from ..models import ProjectMember, RequestEvent, ResourceRequest
from ..selectors import project_for_user, request_for_user
from ..services import requests as request_services
from ..services.projects import project_role
from ..services.requests import Table, request_table, table_estimate

Status = ResourceRequest.Status
LEADS = {ProjectMember.Role.PI, ProjectMember.Role.MANAGER}
#: Statuses a request may still be withdrawn from.
WITHDRAWABLE = {Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW}
#: Statuses after a decision that granted something.
GRANTED = {Status.APPROVED, Status.PARTIALLY_APPROVED}

CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def _round(value: Decimal | None, step: Decimal) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(step, rounding=ROUND_HALF_UP)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def amount_text(value: Decimal | None) -> str:
    """An amount for display: grouped digits, no trailing zeros ("7,5", "300 000")."""
    if value is None:
        return ""
    return number_format(Decimal(value).normalize(), use_l10n=True, force_grouping=True)


# --- The table shown on the pages ----------------------------------------------------------

@dataclass
class TableView:
    """A request table ready for a template (and for the JSON of the live totals).

    ``rows``: one dict per resource — ``resource``, ``unit``, ``cells`` (list of
    dicts: ``year``, ``name`` (input name), ``value`` (typed text), ``amount``
    (Decimal), ``granted`` (Decimal or None), ``amount_text`` and ``granted_text``
    (for display), ``lowered``, ``invalid``), ``total`` and ``granted_total`` (in
    the unit; ``total_text`` and ``granted_total_text`` for display), ``cost_eur``,
    ``energy_kwh`` (None when not priced / not estimated), ``price`` (EUR per unit
    or None), ``energy_per_unit`` (kWh or None), ``justification`` and its input
    name. ``years``: one dict per year with ``year``, ``cost_eur``, ``energy_kwh``,
    ``co2e_kg``. ``total``: the same over all years. ``unpriced`` and
    ``not_estimated``: resources left out of the cost and of the energy estimate.
    """

    years: list[dict] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    total: dict = field(default_factory=dict)
    unpriced: list[Resource] = field(default_factory=list)
    not_estimated: list[Resource] = field(default_factory=list)

    def as_json(self) -> dict:
        """The totals as JSON-ready strings (plain decimals, "." separator)."""
        return {
            "rows": {str(row["resource"].pk): {
                "total": _text(row["total"]), "unit": row["unit"],
                "cost_eur": _text(row["cost_eur"]), "energy_kwh": _text(row["energy_kwh"]),
            } for row in self.rows},
            "years": {str(year["year"]): {
                "cost_eur": _text(year["cost_eur"]), "energy_kwh": _text(year["energy_kwh"]),
                "co2e_kg": _text(year["co2e_kg"]),
            } for year in self.years},
            "total": {key: _text(value) for key, value in self.total.items()},
        }


def table_view(*, project, resources, table: Table, values: dict[str, str] | None = None,
               justifications: dict[int, str] | None = None, granted: Table | None = None,
               estimate_granted: bool = False, invalid: set[str] | None = None,
               prefix: str = "amount") -> TableView:
    """Build the table of ``resources`` × ``project.years`` with its totals and estimates.

    Args:
        project: the request's project (years; organisation kind for the prices).
        resources: the rows, in catalogue order.
        table: (resource id, year) → requested amount in the resource's unit.
        values: input name → typed text, to show again (default: ``table``'s amounts).
        justifications: resource id → justification text.
        granted: (resource id, year) → granted amount, after a decision.
        estimate_granted: estimate the ``granted`` amounts instead of the requested.
        invalid: input names to mark as wrong.
        prefix: input name prefix (``amount`` or ``granted``).

    Costs are in euros (2 decimals), energy in kWh and CO2e in kg (1 decimal).
    Three queries at most (prices twice, through ``table_estimate``).
    """
    resources = list(resources)
    by_id = {resource.pk: resource for resource in resources}
    years = project.years
    justifications = justifications or {}
    invalid = invalid or set()
    counted = granted if estimate_granted and granted is not None else table
    counted = {key: amount for key, amount in counted.items()
               if key[0] in by_id and key[1] in years}
    kind = project.organisation.kind
    estimate = table_estimate(table=counted, organisation_kind=kind, resources=by_id)
    prices = price_table(resources=resources, organisation_kind=kind)
    view = TableView()
    for resource in resources:
        cells = []
        row_cost = Decimal(0) if resource.pk in prices else None
        per_unit = energy_per_unit_kwh(resource)
        row_energy = Decimal(0) if per_unit is not None else None
        for year in years:
            key = (resource.pk, year)
            amount = table.get(key)
            given = granted.get(key) if granted is not None else None
            name = f"{prefix}-{resource.pk}-{year}"
            value = values.get(name, "") if values is not None else amount_as_input(amount)
            cells.append({
                "year": year, "name": name, "value": value, "amount": amount,
                "amount_text": amount_text(amount), "granted": given,
                "granted_text": amount_text(given or Decimal(0)),
                "lowered": given is not None and amount is not None and given < amount,
                "invalid": name in invalid,
            })
            cell_estimate = estimate.cells.get(key)
            if cell_estimate is not None:
                if row_cost is not None and cell_estimate.cost_eur is not None:
                    row_cost += cell_estimate.cost_eur
                if row_energy is not None and cell_estimate.energy_kwh is not None:
                    row_energy += cell_estimate.energy_kwh
        total = sum((table.get((resource.pk, year)) or Decimal(0) for year in years), Decimal(0))
        granted_total = (sum((granted.get((resource.pk, year)) or Decimal(0) for year in years),
                             Decimal(0)) if granted is not None else None)
        view.rows.append({
            "resource": resource, "unit": resource.unit, "cells": cells,
            "total": _round(total, CENT), "granted_total": _round(granted_total, CENT),
            "total_text": amount_text(total), "granted_total_text": amount_text(granted_total),
            "lowered": granted_total is not None and granted_total < total,
            "cost_eur": _round(row_cost, CENT), "energy_kwh": _round(row_energy, TENTH),
            "price": prices.get(resource.pk), "energy_per_unit": per_unit,
            "justification": justifications.get(resource.pk, ""),
            "justification_name": justification_field(resource.pk),
            "justification_invalid": justification_field(resource.pk) in invalid,
        })
        if resource.pk not in prices:
            view.unpriced.append(resource)
        if per_unit is None:
            view.not_estimated.append(resource)
    for year in years:
        kwh = estimate.year_energy_kwh.get(year, Decimal(0))
        view.years.append({
            "year": year,
            "cost_eur": _round(estimate.year_cost_eur.get(year, Decimal(0)), CENT),
            "energy_kwh": _round(kwh, TENTH),
            "co2e_kg": _round(co2e_kg(Decimal(kwh)), TENTH),
        })
    view.total = {
        "cost_eur": _round(estimate.cost_eur, CENT),
        "energy_kwh": _round(estimate.energy_kwh, TENTH),
        "co2e_kg": _round(estimate.co2e_kg, TENTH),
    }
    return view


def requested_rows(resource_request: ResourceRequest):
    """The request's rows with their resources (catalogue order) and justifications."""
    return list(resource_request.rows.select_related("resource"))


def status_label(code: str) -> str:
    """The label of a request status code (the code itself when unknown or empty)."""
    try:
        return Status(code).label
    except ValueError:
        return code


def request_history(resource_request: ResourceRequest) -> list[RequestEvent]:
    """The request's status events, oldest first, with ``from_label`` and ``to_label``."""
    events = list(resource_request.events.select_related("actor"))
    for event in events:
        event.from_label = status_label(event.from_status) if event.from_status else ""
        event.to_label = status_label(event.to_status)
    return events


def request_comments(resource_request: ResourceRequest):
    """The request's comments, oldest first, with their authors."""
    return list(resource_request.comments.select_related("author"))


def read_only_table(resource_request: ResourceRequest) -> tuple[TableView, list]:
    """The table of what the request asks (and, after a decision, what was granted) for
    display, and the request's rows."""
    rows = requested_rows(resource_request)
    requested = request_table(resource_request)
    decided = resource_request.status in GRANTED
    granted = request_table(resource_request, granted=True) if decided else None
    view = table_view(project=resource_request.project,
                      resources=[row.resource for row in rows], table=requested,
                      justifications={row.resource_id: row.justification for row in rows},
                      granted=granted, estimate_granted=decided)
    return view, rows


def estimate_context() -> dict:
    """What the estimate pages say about the energy model (constants and sources)."""
    return {"constants": energy_constants()}


# --- Views ---------------------------------------------------------------------------------

def _require_lead(resource_request: ResourceRequest, user) -> str | None:
    role = project_role(project=resource_request.project, user=user)
    if role not in LEADS:
        raise PermissionDenied(_("Only the project's PI and managers may do this."))
    return role


def _join(exc: ValidationError) -> str:
    return " ".join(str(message) for message in exc.messages)


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
    try:
        resource_request = request_services.request_create(
            project=project, kind=form.cleaned_data["kind"], actor=request.user)
    except ValidationError as exc:
        messages.error(request, _join(exc))
        return redirect("projects:project_detail", pk=project.pk)
    messages.success(request, _("Draft request started: fill in the amounts for each year, "
                                "then submit it."))
    return redirect("projects:request_edit", pk=resource_request.pk)


def _edit_page(request, resource_request: ResourceRequest, form: RequestTableForm,
               resources: list[Resource], status: int = 200):
    project = resource_request.project
    if form.is_bound:
        table = form.cleaned_data.get("table") if form.is_valid() else form.partial_table
        view = table_view(project=project, resources=resources, table=table or {},
                          values=form.values, invalid=form.invalid,
                          justifications={r.pk: form.values.get(justification_field(r.pk), "")
                                          for r in resources})
        errors = form.error_texts()
    else:
        rows = requested_rows(resource_request)
        view = table_view(project=project, resources=resources,
                          table=request_table(resource_request),
                          justifications={row.resource_id: row.justification for row in rows})
        errors = []
    return render(request, "projects/request_edit.html", {
        "resource_request": resource_request, "project": project, "form": form,
        "table": view, "errors": errors, **estimate_context(),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def request_edit(request, pk: int):
    """The table of a draft request (PI and managers): amounts per resource and year,
    justifications, totals and estimates.

    "Recalculate" and "Save" both save the draft (all or nothing) — the first comes
    back to the table with the totals, the second goes to the request's page. Bad
    input shows the page again with what was typed and the errors; nothing is saved.
    """
    resource_request = request_for_user(user=request.user, pk=pk)
    _require_lead(resource_request, request.user)
    if resource_request.status != Status.DRAFT:
        messages.info(request, _("Only a draft request can be edited."))
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
        "can_edit": is_lead and status == Status.DRAFT,
        "can_submit": is_lead and status == Status.DRAFT,
        "can_withdraw": is_lead and status in WITHDRAWABLE,
        "can_comment": role is not None or is_verified_staff(request.user),
        "decided": status in request_services.DECIDED,
        "granted": status in GRANTED,
        "comments": request_comments(resource_request),
        "comment_form": CommentForm(),
        "events": request_history(resource_request),
        **estimate_context(),
    })


@login_required
@require_POST
def request_submit(request, pk: int):
    """Submit a draft (PI and managers). When the access rule or the checks refuse, the
    reasons are shown and the request stays a draft."""
    resource_request = request_for_user(user=request.user, pk=pk)
    try:
        request_services.request_submit(request=resource_request, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _("The request was not submitted. %(reasons)s")
                       % {"reasons": _join(exc)})
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
        messages.error(request, _join(exc))
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
        messages.error(request, _join(exc))
    else:
        messages.success(request, _("Your comment was added."))
    return redirect(reverse("projects:request_detail", args=[resource_request.pk]) + "#comments")
