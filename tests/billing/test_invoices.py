"""Invoices: drafts and lines, issuing (numbers, totals), immutability, credit notes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from algoric.notifications.models import Notification
from billing.models import Invoice, InvoiceCounter, InvoiceImmutableError, InvoiceLine
from billing.services.invoices import (
    credit_note_issue,
    invoice_add_line,
    invoice_create,
    invoice_issue,
)
from billing.services.numbering import number_next

pytestmark = pytest.mark.django_db


def draft_with_lines(organisation, staff, *lines):
    invoice = invoice_create(organisation=organisation, actor=staff)
    for label, quantity, price, rate in lines:
        invoice_add_line(invoice=invoice, label=label, quantity=Decimal(quantity),
                         unit_price=Decimal(price), vat_rate=Decimal(rate), actor=staff)
    return invoice


def test_a_draft_has_no_number_and_issuing_gives_the_next_of_the_year(sme, staff):
    first = draft_with_lines(sme, staff, ("Support", "1", "480", "0"))
    second = draft_with_lines(sme, staff, ("Support", "2", "480", "0"))
    assert first.number is None
    year = timezone.localdate().year
    # Issued in the other order: numbers follow issue, not creation.
    assert invoice_issue(invoice=second, actor=staff).number == f"F-{year}-0001"
    assert invoice_issue(invoice=first, actor=staff).number == f"F-{year}-0002"


def test_numbers_restart_each_year_and_credit_notes_have_their_own_series():
    with transaction.atomic():
        assert number_next(series="F", year=2026) == "F-2026-0001"
        assert number_next(series="F", year=2026) == "F-2026-0002"
        assert number_next(series="F", year=2027) == "F-2027-0001"
        assert number_next(series="A", year=2027) == "A-2027-0001"


def test_a_rolled_back_issue_gives_its_number_back(sme, staff):
    invoice = draft_with_lines(sme, staff, ("Support", "1", "480", "0"))
    year = timezone.localdate().year
    with pytest.raises(RuntimeError), transaction.atomic():
        invoice_issue(invoice=invoice, actor=staff)
        raise RuntimeError("the request failed after issuing")
    invoice.refresh_from_db()
    assert invoice.is_draft and invoice.number is None
    assert invoice_issue(invoice=invoice, actor=staff).number == f"F-{year}-0001"
    assert InvoiceCounter.objects.get(series="F", year=year).last_number == 1


@pytest.mark.django_db(transaction=True)
def test_number_next_refuses_to_run_outside_a_transaction():
    assert not connection.in_atomic_block
    with pytest.raises(transaction.TransactionManagementError):
        number_next(series="F", year=2027)


def test_issuing_fixes_totals_parties_and_due_date(sme, staff, representative, settings):
    settings.INVOICE_PAYMENT_DAYS = 30
    invoice = draft_with_lines(sme, staff, ("Support", "1.5", "480", "20"),
                               ("Formation MPI", "1", "350", "0"))
    issued = invoice_issue(invoice=invoice, actor=staff, issued_on=dt.date(2026, 1, 10))
    assert (issued.total_net, issued.total_vat, issued.total_gross) == (
        Decimal("1070.00"), Decimal("144.00"), Decimal("1214.00"))
    assert issued.due_on == dt.date(2026, 2, 9)
    assert issued.buyer["siret"] == sme.siret and issued.buyer["vat_number"] == "FR40303265045"
    assert issued.seller["name"] == settings.ASSOCIATION_LEGAL_NAME
    assert Notification.objects.filter(event="invoice_issued", recipient=representative).exists()


@pytest.mark.parametrize(("quantity", "price", "rate", "net", "vat"), [
    # 3 × 0.335 = 1.005: half a cent rounds up on the line.
    ("3", "0.335", "20", "1.01", "0.20"),
    # 1234.5678 core-hours at 0.0125 € = 15.4320975 → 15.43; VAT 20 % = 3.086 → 3.09.
    ("1234.5678", "0.0125", "20", "15.43", "3.09"),
    # 0.125 € at 20 %: the VAT 0.025 rounds half up to 0.03.
    ("1", "0.125", "20", "0.13", "0.03"),
    ("7", "33.3333", "5.5", "233.33", "12.83"),
])
def test_rounding_half_up_per_line_then_vat_per_rate(sme, staff, quantity, price, rate, net,
                                                     vat):
    invoice = draft_with_lines(sme, staff, ("Calcul", quantity, price, rate))
    issued = invoice_issue(invoice=invoice, actor=staff)
    assert issued.total_net == Decimal(net)
    assert issued.total_vat == Decimal(vat)
    assert issued.total_gross == Decimal(net) + Decimal(vat)


def test_vat_is_computed_on_each_rates_sum_of_rounded_lines(sme, staff):
    # Three lines of 0.10 € at 20 %: VAT on 0.30 is 0.06, not 3 × round(0.02) = 0.06 — and
    # three lines of 0.05 € give 0.03 on 0.15, where per-line VAT would give 3 × 0.01.
    invoice = draft_with_lines(sme, staff, *[("Calcul", "1", "0.05", "20")] * 3)
    issued = invoice_issue(invoice=invoice, actor=staff)
    assert (issued.total_net, issued.total_vat) == (Decimal("0.15"), Decimal("0.03"))


def test_an_issued_invoice_cannot_be_changed_through_the_model(sme, staff):
    invoice = invoice_issue(invoice=draft_with_lines(sme, staff, ("Support", "1", "480", "0")),
                            actor=staff)
    invoice.total_gross = Decimal("1.00")
    with pytest.raises(InvoiceImmutableError):
        invoice.save()
    with pytest.raises(InvoiceImmutableError):
        invoice.delete()
    line = invoice.lines.get()
    line.unit_price = Decimal("1.00")
    with pytest.raises(InvoiceImmutableError):
        line.save()
    with pytest.raises(InvoiceImmutableError):
        line.delete()
    with pytest.raises(InvoiceImmutableError):
        InvoiceLine(invoice=invoice, label="Ajout", quantity=1, unit_price=1,
                    net_amount=1).save()


def test_an_issued_invoice_cannot_be_changed_in_the_database_either(sme, staff):
    invoice = invoice_issue(invoice=draft_with_lines(sme, staff, ("Support", "1", "480", "0")),
                            actor=staff)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(total_gross=Decimal("1.00"))
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        InvoiceLine.objects.filter(invoice=invoice).update(unit_price=Decimal("1.00"))
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        InvoiceLine.objects.bulk_create([InvoiceLine(
            invoice=invoice, label="Ajout", quantity=1, unit_price=1, net_amount=1)])
    # Its payment status may still change.
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.PAID)


def test_the_services_refuse_to_change_an_issued_invoice_with_a_message(sme, staff):
    invoice = invoice_issue(invoice=draft_with_lines(sme, staff, ("Support", "1", "480", "0")),
                            actor=staff)
    with pytest.raises(ValidationError, match="credit note"):
        invoice_add_line(invoice=invoice, label="Ajout", quantity=1, unit_price=1, actor=staff)
    with pytest.raises(ValidationError):
        invoice_issue(invoice=invoice, actor=staff)


def test_an_invoice_without_lines_or_dated_in_the_future_is_not_issued(sme, staff):
    invoice = invoice_create(organisation=sme, actor=staff)
    with pytest.raises(ValidationError, match="at least one line"):
        invoice_issue(invoice=invoice, actor=staff)
    invoice_add_line(invoice=invoice, label="Support", quantity=1, unit_price=1, actor=staff)
    with pytest.raises(ValidationError, match="future"):
        invoice_issue(invoice=invoice, actor=staff,
                      issued_on=timezone.localdate() + dt.timedelta(days=1))
    assert not InvoiceCounter.objects.exists() or not InvoiceCounter.objects.get().last_number


@pytest.mark.parametrize(("quantity", "price", "rate"), [("-1", "10", "0"), ("1", "-10", "0"),
                                                         ("1", "10", "120")])
def test_bad_lines_are_refused_and_nothing_is_written(sme, staff, quantity, price, rate):
    invoice = invoice_create(organisation=sme, actor=staff)
    with pytest.raises(ValidationError):
        invoice_add_line(invoice=invoice, label="X", quantity=Decimal(quantity),
                         unit_price=Decimal(price), vat_rate=Decimal(rate), actor=staff)
    assert not invoice.lines.exists()


def test_only_verified_staff_create_or_issue_invoices(sme, representative, staff):
    with pytest.raises(PermissionDenied):
        invoice_create(organisation=sme, actor=representative)
    invoice = draft_with_lines(sme, staff, ("Support", "1", "480", "0"))
    with pytest.raises(PermissionDenied):
        invoice_issue(invoice=invoice, actor=representative)


def test_a_full_credit_note_repeats_the_lines_and_settles_the_invoice(sme, staff):
    invoice = invoice_issue(invoice=draft_with_lines(
        sme, staff, ("Support", "1", "480", "20"), ("Formation", "2", "100", "0")), actor=staff)
    note = credit_note_issue(invoice=invoice, reason="Facturé par erreur", actor=staff)
    year = timezone.localdate().year
    assert note.number == f"A-{year}-0001"
    assert note.kind == Invoice.Kind.CREDIT_NOTE and note.credited_invoice == invoice
    assert note.total_gross == invoice.total_gross == Decimal("776.00")
    assert [line.label for line in note.lines.all()] == ["Support", "Formation"]
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.SETTLED


def test_a_partial_credit_note_leaves_the_rest_to_pay(sme, staff):
    invoice = invoice_issue(invoice=draft_with_lines(sme, staff, ("Support", "1", "480", "0")),
                            actor=staff)
    note = credit_note_issue(invoice=invoice, reason="Geste commercial", actor=staff,
                             amount=Decimal("80.00"))
    assert note.total_gross == Decimal("80.00")
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED
    with pytest.raises(ValidationError):
        credit_note_issue(invoice=invoice, reason="Trop", actor=staff, amount=Decimal("400.01"))
    with pytest.raises(ValidationError):
        credit_note_issue(invoice=invoice, reason="", actor=staff, amount=Decimal("1"))
    with pytest.raises(ValidationError):
        credit_note_issue(invoice=note, reason="Avoir d'avoir", actor=staff)
