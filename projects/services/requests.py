"""The resource request workflow, its table of amounts and its conversation.

Workflow (PRODUCT.md): draft → submitted → under_review → approved |
partially_approved | rejected; the applicant may withdraw before a decision.
Each verb locks the row, checks :data:`ALLOWED`, changes the status with a
conditional update (status and ``version``), writes a :class:`RequestEvent` and
queues notifications after commit.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.workflow import TransitionError, transition
from algoric.notifications.services import notify
from members.models import User
from members.services import organisation_access_status
from resources.models import Resource
from resources.selectors.estimates import Estimate, estimate, price_table

from ..models import (
    Project,
    ProjectMember,
    RequestComment,
    RequestEvent,
    ResourceRequest,
    ResourceRequestCell,
    ResourceRequestRow,
)
from .projects import project_role, require_project_lead

Status = ResourceRequest.Status
Kind = ResourceRequest.Kind

ALLOWED: dict[str, set[str]] = {
    Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
    Status.SUBMITTED: {Status.UNDER_REVIEW, Status.APPROVED, Status.PARTIALLY_APPROVED,
                       Status.REJECTED, Status.WITHDRAWN},
    Status.UNDER_REVIEW: {Status.APPROVED, Status.PARTIALLY_APPROVED, Status.REJECTED,
                          Status.WITHDRAWN},
    Status.APPROVED: set(),
    Status.PARTIALLY_APPROVED: set(),
    Status.REJECTED: set(),
    Status.WITHDRAWN: set(),
}
DECIDED = {Status.APPROVED, Status.PARTIALLY_APPROVED, Status.REJECTED}
#: Largest amount a cell may hold (any unit): guards against typing errors.
MAX_AMOUNT = Decimal("1e12")

#: Table of amounts: (resource id, year) → amount in the resource's unit.
Table = dict[tuple[int, int], Decimal]


def staff_recipients():
    """Active staff members, who receive the notifications meant for staff."""
    return User.objects.filter(is_staff=True, is_active=True)


def leads(project: Project) -> list[User]:
    """The PI and managers of ``project``."""
    return [m.user for m in project.members.filter(
        role__in=[ProjectMember.Role.PI, ProjectMember.Role.MANAGER]).select_related("user")]


def parse_amount(raw) -> Decimal:
    """Read an amount typed by a person ("1 500", "2,5", "") as a Decimal ≥ 0.

    Empty means 0. Raises ``ValidationError`` for text that is not a number, a
    negative number, or more than two decimals or :data:`MAX_AMOUNT`, and for a
    comma followed by exactly three digits ("1,500"), which reads as 1.5 in French
    and 1500 in English: the person is asked to write it without ambiguity.
    """
    text = str(raw if raw is not None else "").strip().replace("\u202f", "").replace(
        "\xa0", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}(,\d{3})+", text):
        raise ValidationError(_("“%(value)s” is ambiguous: write %(plain)s for a whole number, "
                                "or use a point or a comma for decimals (2.5 or 2,5).")
                              % {"value": raw, "plain": text.replace(",", "")})
    text = text.replace(",", ".")
    if text == "":
        return Decimal(0)
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": raw}) from exc
    if not value.is_finite() or value < 0:
        raise ValidationError(_("Amounts cannot be negative."))
    if value > MAX_AMOUNT or value.as_tuple().exponent < -2:
        raise ValidationError(_("“%(value)s” is not a valid amount.") % {"value": raw})
    return value


@dataclass
class TableEstimate:
    """Totals of a request table and its estimates.

    ``cells``: (resource id, year) → :class:`~resources.estimates.Estimate`;
    ``row_totals``: resource id → amount; ``year_totals`` are per unit so they are
    only given for cost and energy; ``cost_eur``, ``energy_kwh`` and ``co2e_kg``
    are the grand totals (euros, kWh, kg CO2e) over the cells that could be
    estimated; ``unpriced`` and ``not_estimated`` list the resources left out.
    """

    cells: dict[tuple[int, int], Estimate] = field(default_factory=dict)
    row_totals: dict[int, Decimal] = field(default_factory=dict)
    year_cost_eur: dict[int, Decimal] = field(default_factory=dict)
    year_energy_kwh: dict[int, Decimal] = field(default_factory=dict)
    cost_eur: Decimal = Decimal(0)
    energy_kwh: Decimal = Decimal(0)
    co2e_kg: Decimal = Decimal(0)
    unpriced: set[int] = field(default_factory=set)
    not_estimated: set[int] = field(default_factory=set)


def table_estimate(*, table: Table, organisation_kind: str,
                   resources: dict[int, Resource] | None = None) -> TableEstimate:
    """Totals, cost (EUR, at the prices for ``organisation_kind``), energy (kWh) and CO2e
    (kg) of a table of amounts. Two queries at most."""
    ids = {resource_id for resource_id, _year in table}
    if resources is None:
        resources = Resource.objects.in_bulk(ids)
    prices = price_table(resources=[resources[i] for i in ids if i in resources],
                         organisation_kind=organisation_kind)
    result = TableEstimate()
    for (resource_id, year), amount in sorted(table.items()):
        resource = resources[resource_id]
        result.row_totals[resource_id] = result.row_totals.get(resource_id, 0) + amount
        cell = estimate(resource=resource, amount=amount,
                        price_per_unit=prices.get(resource_id))
        result.cells[(resource_id, year)] = cell
        if cell.cost_eur is None:
            result.unpriced.add(resource_id)
        else:
            result.cost_eur += cell.cost_eur
            result.year_cost_eur[year] = result.year_cost_eur.get(year, 0) + cell.cost_eur
        if cell.energy_kwh is None:
            result.not_estimated.add(resource_id)
        else:
            result.energy_kwh += cell.energy_kwh
            result.co2e_kg += cell.co2e_kg
            result.year_energy_kwh[year] = result.year_energy_kwh.get(year, 0) + cell.energy_kwh
    return result


def request_table(request: ResourceRequest, *, granted: bool = False) -> Table:
    """The request's table of requested (or granted) amounts."""
    cells = ResourceRequestCell.objects.filter(row__request=request).select_related("row")
    return {(c.row.resource_id, c.year): (c.granted or Decimal(0)) if granted else c.requested
            for c in cells}


