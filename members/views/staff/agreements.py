"""Staff pages on agreements: the review page and the decisions its status allows."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from algoric.core.feedback import error_status, error_texts, refused
from algoric.core.staff import staff_required

from ...forms.staff import (
    ApproveForm,
    CountersignForm,
    RejectForm,
    RequestChangesForm,
    TerminateForm,
)
from ...models import Agreement
from ...selectors import agreement_for_user, agreement_history, organisation_members
from ...services import (
    agreement_approve,
    agreement_countersign,
    agreement_reject,
    agreement_request_changes,
    agreement_terminate,
    organisation_access_status,
)

Status = Agreement.Status


class Decision(NamedTuple):
    """A staff decision on an agreement.

    ``form_class`` and ``auto_id``: its form; ``act(agreement, actor, data)``: the service
    call, with ``data`` the form's cleaned data; ``done``: the success message, where
    ``%(number)s`` stands for the agreement's number; ``doc``: what the decision does to the
    status (the view's docstring).
    """

    form_class: type
    auto_id: str
    act: Callable[[Agreement, object, dict], object]
    done: str
    doc: str


#: The decisions staff may take, by name (the name of their form in the page's context).
DECISIONS = {
    "approve": Decision(
        ApproveForm, "approve_%s",
        lambda agreement, actor, data: agreement_approve(
            agreement=agreement, actor=actor, note=data["note"]),
        gettext_lazy("Agreement %(number)s approved: the representatives can now sign it."),
        "submitted → approved, with an optional note."),
    "request_changes": Decision(
        RequestChangesForm, "changes_%s",
        lambda agreement, actor, data: agreement_request_changes(
            agreement=agreement, actor=actor, note=data["note"]),
        gettext_lazy("Agreement %(number)s sent back to the organisation for changes."),
        "submitted → draft, with a note saying what to change."),
    "reject": Decision(
        RejectForm, "reject_%s",
        lambda agreement, actor, data: agreement_reject(
            agreement=agreement, actor=actor, reason=data["reason"]),
        gettext_lazy("Agreement %(number)s rejected."),
        "submitted → rejected, with the reason."),
    "countersign": Decision(
        CountersignForm, "countersign_%s",
        lambda agreement, actor, data: agreement_countersign(
            agreement=agreement, actor=actor, starts_on=data["starts_on"]),
        gettext_lazy("Agreement %(number)s countersigned: it is active."),
        "signed → active from the given date, for one year."),
    "terminate": Decision(
        TerminateForm, "terminate_%s",
        lambda agreement, actor, data: agreement_terminate(
            agreement=agreement, actor=actor, reason=data["reason"]),
        gettext_lazy("Agreement %(number)s terminated."),
        "active → terminated today, with the reason."),
}
#: The decisions offered for each status.
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
    forms = {name: bound.get(name) or decision.form_class(auto_id=decision.auto_id)
             for name, decision in DECISIONS.items() if name in offered}
    return render(request, "members/staff/agreement_review.html", {
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


def _decide(request, pk: int, name: str):
    """Validate the form of decision ``name`` on agreement ``pk``, call its service, and
    redirect with its message; on refusal, re-render the review page (400/409)."""
    agreement = agreement_for_user(user=request.user, pk=pk)
    decision = DECISIONS[name]
    form = decision.form_class(request.POST, auto_id=decision.auto_id)
    try:
        if not form.is_valid():
            raise ValidationError(error_texts(form))
        decision.act(agreement, request.user, form.cleaned_data)
    except ValidationError as exc:
        refused(request, exc)
        agreement.refresh_from_db()
        return _agreement_page(request, agreement, bound={name: form},
                               status=error_status(exc))
    messages.success(request, decision.done % {"number": agreement.number})
    return redirect("members:staff_agreement_review", pk=agreement.pk)


def _decision_view(name: str):
    """The staff view (POST to the URL of agreement ``pk``) that takes decision ``name``,
    named ``agreement_<name>_view`` and documented by the decision's ``doc``."""

    def view(request, pk: int):
        return _decide(request, pk, name)

    view.__name__ = view.__qualname__ = f"agreement_{name}_view"
    view.__doc__ = DECISIONS[name].doc
    return staff_required(require_POST(view))


agreement_approve_view = _decision_view("approve")
agreement_request_changes_view = _decision_view("request_changes")
agreement_reject_view = _decision_view("reject")
agreement_countersign_view = _decision_view("countersign")
agreement_terminate_view = _decision_view("terminate")
