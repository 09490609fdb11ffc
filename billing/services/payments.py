"""Payments received against invoices, full or partial; a fee paid pays the membership."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.staff import require_staff
from members.models import Membership
from members.services.memberships import membership_record_payment

from ..models import Invoice, InvoiceEvent, Payment
from ..selectors.invoices import amount_due

Status = Invoice.Status


@transaction.atomic
def payment_record(*, invoice: Invoice, amount: Decimal, paid_on: dt.date, reference: str,
                   actor, method: str = Payment.Method.TRANSFER) -> Payment:
    """Record ``amount`` EUR received on ``paid_on`` against an issued invoice (staff only).

    A payment may be partial; once nothing is left to pay the invoice becomes ``paid``,
    and a membership fee invoice then marks its membership paid through
    :func:`members.services.memberships.membership_record_payment` (the memberships'
    one source of truth; a membership already paid or waived is left as it is).

    Raises ``PermissionDenied``, ``ValidationError`` (a draft, a credit note, an invoice
    already paid, no reference, an amount ≤ 0 or above what is due, a date in the future
    or before the invoice).
    """
    require_staff(actor)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    reference = (reference or "").strip()[:100]
    amount = Decimal(amount)
    if invoice.kind != Invoice.Kind.INVOICE or invoice.status != Status.ISSUED:
        raise ValidationError(_("Payments are recorded against issued invoices awaiting "
                                "payment."))
    if not reference:
        raise ValidationError(_("Give the payment reference."))
    if paid_on > timezone.localdate():
        raise ValidationError(_("The payment date cannot be in the future."))
    if paid_on < invoice.issued_on:
        raise ValidationError(_("The payment date is before the invoice's."))
    due = amount_due(invoice)
    if amount <= 0 or amount > due:
        raise ValidationError(_("The amount must be more than 0 and at most %(due)s €, "
                                "what is left to pay.") % {"due": due})
    payment = Payment.objects.create(invoice=invoice, amount=amount, paid_on=paid_on,
                                     method=method, reference=reference, recorded_by=actor)
    audit_record(action="invoice.payment_recorded", actor=actor, target=invoice,
                 detail={"amount": str(amount), "paid_on": paid_on, "reference": reference})
    if amount == due:
        invoice.status, invoice.paid_on = Status.PAID, paid_on
        invoice.save(update_fields=["status", "paid_on", "updated_at"])
        InvoiceEvent.objects.create(invoice=invoice, actor=actor, from_status=Status.ISSUED,
                                    to_status=Status.PAID, note=reference)
        membership = invoice.membership
        if membership is not None and membership.status in (Membership.Status.PENDING,
                                                            Membership.Status.LAPSED):
            membership_record_payment(membership=membership, paid_on=paid_on,
                                      reference=f"{invoice.number} {reference}"[:100],
                                      actor=actor)
    return payment