def _transition(*, request: ResourceRequest, to: str, actor, note: str = "",
                version: int | None = None, fields: dict | None = None) -> ResourceRequest:
    """Move ``request`` to ``to`` (:func:`algoric.core.workflow.transition`), raising its
    ``version``; ``version`` is the one the actor saw, if any. Returns the fresh row.
    Raises :class:`TransitionError`."""
    return transition(request, to=to, actor=actor, allowed=ALLOWED, event_model=RequestEvent,
                      note=note, fields=fields, version_field="version",
                      expected_version=version,
                      refusal=lambda locked, to: _(
                          "This request is “%(status)s”: it cannot become “%(to)s”.")
                      % {"status": locked.get_status_display(), "to": Status(to).label}
                      ).instance


def _notify_leads(request: ResourceRequest, event: str, **context) -> None:
    for user in leads(request.project):
        notify(event=event, recipient=user,
               context={"request": request, "project": request.project, **context},
               dedupe_key=f"{event}:{request.pk}:{request.version}:{user.pk}")


def _notify_staff(request: ResourceRequest, event: str, **context) -> None:
    for user in staff_recipients():
        notify(event=event, recipient=user,
               context={"request": request, "project": request.project, **context},
               dedupe_key=f"{event}:{request.pk}:{request.version}:{user.pk}")


@transaction.atomic
def request_create(*, project: Project, kind: str, actor: User) -> ResourceRequest:
    """Start a draft request of ``kind`` for ``project`` (PI and managers).

    Refused for a closed project. Emergency requests are for public bodies.
    """
    require_project_lead(project=project, user=actor)
    if project.status == Project.Status.CLOSED:
        raise ValidationError(_("This project is closed."))
    if kind not in Kind.values:
        raise ValidationError(_("Unknown kind of request."))
    if kind == Kind.EMERGENCY and project.organisation.kind != "public_body":
        raise ValidationError(_("Emergency requests are for public bodies."))
    request = ResourceRequest.objects.create(project=project, kind=kind, created_by=actor)
    RequestEvent.objects.create(request=request, actor=actor, from_status="",
                                to_status=Status.DRAFT)
    return request


