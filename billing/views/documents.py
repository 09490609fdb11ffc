"""Documents for organisations: their invoices, the PDFs (invoice, receipt, quote), asking
for a quote and accepting it. Representatives see invoices; PIs their requests' quotes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from algoric.audit.models import AuditEvent
from algoric.audit.services import audit_record
from algoric.core.feedback import refused
from members.selectors.organisations import organisation_for_user
from members.selectors.permissions import require_representative
from members.views.agreements import download_response
from projects.selectors.requests import request_for_user

from ..selectors.invoices import invoice_for_user, invoices_of_organisation
from ..selectors.quotes import quote_for_user
from ..services.documents import invoice_pdf_for_download, quote_pdf_bytes, receipt_pdf_bytes
from ..services.quotes import quote_accept, quote_create


@login_required
@require_GET
def organisation_invoices(request, pk: int):
    """The organisation's invoices and credit notes, for its representatives."""
    organisation = organisation_for_user(user=request.user, pk=pk)
    try:
        require_representative(organisation=organisation, user=request.user)
    except PermissionDenied:
        raise Http404 from None
    return render(request, "billing/organisation_invoices.html", {
        "organisation": organisation, "invoices": invoices_of_organisation(organisation)})


@login_required
@require_GET
def invoice_pdf(request, pk: int):
    """The Factur-X PDF of an issued invoice or credit note."""
    invoice = invoice_for_user(user=request.user, pk=pk)
    if invoice.is_draft:
        raise PermissionDenied
    content = invoice_pdf_for_download(invoice=invoice)
    audit_record(action="invoice.downloaded", category=AuditEvent.Category.SECURITY,
                 target=invoice, request=request, detail={"file": "invoice"})
    return download_response(content, filename=f"{invoice.number}.pdf")


@login_required
@require_GET
def receipt_pdf(request, pk: int):
    """The receipt of a membership fee paid in full."""
    invoice = invoice_for_user(user=request.user, pk=pk)
    try:
        content = receipt_pdf_bytes(invoice=invoice)
    except ValueError:
        messages.error(request, _("A receipt is issued once a membership fee is paid in full."))
        return redirect("billing:organisation_invoices", pk=invoice.organisation_id)
    return download_response(content, filename=f"{invoice.number}-receipt.pdf")


@login_required
@require_GET
def quote_pdf(request, pk: int):
    """The PDF of a quote."""
    quote = quote_for_user(user=request.user, pk=pk)
    return download_response(quote_pdf_bytes(quote), filename=f"{quote.number}.pdf")


@login_required
@require_POST
def quote_request(request, pk: int):
    """Make a quote of resource request ``pk`` (staff, or its project's PI or managers)."""
    resource_request = request_for_user(user=request.user, pk=pk)
    try:
        quote = quote_create(request=resource_request, actor=request.user)
    except ValidationError as error:
        refused(request, error)
        return redirect("projects:request_detail", pk=resource_request.pk)
    messages.success(request, _("Quote %(number)s made.") % {"number": quote.number})
    return redirect("billing:quote_pdf", pk=quote.pk)


@login_required
@require_POST
def quote_accept_view(request, pk: int):
    """Record that the organisation accepts the quote (its representative)."""
    quote = quote_for_user(user=request.user, pk=pk)
    try:
        quote_accept(quote=quote, actor=request.user)
    except ValidationError as error:
        refused(request, error)
    else:
        messages.success(request, _("Quote %(number)s accepted.") % {"number": quote.number})
    return redirect("projects:request_detail", pk=quote.request_id)
