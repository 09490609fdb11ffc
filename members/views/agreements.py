"""Member pages of agreements (conventions): detail with history, signatory, submit,
upload of the signed copy, renewal, and the two PDF downloads.

Every view reads the agreement through :func:`members.selectors.agreement_for_user`
(404 for another organisation's agreement). Staff see these pages too; their decisions
live on the staff pages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from algoric.audit.models import AuditEvent
from algoric.audit.services import audit_record
from algoric.core.feedback import add_service_errors, show_errors

from ..forms.agreements import AgreementSignatoryForm
from ..models import Agreement, OrganisationMember
from ..selectors import agreement_for_user, agreement_history, require_representative, role_of
from ..services import agreement_pdf as pdf_service
from ..services import (
    agreement_renew,
    agreement_submit,
    agreement_update_draft,
    agreement_upload_signed,
)

Status = Agreement.Status

#: Statuses whose agreement PDF can always be downloaded (generated on demand if needed).
PDF_ALWAYS = {Status.DRAFT, Status.SUBMITTED, Status.APPROVED}
#: Statuses that have a signed copy.
WITH_SIGNED_COPY = {Status.SIGNED, Status.ACTIVE, Status.EXPIRED, Status.TERMINATED}
#: Statuses that can be renewed into a new draft.
RENEWABLE = {Status.ACTIVE, Status.EXPIRED}


def status_label(code: str) -> str:
    """The label of an agreement status code (the code itself when unknown or empty)."""
    try:
        return Status(code).label
    except ValueError:
        return code


def _last_staff_note(agreement: Agreement, events: list) -> str:
    """The note of the staff decision that sent the agreement back to draft or rejected it,
    when that decision is the latest change."""
    if not events:
        return ""
    last = events[-1]
    if agreement.status == Status.REJECTED and last.to_status == Status.REJECTED:
        return last.note
    if (agreement.status == Status.DRAFT and last.to_status == Status.DRAFT
            and last.from_status == Status.SUBMITTED):
        return last.note
    return ""


def download_response(content, *, filename: str) -> HttpResponse:
    """A private PDF download: an attachment that no browser renders or caches.

    Args:
        content: ``bytes``, or an open binary file (streamed by ``FileResponse``).
        filename: the name offered to save it under (ASCII).
    """
    if isinstance(content, bytes | bytearray):
        response = HttpResponse(bytes(content), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response = FileResponse(content, as_attachment=True, filename=filename,
                                content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
@require_GET
def agreement_detail(request, pk: int):
    """An agreement: its details, what happens next, its history and the actions the
    signed-in person may take in its status."""
    agreement = agreement_for_user(user=request.user, pk=pk)
    my_role = role_of(organisation=agreement.organisation, user=request.user)
    is_representative = my_role == OrganisationMember.Role.REPRESENTATIVE
    events = list(agreement_history(agreement=agreement))
    for event in events:
        event.from_label = status_label(event.from_status) if event.from_status else ""
        event.to_label = status_label(event.to_status)
    status = agreement.status
    context = {
        "agreement": agreement,
        "organisation": agreement.organisation,
        "is_representative": is_representative,
        "events": events,
        "staff_note": _last_staff_note(agreement, events),
        "can_edit": is_representative and status == Status.DRAFT,
        "can_submit": is_representative and status == Status.DRAFT,
        "can_upload": is_representative and status == Status.APPROVED,
        "can_renew": is_representative and status in RENEWABLE,
        "has_pdf": status in PDF_ALWAYS or bool(agreement.pdf),
        "has_signed_copy": bool(agreement.signed_pdf),
    }
    return render(request, "members/agreement_detail.html", context)


@login_required
def agreement_edit(request, pk: int):
    """Change who signs a draft agreement (representatives)."""
    agreement = agreement_for_user(user=request.user, pk=pk)
    require_representative(organisation=agreement.organisation, user=request.user)
    if agreement.status != Status.DRAFT:
        messages.error(request, _("Only a draft agreement can be edited."))
        return redirect("members:agreement_detail", pk=agreement.pk)
    form = AgreementSignatoryForm(request.POST or None, initial={
        "signatory_name": agreement.signatory_name,
        "signatory_title": agreement.signatory_title,
    })
    if request.method == "POST" and form.is_valid():
        try:
            agreement_update_draft(agreement=agreement, data=form.cleaned_data,
                                   actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The signatory has been saved."))
            return redirect("members:agreement_detail", pk=agreement.pk)
    return render(request, "members/agreement_form.html", {"form": form, "agreement": agreement})


@login_required
@require_POST
def agreement_submit_view(request, pk: int):
    """Submit a draft to the association (representatives); staff are notified."""
    agreement = agreement_for_user(user=request.user, pk=pk)
    try:
        agreement_submit(agreement=agreement, actor=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("Agreement %(number)s has been submitted. The association "
                                    "will review it.") % {"number": agreement.number})
    return redirect("members:agreement_detail", pk=agreement.pk)


@login_required
@require_POST
def agreement_upload(request, pk: int):
    """Upload the signed copy of an approved agreement (representatives).

    The service checks the file (a real PDF, at most 10 MB); when it refuses it,
    the reason is shown and nothing changes.
    """
    agreement = agreement_for_user(user=request.user, pk=pk)
    try:
        agreement_upload_signed(agreement=agreement, uploaded=request.FILES.get("signed_pdf"),
                                actor=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
    else:
        messages.success(request, _("Thank you: the signed agreement has been received. The "
                                    "association will countersign it."))
    return redirect("members:agreement_detail", pk=agreement.pk)


@login_required
@require_POST
def agreement_renew_view(request, pk: int):
    """Copy an active or expired agreement into a new draft (representatives)."""
    agreement = agreement_for_user(user=request.user, pk=pk)
    try:
        renewal = agreement_renew(agreement=agreement, actor=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect("members:agreement_detail", pk=agreement.pk)
    messages.success(request, _("Draft agreement %(number)s renews %(previous)s. Check it, "
                                "then submit it.")
                     % {"number": renewal.number, "previous": agreement.number})
    return redirect("members:agreement_detail", pk=renewal.pk)


@login_required
@require_GET
def agreement_pdf(request, pk: int):
    """Download the agreement to sign, as a PDF attachment (anyone in the organisation)."""
    agreement = agreement_for_user(user=request.user, pk=pk)
    try:
        content = pdf_service.agreement_pdf_for_download(agreement=agreement)
    except ValidationError as exc:
        show_errors(request, exc)
        return redirect("members:agreement_detail", pk=agreement.pk)
    audit_record(action="agreement.downloaded", category=AuditEvent.Category.SECURITY,
                 target=agreement, request=request, detail={"file": "agreement"})
    return download_response(content, filename=f"{agreement.number}.pdf")


@login_required
@require_GET
def agreement_signed_pdf(request, pk: int):
    """Download the signed copy, as a PDF attachment (anyone in the organisation): the
    copy countersigned by the association (PAdES) once there is one, the agreement's
    record; else the copy the representative uploaded."""
    agreement = agreement_for_user(user=request.user, pk=pk)
    countersigned = bool(agreement.countersigned_pdf)
    document = agreement.countersigned_pdf if countersigned else agreement.signed_pdf
    if not document:
        raise Http404
    try:
        handle = document.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    audit_record(action="agreement.downloaded", category=AuditEvent.Category.SECURITY,
                 target=agreement, request=request,
                 detail={"file": "countersigned" if countersigned else "signed"})
    suffix = "countersigned" if countersigned else "signed"
    return download_response(handle, filename=f"{agreement.number}-{suffix}.pdf")
