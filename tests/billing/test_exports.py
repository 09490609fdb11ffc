"""The accountant's CSV (one line per VAT rate), the unpaid list, overdue reminders."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from algoric.notifications.models import Notification
from billing.services.exports import accounting_csv, unpaid_csv
from billing.services.invoices import (
    credit_note_issue,
    invoice_add_line,
    invoice_create,
    invoice_issue,
)
from billing.services.payments import payment_record
from billing.services.reminders import invoices_send_overdue_reminders

pytestmark = pytest.mark.django_db
ISSUED = dt.date(2026, 1, 10)


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def invoice(sme, staff, settings):
    settings.INVOICE_PAYMENT_DAYS = 30
    draft = invoice_create(organisation=sme, actor=staff)
    invoice_add_line(invoice=draft, label="Support", quantity=1, unit_price=Decimal("100"),
                     vat_rate=Decimal("20"), actor=staff)
    invoice_add_line(invoice=draft, label="Formation", quantity=2, unit_price=Decimal("50"),
                     vat_rate=Decimal("20"), actor=staff)
    invoice_add_line(invoice=draft, label="Cotisation", quantity=1, unit_price=Decimal("250"),
                     vat_rate=Decimal("0"), actor=staff)
    return invoice_issue(invoice=draft, actor=staff, issued_on=ISSUED)


def test_the_accounting_export_has_one_line_per_vat_rate_credit_notes_and_payments(
        invoice, staff, sme):
    credit_note_issue(invoice=invoice, reason="Remise", amount=Decimal("50"), actor=staff)
    payment_record(invoice=invoice, amount=Decimal("100"), paid_on=dt.date(2026, 2, 1),
                   reference="VIR 1", actor=staff)
    found = rows(accounting_csv(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)))
    lines = [(row["type"], row["vat_rate"], row["net"], row["vat"], row["gross"])
             for row in found]
    assert ("invoice", "0.00", "250.00", "0.00", "250.00") in lines
    assert ("invoice", "20.00", "200.00", "40.00", "240.00") in lines
    assert sum(1 for row in found if row["type"] == "invoice") == 2
    credit = next(row for row in found if row["type"] == "credit_note")
    assert Decimal(credit["gross"]) < 0 and credit["invoice"] == invoice.number
    assert [row["gross"] for row in found if row["type"] == "payment"] == ["100.00"]


def test_the_export_neutralises_formulas_in_names(sme, staff, settings):
    sme.name = "=cmd|' /C calc'!A0"
    sme.save()
    draft = invoice_create(organisation=sme, actor=staff)
    invoice_add_line(invoice=draft, label="Support", quantity=1, unit_price=1, actor=staff)
    invoice_issue(invoice=draft, actor=staff, issued_on=ISSUED)
    found = rows(accounting_csv(start=ISSUED, end=ISSUED))
    assert found[0]["organisation"].startswith("'=")


def test_the_unpaid_list_gives_what_is_due_and_the_ages(invoice, staff):
    payment_record(invoice=invoice, amount=Decimal("90"), paid_on=dt.date(2026, 1, 20),
                   reference="VIR", actor=staff)
    found = rows(unpaid_csv(today=dt.date(2026, 3, 1)))
    assert found == [{"number": invoice.number, "organisation": invoice.buyer["name"],
                      "issued_on": "2026-01-10", "due_on": "2026-02-09", "total": "490.00",
                      "due": "400.00", "age_days": "50", "overdue_days": "20"}]


def test_overdue_reminders_go_through_the_outbox_once_per_step(invoice, representative):
    assert invoices_send_overdue_reminders(today=dt.date(2026, 2, 9)) == 0  # due today
    assert invoices_send_overdue_reminders(today=dt.date(2026, 2, 10)) == 1
    assert invoices_send_overdue_reminders(today=dt.date(2026, 2, 11)) == 0  # same step
    assert invoices_send_overdue_reminders(today=dt.date(2026, 2, 25)) == 1  # 16 days late
    reminders = Notification.objects.filter(event="invoice_overdue", recipient=representative)
    assert reminders.count() == 2
    assert invoice.number in reminders.first().subject