def clean_table(*, project: Project, raw: dict[tuple[int, int], object]) -> Table:
    """Check and convert a typed table: (resource id, year) → text → Decimal.

    Raises ``ValidationError`` listing every bad cell: not a number, negative, a
    year outside the project, a resource not in the catalogue (or not requestable).
    Zero cells are kept (they are the applicant's explicit zeros).
    """
    errors: list[str] = []
    resources = Resource.objects.active().in_bulk({resource_id for resource_id, _y in raw})
    years = set(project.years)
    table: Table = {}
    for (resource_id, year), value in raw.items():
        resource = resources.get(resource_id)
        if resource is None:
            errors.append(_("Resource %(id)s is not in the catalogue.") % {"id": resource_id})
            continue
        if year not in years:
            errors.append(_("%(year)s is outside the project's years (%(first)s–%(last)s).")
                          % {"year": year, "first": min(years), "last": max(years)})
            continue
        try:
            table[(resource_id, year)] = parse_amount(value)
        except ValidationError as exc:
            errors.append(_("%(resource)s, %(year)s: %(error)s")
                          % {"resource": resource.name, "year": year,
                             "error": " ".join(exc.messages)})
    if errors:
        raise ValidationError(errors)
    return table


@transaction.atomic
def request_save(*, request: ResourceRequest, table: Table, justification: str,
                 row_justifications: dict[int, str], actor: User) -> ResourceRequest:
    """Replace the draft's table and justifications (PI and managers).

    ``table`` comes from :func:`clean_table`. Rows whose amounts are all zero and
    that have no justification are dropped. All or nothing: on any error no row
    changes.
    """
    require_project_lead(project=request.project, user=actor)
    locked = ResourceRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != Status.DRAFT:
        raise TransitionError(_("Only a draft request can be edited."))
    resource_ids = sorted({resource_id for resource_id, _year in table}
                          | set(row_justifications))
    locked.rows.all().delete()
    for resource_id in resource_ids:
        amounts = {year: amount for (rid, year), amount in table.items() if rid == resource_id}
        note = (row_justifications.get(resource_id) or "").strip()
        if not any(amounts.values()) and not note:
            continue
        row = ResourceRequestRow.objects.create(request=locked, resource_id=resource_id,
                                                justification=note)
        ResourceRequestCell.objects.bulk_create(
            [ResourceRequestCell(row=row, year=year, requested=amount)
             for year, amount in sorted(amounts.items())])
    locked.justification = (justification or "").strip()
    locked.version += 1
    locked.save(update_fields=["justification", "version", "updated_at"])
    return locked


@transaction.atomic
def request_submit(*, request: ResourceRequest, actor: User) -> ResourceRequest:
    """draft → submitted (PI and managers), if the access rule allows it.

    Refused with the reasons when the organisation has no paid membership or no
    active agreement, when the table is empty, or when the overall justification
    is missing. Staff are notified; an emergency request is notified to every staff
    member at once, flagged as such.
    """
    require_project_lead(project=request.project, user=actor)
    access = organisation_access_status(organisation=request.project.organisation)
    if not access.allowed:
        raise ValidationError([_("The organisation may not use the centre yet:")]
                              + [str(reason.message) for reason in access.blocking_reasons])
    if not any(request_table(request).values()):
        raise ValidationError(_("The request asks for nothing: fill in at least one amount."))
    if not request.justification.strip():
        raise ValidationError(_("Explain the request in the overall justification."))
    request = _transition(request=request, to=Status.SUBMITTED, actor=actor,
                          fields={"submitted_at": timezone.now()})
    event = "request_emergency" if request.kind == Kind.EMERGENCY else "request_submitted"
    _notify_staff(request, event, actor=actor)
    return request


@transaction.atomic
def request_start_review(*, request: ResourceRequest, actor: User) -> ResourceRequest:
    """submitted → under_review (staff): the applicants see someone is on it."""
    if not actor.is_staff:
        raise PermissionDenied
    request = _transition(request=request, to=Status.UNDER_REVIEW, actor=actor)
    audit_record(action="request.review_started", actor=actor, target=request)
    return request


@transaction.atomic
def request_withdraw(*, request: ResourceRequest, actor: User) -> ResourceRequest:
    """Withdraw a request before any decision (PI and managers)."""
    require_project_lead(project=request.project, user=actor)
    return _transition(request=request, to=Status.WITHDRAWN, actor=actor)


@transaction.atomic
def request_comment(*, request: ResourceRequest, body: str, actor: User) -> RequestComment:
    """Add a comment to the request's conversation; the other side is notified.

    Staff and the project's members may comment; a comment from staff notifies the
    PI and managers, one from the project notifies staff.
    """
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write a comment first."))
    from_staff = actor.is_staff and project_role(project=request.project, user=actor) is None
    if not from_staff and project_role(project=request.project, user=actor) is None:
        raise PermissionDenied
    comment = RequestComment.objects.create(request=request, author=actor, body=body,
                                            from_staff=from_staff)
    if from_staff:
        audit_record(action="request.commented", actor=actor, target=request,
                     detail={"comment": comment.pk})
    recipients = leads(request.project) if from_staff else list(staff_recipients())
    for user in recipients:
        if user.pk == actor.pk:
            continue
        notify(event="request_comment", recipient=user,
               context={"request": request, "project": request.project, "comment": comment,
                        "actor": actor, "to_staff": not from_staff},
               dedupe_key=f"request_comment:{comment.pk}:{user.pk}")
    return comment


