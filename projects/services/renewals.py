"""Renewals: a new request that continues the project's last granted table, and its
activity report.

The PI or a manager opens a renewal from the project page (:func:`request_renew`): a
draft of kind ``renewal`` whose rows and cells are the granted amounts of the latest
granted request, moved forward by the years that request spans, with its
justifications. It goes through the request workflow (:mod:`.requests`,
:mod:`.request_review`) like any request, but :func:`.requests.request_submit` refuses it
until its activity report (:func:`activity_report_save`: what was done, results,
problems) is written; staff read the report on the review page.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from algoric.core.workflow import TransitionError
from members.models import User

from ..models import (
    ActivityReport,
    Project,
    RequestEvent,
    ResourceRequest,
    ResourceRequestCell,
    ResourceRequestRow,
)
from ..selectors.lifecycle import last_granted_request, renewal_shift
from ..selectors.projects import require_project_lead
from ..selectors.requests import request_rows, request_table
from .requests import EDITABLE

Status = ResourceRequest.Status
Kind = ResourceRequest.Kind
#: Statuses of a renewal still open: a second one is refused meanwhile.
OPEN = {Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW, Status.CHANGES_REQUESTED}


@transaction.atomic
def request_renew(*, project: Project, actor: User) -> ResourceRequest:
    """Open a renewal of ``project`` (PI and managers): a draft of kind ``renewal``
    prefilled from the latest granted request (``renews``).

    Each granted cell (resource, year) becomes a requested cell (resource, year +
    shift), shift being the number of years the renewed grant spans
    (:func:`~projects.selectors.lifecycle.renewal_shift`); cells falling after the
    project's last year are dropped. The justifications are copied; an empty activity
    report is attached, covering the renewed years.

    Raises ``PermissionDenied`` (not a lead) or ``ValidationError``: closed project,
    nothing granted yet, a renewal already open, or no year left in the project.
    """
    require_project_lead(project=project, user=actor)
    if project.status == Project.Status.CLOSED:
        raise ValidationError(_("This project is closed."))
    renewed = last_granted_request(project=project)
    if renewed is None:
        raise ValidationError(_("Nothing was granted to this project yet: start a new request "
                                "instead of a renewal."))
    already = project.requests.filter(kind=Kind.RENEWAL, status__in=OPEN).first()
    if already is not None:
        raise ValidationError(_("Renewal #%(number)s of this project is already open: "
                                "continue it.") % {"number": already.pk})
    shift = renewal_shift(renewed)
    years = set(project.years)
    granted = request_table(renewed, granted=True)
    table = {(resource_id, year + shift): amount
             for (resource_id, year), amount in granted.items()
             if amount and year + shift in years}
    if not table:
        raise ValidationError(_("The project ends in %(year)s: there is no later year to "
                                "renew for. Change the project's end date first.")
                              % {"year": project.ends_on.year})
    request = ResourceRequest.objects.create(
        project=project, kind=Kind.RENEWAL, renews=renewed, created_by=actor,
        justification=renewed.justification)
    RequestEvent.objects.create(request=request, actor=actor, from_status="",
                                to_status=Status.DRAFT,
                                note=_("Renewal of request #%(number)s")
                                % {"number": renewed.pk})
    notes = {row.resource_id: row.justification for row in request_rows(renewed)}
    for resource_id in sorted({resource_id for resource_id, _year in table}):
        row = ResourceRequestRow.objects.create(request=request, resource_id=resource_id,
                                                justification=notes.get(resource_id, ""))
        ResourceRequestCell.objects.bulk_create(
            [ResourceRequestCell(row=row, year=year, requested=amount)
             for (rid, year), amount in sorted(table.items()) if rid == resource_id])
    past = sorted({year for (_resource, year), amount in granted.items() if amount})
    ActivityReport.objects.create(
        request=request, written_by=actor,
        period_start=max(dt.date(past[0], 1, 1), project.starts_on),
        period_end=max(min(dt.date(past[-1], 12, 31), project.ends_on),
                       max(dt.date(past[0], 1, 1), project.starts_on)))
    return request


@transaction.atomic
def activity_report_save(*, request: ResourceRequest, work: str, results: str,
                         problems: str, actor: User) -> ActivityReport:
    """Write the activity report of a renewal (PI and managers) while the renewal can be
    edited (a draft, or returned for changes): ``work`` (what was done), ``results``,
    ``problems`` — free text, a few paragraphs each (at most 8000 characters).

    Parts may be saved empty while being written; :func:`.requests.request_submit`
    refuses the renewal until all three are written. Raises ``PermissionDenied`` (not a
    lead), ``ValidationError`` (not a renewal, text too long) or
    :class:`~algoric.core.workflow.TransitionError` (status that cannot be edited).
    """
    require_project_lead(project=request.project, user=actor)
    locked = ResourceRequest.objects.select_for_update().get(pk=request.pk)
    if locked.kind != Kind.RENEWAL:
        raise ValidationError(_("Only a renewal has an activity report."))
    if locked.status not in EDITABLE:
        raise TransitionError(_("The activity report can be changed only while the renewal is "
                                "a draft or returned for changes."))
    texts = {"work": (work or "").strip(), "results": (results or "").strip(),
             "problems": (problems or "").strip()}
    if any(len(text) > 8000 for text in texts.values()):
        raise ValidationError(_("Each part of the activity report holds at most 8000 "
                                "characters."))
    report = ActivityReport.objects.filter(request=locked).first()
    if report is None:
        project = locked.project
        report = ActivityReport(request=locked, period_start=project.starts_on,
                                period_end=project.ends_on)
    for name, text in texts.items():
        setattr(report, name, text)
    report.written_by = actor
    report.save()
    return report
