"""The quote, the invoice and the receipt in French and English, printed to PNG
(``pdftoppm``) for a person to look at: ``var/screenshots/billing-<document>-<lang>.png``."""

import datetime as dt
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone, translation

from billing.services.documents import invoice_pdf_bytes, quote_pdf_bytes, receipt_pdf_bytes
from billing.services.invoices import (
    invoice_add_line,
    invoice_add_membership_fee,
    invoice_create,
    invoice_issue,
)
from billing.services.payments import payment_record
from billing.services.quotes import quote_create
from projects.models import ResourceRequest
from resources.models import UNITS, ResourceKind

from ..factories import (
    MembershipFactory,
    ProjectFactory,
    ResourceFactory,
    ResourcePriceFactory,
    ResourceRequestCellFactory,
    ResourceRequestFactory,
    ResourceRequestRowFactory,
)

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm")]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def to_png(pdf: bytes, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    source = SCREENSHOTS / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(source),
                    str(SCREENSHOTS / name)], check=True, timeout=60)
    return SCREENSHOTS / f"{name}.png"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_documents_print_in_both_languages(sme, staff, representative, language):
    sme.language = language
    sme.save()
    today = timezone.localdate()
    membership = MembershipFactory(organisation=sme, fee=Decimal("250.00"))
    fee = invoice_create(organisation=sme, membership=membership, actor=staff)
    invoice_add_membership_fee(invoice=fee, actor=staff)
    fee = invoice_issue(invoice=fee, actor=staff)
    payment_record(invoice=fee, amount=fee.total_gross, paid_on=today, reference="VIR 2026-117",
                   actor=staff)
    fee.refresh_from_db()

    cpu = ResourcePriceFactory(price_per_unit=Decimal("0.0125")).resource
    gpu = ResourceFactory(gpu=True, name="GPU V100")
    ResourcePriceFactory(resource=gpu, price_per_unit=Decimal("0.45"))
    with translation.override(language):
        cpu_unit, gpu_unit = cpu.unit, str(UNITS[ResourceKind.GPU])
    usage = invoice_create(organisation=sme, actor=staff, note="Calcul du premier semestre",
                           period_start=dt.date(today.year, 1, 1),
                           period_end=dt.date(today.year, 6, 30))
    invoice_add_line(invoice=usage, label=f"{cpu.name}, 01/01 – 30/06", quantity=Decimal(
        "182345.5"), unit=cpu_unit, unit_price=Decimal("0.0125"), actor=staff)
    invoice_add_line(invoice=usage, label="GPU V100, 01/01 – 30/06", quantity=Decimal("412.25"),
                     unit=gpu_unit, unit_price=Decimal("0.45"), actor=staff)
    invoice_add_line(invoice=usage, label="Formation MPI (1 jour)", quantity=1,
                     unit_price=Decimal("350"), actor=staff)
    usage = invoice_issue(invoice=usage, actor=staff)

    project = ProjectFactory(organisation=sme, pi=representative, acronym="EOLIEN",
                             title="Sillage des éoliennes en mer")
    request = ResourceRequestFactory(project=project, status=ResourceRequest.Status.SUBMITTED)
    row = ResourceRequestRowFactory(request=request, resource=cpu)
    ResourceRequestCellFactory(row=row, year=project.starts_on.year, requested=100_000)
    ResourceRequestCellFactory(row=row, year=project.starts_on.year + 1, requested=150_000)
    ResourceRequestCellFactory(row=ResourceRequestRowFactory(request=request, resource=gpu),
                               year=project.starts_on.year, requested=500)
    quote = quote_create(request=request, actor=staff)

    for name, pdf in (("invoice", invoice_pdf_bytes(usage)),
                      ("receipt", receipt_pdf_bytes(invoice=fee)),
                      ("quote", quote_pdf_bytes(quote))):
        png = to_png(pdf, f"billing-{name}-{language}")
        assert png.stat().st_size > 5_000