@transaction.atomic
def request_decide(*, request: ResourceRequest, granted: Table, note: str, actor: User,
                   version: int, emergency_ends_on: dt.date | None = None) -> ResourceRequest:
    """Grant a request, all or in part (staff), and create or extend the allocations.

    ``granted``: (resource id, year) → amount, each between 0 and what was asked
    (cells not given count 0). All cells granted in full gives ``approved``,
    anything less ``partially_approved``; granting nothing is refused (use
    :func:`request_reject`). ``version`` is the version the decision was made on: a
    stale decision is refused. For an emergency request ``emergency_ends_on``
    bounds the grant (at most ``EMERGENCY_GRANT_MAX_DAYS`` days from today).
    """
    from .allocations import allocations_grant

    if not actor.is_staff:
        raise PermissionDenied
    locked = ResourceRequest.objects.select_for_update().get(pk=request.pk)
    cells = list(ResourceRequestCell.objects.filter(row__request=locked)
                 .select_related("row__resource"))
    requested = {(c.row.resource_id, c.year): c for c in cells}
    errors = []
    for key, amount in granted.items():
        cell = requested.get(key)
        if cell is None:
            if amount:
                errors.append(_("A granted amount was given for a cell that was not asked."))
        elif amount < 0 or amount > cell.requested:
            errors.append(_("%(resource)s, %(year)s: grant between 0 and %(asked)s.")
                          % {"resource": cell.row.resource.name, "year": cell.year,
                             "asked": cell.requested})
    if errors:
        raise ValidationError(errors)
    total = sum((granted.get(key, Decimal(0)) for key in requested), Decimal(0))
    if total <= 0:
        raise ValidationError(_("Nothing is granted: reject the request instead."))
    if locked.kind == Kind.EMERGENCY:
        today = timezone.localdate()
        limit = today + dt.timedelta(days=settings.EMERGENCY_GRANT_MAX_DAYS)
        emergency_ends_on = emergency_ends_on or limit
        if not today <= emergency_ends_on <= limit:
            raise ValidationError(_("An emergency grant ends within %(days)s days.")
                                  % {"days": settings.EMERGENCY_GRANT_MAX_DAYS})
    else:
        emergency_ends_on = None
    full = all(granted.get(key, Decimal(0)) == cell.requested for key, cell in requested.items())
    to = Status.APPROVED if full else Status.PARTIALLY_APPROVED
    locked = _transition(request=locked, to=to, actor=actor, note=(note or "").strip(),
                         version=version,
                         fields={"decided_at": timezone.now(), "decided_by": actor,
                                 "decision_note": (note or "").strip(),
                                 "emergency_ends_on": emergency_ends_on})
    for key, cell in requested.items():
        cell.granted = granted.get(key, Decimal(0))
    ResourceRequestCell.objects.bulk_update(list(requested.values()), ["granted"])
    allocations = allocations_grant(request=locked, actor=actor)
    _notify_leads(locked, "request_decided")
    audit_record(action="request.granted", actor=actor, target=locked,
                 detail={"status": to, "note": (note or "").strip(),
                         "granted": {f"{rid}:{year}": amount
                                     for (rid, year), amount in sorted(granted.items())},
                         "allocations": [a.pk for a in allocations],
                         "emergency_ends_on": emergency_ends_on})
    return locked


@transaction.atomic
def request_reject(*, request: ResourceRequest, note: str, actor: User,
                   version: int) -> ResourceRequest:
    """Reject a request (staff), with the reason; nothing is allocated."""
    if not actor.is_staff:
        raise PermissionDenied
    if not (note or "").strip():
        raise ValidationError(_("Give the reason for the rejection."))
    request = _transition(request=request, to=Status.REJECTED, actor=actor, note=note.strip(),
                          version=version,
                          fields={"decided_at": timezone.now(), "decided_by": actor,
                                  "decision_note": note.strip()})
    _notify_leads(request, "request_decided")
    audit_record(action="request.rejected", actor=actor, target=request,
                 detail={"note": note.strip()})
    return request
