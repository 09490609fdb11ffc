"""Usage invoices (summaries × catalogue prices) and receipts of membership fees."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from billing.models import LineKind
from billing.services.documents import receipt_pdf_bytes
from billing.services.invoices import (
    invoice_add_membership_fee,
    invoice_add_usage,
    invoice_create,
    invoice_issue,
)
from billing.services.payments import payment_record

from ..factories import (
    MembershipFactory,
    ProjectFactory,
    ResourceFactory,
    ResourcePriceFactory,
    UsageSummaryFactory,
)

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_usage_invoice_prices_the_periods_use_at_the_catalogue_price(sme, staff):
    cpu = ResourcePriceFactory(price_per_unit=Decimal("0.0125")).resource
    gpu = ResourceFactory(gpu=True)
    ResourcePriceFactory(resource=gpu, price_per_unit=Decimal("0.45"))
    project = ProjectFactory(organisation=sme)
    other = ProjectFactory()  # another organisation's use is not invoiced
    for month, hours in ((dt.date(2026, 1, 1), 1000.5), (dt.date(2026, 3, 1), 2000.0),
                         (dt.date(2026, 4, 1), 9999.0)):
        UsageSummaryFactory(account=project.slurm_account, month=month, core_hours=hours)
    UsageSummaryFactory(account=project.slurm_account, partition="gpu", month=dt.date(2026, 2, 1),
                        core_hours=0, gpu_hours=12.25)
    UsageSummaryFactory(account=other.slurm_account, month=dt.date(2026, 1, 1))
    invoice = invoice_create(organisation=sme, actor=staff, period_start=dt.date(2026, 1, 1),
                             period_end=dt.date(2026, 3, 31))
    lines = invoice_add_usage(invoice=invoice, actor=staff)
    found = {line.resource_id_ref: (line.quantity, line.net_amount, line.kind) for line in lines}
    assert found == {cpu.pk: (Decimal("3000.5000"), Decimal("37.51"), LineKind.USAGE),
                     gpu.pk: (Decimal("12.2500"), Decimal("5.51"), LineKind.USAGE)}


def test_a_usage_invoice_refuses_a_resource_without_price_and_adds_nothing(sme, staff):
    project = ProjectFactory(organisation=sme)
    ResourceFactory()  # the CPU partition, without a price for SMEs
    UsageSummaryFactory(account=project.slurm_account, month=dt.date(2026, 1, 1))
    invoice = invoice_create(organisation=sme, actor=staff, period_start=dt.date(2026, 1, 1),
                             period_end=dt.date(2026, 1, 31))
    with pytest.raises(ValidationError, match="No price"):
        invoice_add_usage(invoice=invoice, actor=staff)
    assert not invoice.lines.exists()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_receipt_is_issued_for_a_fee_paid_in_full_only(sme, staff, language):
    sme.language = language
    sme.save()
    membership = MembershipFactory(organisation=sme)
    invoice = invoice_create(organisation=sme, membership=membership, actor=staff)
    invoice_add_membership_fee(invoice=invoice, actor=staff)
    invoice = invoice_issue(invoice=invoice, actor=staff)
    with pytest.raises(ValueError, match="paid in full"):
        receipt_pdf_bytes(invoice=invoice)
    payment_record(invoice=invoice, amount=invoice.total_gross, paid_on=timezone.localdate(),
                   reference="VIR 77", actor=staff)
    invoice.refresh_from_db()
    text = pdf_text(receipt_pdf_bytes(invoice=invoice))
    assert invoice.number in text and "VIR 77" in text
    assert ("250,00" if language == "fr" else "250.00") in text
