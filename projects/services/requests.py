"""The applicant's side of the resource request workflow: drafts and their table of
amounts, submitting, withdrawing, and the conversation; the workflow table and the
transition every verb goes through (the staff's verbs are in :mod:`.request_review`).

Workflow (PRODUCT.md): draft → submitted → under_review → approved |
partially_approved | rejected; the applicant may withdraw before a decision. Staff may
return a submitted request for changes (changes_requested, with a note): the applicant
edits it as a draft and submits it again.
Each verb locks the row, checks :data:`ALLOWED`, changes the status with a
conditional update (status and ``version``), writes a :class:`RequestEvent` and
queues notifications after commit.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.staff import is_verified_staff
from algoric.core.workflow import TransitionError, transition
from algoric.notifications.services import notify
from members.models import User
from members.selectors.users import staff_recipients
from members.services import organisation_access_status
from resources.models import Resource

from ..models import (
    ActivityReport,
    Project,
    RequestComment,
    RequestEvent,
    ResourceRequest,
    ResourceRequestCell,
    ResourceRequestRow,
)
from ..selectors.lifecycle import supplement_gaps
from ..selectors.projects import leads, project_role, require_project_lead
from ..selectors.requests import Table, request_table

Status = ResourceRequest.Status
Kind = ResourceRequest.Kind

ALLOWED: dict[str, set[str]] = {
    Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
    Status.SUBMITTED: {Status.UNDER_REVIEW, Status.CHANGES_REQUESTED, Status.APPROVED,
                       Status.PARTIALLY_APPROVED, Status.REJECTED, Status.WITHDRAWN},
    Status.UNDER_REVIEW: {Status.CHANGES_REQUESTED, Status.APPROVED,
                          Status.PARTIALLY_APPROVED, Status.REJECTED, Status.WITHDRAWN},
    # Returned by staff with a note: the applicant edits it and submits it again.
    Status.CHANGES_REQUESTED: {Status.SUBMITTED, Status.WITHDRAWN},
    Status.APPROVED: set(),
    Status.PARTIALLY_APPROVED: set(),
    Status.REJECTED: set(),
    Status.WITHDRAWN: set(),
}
#: Statuses in which the applicant may edit the table and the justifications.
EDITABLE = {Status.DRAFT, Status.CHANGES_REQUESTED}
#: Largest amount a cell may hold (any unit): guards against typing errors.
MAX_AMOUNT = Decimal("1e12")


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


def request_transition(*, request: ResourceRequest, to: str, actor, note: str = "",
                       version: int | None = None,
                       fields: dict | None = None) -> ResourceRequest:
    """Move ``request`` to the status ``to`` along :data:`ALLOWED`
    (:func:`algoric.core.workflow.transition`: row locked, event row written), raising
    its ``version``; ``version`` is the one the actor saw, if any (a stale one is
    refused); ``fields`` are saved with the status. Must run in the verb's transaction.
    Returns the fresh row. Raises :class:`TransitionError` with a message for people."""
    return transition(request, to=to, actor=actor, allowed=ALLOWED, event_model=RequestEvent,
                      note=note, fields=fields, version_field="version",
                      expected_version=version,
                      refusal=lambda locked, to: _(
                          "This request is “%(status)s”: it cannot become “%(to)s”.")
                      % {"status": locked.get_status_display(), "to": Status(to).label},
                      stale=_("This request changed since you opened it. Reload the page "
                              "and decide again."),
                      conflict=_("This request was changed by someone else meanwhile. "
                                 "Reload the page.")).instance


def notify_leads(request: ResourceRequest, event: str, **context) -> None:
    """Store notification ``event`` about ``request`` for its project's PI and managers,
    once per request version and person (``context``: more template variables)."""
    for user in leads(request.project):
        notify(event=event, recipient=user,
               context={"request": request, "project": request.project, **context},
               dedupe_key=f"{event}:{request.pk}:{request.version}:{user.pk}")


def notify_staff(request: ResourceRequest, event: str, **context) -> None:
    """Store notification ``event`` about ``request`` for every active staff member, once
    per request version and person (``context``: more template variables)."""
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
    """Replace the table and justifications of a draft, or of a request returned for
    changes (:data:`EDITABLE`; PI and managers).

    ``table`` comes from :func:`clean_table`. Rows whose amounts are all zero and
    that have no justification are dropped. All or nothing: on any error no row
    changes. Raises ``PermissionDenied`` (not a lead) or :class:`TransitionError` (any
    other status).
    """
    require_project_lead(project=request.project, user=actor)
    locked = ResourceRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status not in EDITABLE:
        raise TransitionError(_("Only a draft request or one returned for changes can be "
                                "edited."))
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
    """draft (or returned for changes) → submitted (PI and managers), if the access rule
    allows it.

    Refused with the reasons when the organisation has no paid membership or no
    active agreement (except an emergency request: its fast track reaches staff, who
    may grant it only through the access override of ``request_decide``), when the
    table is empty, when the overall justification is missing, for a renewal whose
    activity report is not written (what was done, results, problems), and for a
    supplement asking hours of a resource and year without an allocation in force.
    Staff are notified (``request_submitted``, the same for a resubmission after a
    return for changes); an emergency request is notified to every staff member at
    once, flagged as such.
    """
    require_project_lead(project=request.project, user=actor)
    access = organisation_access_status(organisation=request.project.organisation)
    if not access.allowed and request.kind != Kind.EMERGENCY:
        raise ValidationError([_("The organisation may not use the centre yet:")]
                              + [str(reason.message) for reason in access.blocking_reasons])
    if not any(request_table(request).values()):
        raise ValidationError(_("The request asks for nothing: fill in at least one amount."))
    if not request.justification.strip():
        raise ValidationError(_("Explain the request in the overall justification."))
    if request.kind == Kind.RENEWAL:
        report = ActivityReport.objects.filter(request=request).first()
        missing = report.missing if report is not None else ActivityReport(
            work="", results="", problems="").missing
        if missing:
            raise ValidationError(_("A renewal needs its activity report before it is "
                                    "submitted. Still to write: %(parts)s.")
                                  % {"parts": ", ".join(missing)})
    gaps = supplement_gaps(request)
    if gaps:
        raise ValidationError(gaps)
    request = request_transition(request=request, to=Status.SUBMITTED, actor=actor,
                                 fields={"submitted_at": timezone.now()})
    event = "request_emergency" if request.kind == Kind.EMERGENCY else "request_submitted"
    resubmitted = request.events.filter(to_status=Status.CHANGES_REQUESTED).exists()
    notify_staff(request, event, actor=actor, resubmitted=resubmitted)
    return request


@transaction.atomic
def request_withdraw(*, request: ResourceRequest, actor: User) -> ResourceRequest:
    """Withdraw a request before any decision (PI and managers)."""
    require_project_lead(project=request.project, user=actor)
    return request_transition(request=request, to=Status.WITHDRAWN, actor=actor)


@transaction.atomic
def request_comment(*, request: ResourceRequest, body: str, actor: User) -> RequestComment:
    """Add a comment to the request's conversation; the other side is notified.

    Staff and the project's members may comment; a comment from staff notifies the
    PI and managers, one from the project notifies staff.
    """
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write a comment first."))
    role = project_role(project=request.project, user=actor)
    from_staff = is_verified_staff(actor) and role is None
    if not from_staff and role is None:
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
