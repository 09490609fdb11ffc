"""Staff pages of invoices: the list, a new draft, its page and its actions, exports."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from algoric.core.feedback import refused
from algoric.core.staff import staff_required

from ...forms import CreditNoteForm, InvoiceCreateForm, LineForm, PaymentForm, PeriodForm
from ...models import Invoice
from ...selectors.invoices import amount_due, unpaid_invoices
from ...selectors.lists import InvoiceFilter, staff_invoice_queryset
from ...services import invoices as invoice_services
from ...services.exports import accounting_csv, unpaid_csv
from ...services.payments import payment_record
from ...tasks import invoice_pdf_enqueue_on_commit
from .tables import InvoiceTable

PER_PAGE = 50


@staff_required
@require_GET
def invoice_list(request):
    """Every invoice and credit note, filtered and sorted."""
    queryset = staff_invoice_queryset()
    filterset = InvoiceFilter(request.GET or None, queryset=queryset)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    table = InvoiceTable(rows)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(request, "billing/staff/invoice_list.html",
                  {"filter": filterset, "table": table})


@staff_required
@require_http_methods(["GET", "POST"])
def invoice_create(request):
    """A new draft; with a membership year, its fee line is added; with a period, the
    computing used then."""
    form = InvoiceCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invoice = invoice_services.invoice_draft(
                organisation=data["organisation"], membership_year=data.get("membership_year"),
                period_start=data.get("period_start"), period_end=data.get("period_end"),
                note=data.get("note", ""), actor=request.user)
        except ValidationError as error:
            refused(request, error)
        else:
            messages.success(request, _("Draft invoice created."))
            return redirect("billing:staff_invoice_detail", pk=invoice.pk)
    return render(request, "billing/staff/invoice_create.html", {"form": form},
                  status=400 if form.is_bound else 200)


@staff_required
@require_GET
def invoice_detail(request, pk: int):
    """An invoice: lines, totals, payments, credit notes, and the forms of its actions."""
    invoice = get_object_or_404(Invoice.objects.select_related("organisation", "membership"),
                                pk=pk)
    return render(request, "billing/staff/invoice_detail.html", {
        "invoice": invoice, "lines": invoice.lines.all(), "payments": invoice.payments.all(),
        "credit_notes": invoice.credit_notes.issued(), "due": amount_due(invoice),
        "line_form": LineForm(), "payment_form": PaymentForm(),
        "credit_form": CreditNoteForm()})


def _act(request, invoice: Invoice, action, success: str):
    try:
        action()
    except ValidationError as error:
        refused(request, error)
    else:
        messages.success(request, success)
    return redirect("billing:staff_invoice_detail", pk=invoice.pk)


@staff_required
@require_POST
def invoice_add_line(request, pk: int):
    """Add a free line to a draft."""
    invoice = get_object_or_404(Invoice, pk=pk)
    form = LineForm(request.POST)
    if not form.is_valid():
        refused(request, form)
        return redirect("billing:staff_invoice_detail", pk=invoice.pk)
    return _act(request, invoice, lambda: invoice_services.invoice_add_line(
        invoice=invoice, actor=request.user, **form.cleaned_data), _("Line added."))


@staff_required
@require_POST
def invoice_issue(request, pk: int):
    """Issue a draft: its number, then its Factur-X PDF after commit."""
    invoice = get_object_or_404(Invoice, pk=pk)

    def issue():
        issued = invoice_services.invoice_issue(invoice=invoice, actor=request.user)
        invoice_pdf_enqueue_on_commit(issued)

    return _act(request, invoice, issue, _("Invoice issued."))


@staff_required
@require_POST
def invoice_payment(request, pk: int):
    """Record a payment, full or partial."""
    invoice = get_object_or_404(Invoice, pk=pk)
    form = PaymentForm(request.POST)
    if not form.is_valid():
        refused(request, form)
        return redirect("billing:staff_invoice_detail", pk=invoice.pk)
    return _act(request, invoice, lambda: payment_record(
        invoice=invoice, actor=request.user, **form.cleaned_data), _("Payment recorded."))


@staff_required
@require_POST
def invoice_credit(request, pk: int):
    """Issue a credit note against the invoice."""
    invoice = get_object_or_404(Invoice, pk=pk)
    form = CreditNoteForm(request.POST)
    if not form.is_valid():
        refused(request, form)
        return redirect("billing:staff_invoice_detail", pk=invoice.pk)

    def credit():
        note = invoice_services.credit_note_issue(invoice=invoice, actor=request.user,
                                                  **form.cleaned_data)
        invoice_pdf_enqueue_on_commit(note)

    return _act(request, invoice, credit, _("Credit note issued."))


@staff_required
@require_GET
def exports(request):
    """The accountant's CSV of a period (``?start=&end=``) and the unpaid list
    (``?export=unpaid``); without parameters, the page with the form and the unpaid."""
    today = timezone.localdate()
    if request.GET.get("export") == "unpaid":
        return _csv(unpaid_csv(today=today), f"unpaid-{today.isoformat()}.csv")
    form = PeriodForm(request.GET or None)
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        return _csv(accounting_csv(start=start, end=end),
                    f"accounting-{start.isoformat()}-{end.isoformat()}.csv")
    return render(request, "billing/staff/exports.html",
                  {"form": form, "unpaid": unpaid_invoices(today=today)},
                  status=400 if form.is_bound else 200)


def _csv(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response
