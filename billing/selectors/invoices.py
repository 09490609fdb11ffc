"""Reads of invoices: access, amounts paid and due, the unpaid list, overdue invoices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from algoric.core.staff import is_verified_staff
from members.models import Organisation, OrganisationMember

from ..models import Invoice, Payment

ZERO = Decimal("0.00")



def invoices_with_amounts(queryset: QuerySet[Invoice] | None = None) -> QuerySet[Invoice]:
    """Invoices annotated with ``amount_paid`` (payments, EUR) and ``amount_credited``
    (issued credit notes' totals, EUR) — two subqueries, whatever the number of rows."""
    queryset = Invoice.objects.all() if queryset is None else queryset
    paid = (Payment.objects.filter(invoice=OuterRef("pk")).order_by()
            .values("invoice").annotate(total=Sum("amount")).values("total"))
    credited = (Invoice.objects.filter(credited_invoice=OuterRef("pk"))
                .exclude(status=Invoice.Status.DRAFT).order_by()
                .values("credited_invoice").annotate(total=Sum("total_gross")).values("total"))
    money = DecimalField(max_digits=12, decimal_places=2)
    return queryset.annotate(
        amount_paid=Coalesce(Subquery(paid[:1]), Value(ZERO), output_field=money),
        amount_credited=Coalesce(Subquery(credited[:1]), Value(ZERO), output_field=money),
    )


def amount_due(invoice: Invoice) -> Decimal:
    """What is left to pay on ``invoice`` (EUR): its total less payments and credit notes;
    0 for a draft or a credit note. Two queries."""
    if invoice.is_draft or invoice.kind == Invoice.Kind.CREDIT_NOTE:
        return ZERO
    paid = invoice.payments.aggregate(total=Sum("amount"))["total"] or ZERO
    credited = (invoice.credit_notes.exclude(status=Invoice.Status.DRAFT)
                .aggregate(total=Sum("total_gross"))["total"] or ZERO)
    return max(invoice.total_gross - paid - credited, ZERO)


def invoice_for_user(*, user, pk: int) -> Invoice:
    """The invoice ``pk`` if ``user`` may see it (staff, or a representative of its
    organisation, and not a draft); raises ``Http404`` otherwise."""
    invoice = Invoice.objects.select_related("organisation").filter(pk=pk).first()
    if invoice is None:
        raise Http404
    if is_verified_staff(user):
        return invoice
    if invoice.is_draft or not OrganisationMember.objects.filter(
            organisation=invoice.organisation, user=user,
            role=OrganisationMember.Role.REPRESENTATIVE).exists():
        raise Http404
    return invoice


def invoices_of_organisation(organisation: Organisation) -> QuerySet[Invoice]:
    """The organisation's issued invoices and credit notes, newest first, with amounts."""
    return invoices_with_amounts(organisation.invoices.issued()).order_by("-issued_on",
                                                                         "-number")


def invoices_of_representative(*, user) -> QuerySet[Invoice]:
    """The issued invoices and credit notes of every organisation ``user`` represents
    (what their organisations' invoice pages show, staff or not), newest first, with
    amounts and their organisation — one query."""
    represented = OrganisationMember.objects.filter(
        user=user, role=OrganisationMember.Role.REPRESENTATIVE).values("organisation_id")
    return invoices_with_amounts(
        Invoice.objects.issued().filter(organisation_id__in=represented)
        .select_related("organisation")).order_by("-issued_on", "-number")


@dataclass(frozen=True)
class UnpaidInvoice:
    """An invoice not paid in full: ``due`` EUR left, ``age_days`` since it was issued,
    ``overdue_days`` past its due date (0 when not yet due)."""

    invoice: Invoice
    due: Decimal
    age_days: int
    overdue_days: int


def unpaid_invoices(*, today: dt.date | None = None) -> list[UnpaidInvoice]:
    """Issued invoices with money left to pay, oldest first — one query."""
    today = today or timezone.localdate()
    result = []
    for invoice in invoices_with_amounts(Invoice.objects.unpaid()).select_related(
            "organisation").order_by("issued_on", "number"):
        due = invoice.total_gross - invoice.amount_paid - invoice.amount_credited
        if due <= 0:
            continue
        result.append(UnpaidInvoice(
            invoice=invoice, due=due, age_days=(today - invoice.issued_on).days,
            overdue_days=max((today - invoice.due_on).days, 0) if invoice.due_on else 0))
    return result


def staff_dashboard_billing(*, limit: int = 10) -> dict:
    """The staff dashboard's block: drafts waiting to be issued (``drafts``, oldest first,
    at most ``limit``; ``draft_count``) and invoices past their due date (``overdue``:
    :class:`UnpaidInvoice` items, most overdue first)."""
    drafts = Invoice.objects.filter(status=Invoice.Status.DRAFT).select_related(
        "organisation").order_by("created_at")
    overdue = sorted((unpaid for unpaid in unpaid_invoices() if unpaid.overdue_days > 0),
                     key=lambda unpaid: -unpaid.overdue_days)
    return {"drafts": list(drafts[:limit]), "draft_count": drafts.count(),
            "overdue": overdue[:limit], "overdue_count": len(overdue)}
