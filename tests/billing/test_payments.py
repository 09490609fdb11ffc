"""Payments, full and partial; a membership fee invoice paid makes the membership paid."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from billing.models import Invoice
from billing.selectors.invoices import amount_due
from billing.services.invoices import (
    credit_note_issue,
    invoice_add_line,
    invoice_add_membership_fee,
    invoice_create,
    invoice_issue,
)
from billing.services.payments import payment_record
from members.models import Membership

from ..factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(sme, staff):
    invoice = invoice_create(organisation=sme, actor=staff)
    invoice_add_line(invoice=invoice, label="Support", quantity=1, unit_price=Decimal("480"),
                     vat_rate=Decimal("0"), actor=staff)
    return invoice_issue(invoice=invoice, actor=staff)


def test_partial_payments_add_up_and_the_last_one_pays_the_invoice(issued, staff):
    today = timezone.localdate()
    payment_record(invoice=issued, amount=Decimal("200.00"), paid_on=today, reference="VIR 1",
                   actor=staff)
    issued.refresh_from_db()
    assert issued.status == Invoice.Status.ISSUED and amount_due(issued) == Decimal("280.00")
    payment_record(invoice=issued, amount=Decimal("280.00"), paid_on=today, reference="VIR 2",
                   actor=staff)
    issued.refresh_from_db()
    assert issued.status == Invoice.Status.PAID and issued.paid_on == today
    assert amount_due(issued) == 0


@pytest.mark.parametrize("amount", ["0", "-5", "480.01"])
def test_a_payment_above_what_is_due_or_not_positive_is_refused(issued, staff, amount):
    with pytest.raises(ValidationError):
        payment_record(invoice=issued, amount=Decimal(amount), paid_on=timezone.localdate(),
                       reference="VIR", actor=staff)
    assert not issued.payments.exists()


def test_a_payment_needs_a_reference_and_a_date_neither_future_nor_before_the_invoice(
        issued, staff):
    today = timezone.localdate()
    for kwargs in ({"reference": " ", "paid_on": today},
                   {"reference": "VIR", "paid_on": today + dt.timedelta(days=1)},
                   {"reference": "VIR", "paid_on": issued.issued_on - dt.timedelta(days=1)}):
        with pytest.raises(ValidationError):
            payment_record(invoice=issued, amount=Decimal("10"), actor=staff, **kwargs)


def test_a_credit_note_lowers_what_is_left_to_pay(issued, staff):
    credit_note_issue(invoice=issued, reason="Remise", amount=Decimal("80"), actor=staff)
    assert amount_due(issued) == Decimal("400.00")
    payment_record(invoice=issued, amount=Decimal("400.00"), paid_on=timezone.localdate(),
                   reference="VIR", actor=staff)
    issued.refresh_from_db()
    assert issued.status == Invoice.Status.PAID


def test_a_draft_takes_no_payment(sme, staff):
    draft = invoice_create(organisation=sme, actor=staff)
    with pytest.raises(ValidationError):
        payment_record(invoice=draft, amount=Decimal("1"), paid_on=timezone.localdate(),
                       reference="VIR", actor=staff)


def test_a_membership_fee_invoice_paid_in_full_marks_the_membership_paid(sme, staff):
    membership = MembershipFactory(organisation=sme, fee=Decimal("250.00"))
    invoice = invoice_create(organisation=sme, membership=membership, actor=staff)
    invoice_add_membership_fee(invoice=invoice, actor=staff)
    invoice = invoice_issue(invoice=invoice, actor=staff)
    assert invoice.total_gross == Decimal("250.00")
    payment_record(invoice=invoice, amount=Decimal("100"), paid_on=timezone.localdate(),
                   reference="CHQ 1", actor=staff)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING
    payment_record(invoice=invoice, amount=Decimal("150"), paid_on=timezone.localdate(),
                   reference="CHQ 2", actor=staff)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PAID
    assert membership.payment_reference.startswith(invoice.number)
    assert membership.events.filter(to_status=Membership.Status.PAID).count() == 1
