"""The PDFs of billing: Factur-X invoices and credit notes, quotes, receipts.

Each is an HTML template under ``templates/billing/pdf/`` printed by WeasyPrint as
PDF/A-3b (``pdf_variant="pdf/a-3b"``), in the document's language. An invoice's PDF then
gets its EN 16931 XML embedded by ``factur-x`` (``generate_from_binary``, which checks
the XML against the Factur-X XSD first): that file is the invoice, stored privately once
and never made again. Nothing is fetched while printing: the templates hold their own CSS
and the URL fetcher refuses every URL.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

import facturx
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from ..models import Invoice, Payment, Quote
from ..selectors.invoices import amount_due
from .amounts import totals
from .facturx import invoice_xml

logger = logging.getLogger(__name__)

#: Folder (private storage) of the stored PDFs; names are random (uuid4).
FOLDER = "billing"
#: Art. D441-5 of the Code de commerce: the fixed indemnity for recovery costs owed by a
#: professional buyer paying late (EUR).
RECOVERY_INDEMNITY_EUR = 40


def _refuse_every_url(url, *args, **kwargs):
    raise ValueError(f"billing documents fetch nothing: {url[:200]}")


def pdf_from_html(html: str) -> bytes:
    """Print ``html`` to PDF/A-3b with WeasyPrint, fetching nothing; returns the bytes."""
    from weasyprint import HTML  # imported here: loads Pango, needed only for PDFs

    return HTML(string=html, url_fetcher=_refuse_every_url).write_pdf(pdf_variant="pdf/a-3b")


def late_payment_terms(buyer_kind: str) -> dict:
    """What an invoice says of late payment (art. L441-10 of the Code de commerce).

    Returns ``{"rate": the penalty rate setting (percent a year, "" for the legal
    default: the ECB's refinancing rate plus 10 points), "indemnity": 40 (EUR, art.
    D441-5) for a professional buyer, ``None`` for an individual member}``.
    """
    professional = buyer_kind != "individual"
    return {"rate": settings.INVOICE_LATE_PENALTY_RATE,
            "indemnity": RECOVERY_INDEMNITY_EUR if professional else None}


def invoice_html(invoice: Invoice) -> str:
    """The HTML of an issued invoice or credit note, in its language."""
    lines = list(invoice.lines.all())
    with translation.override(invoice.language):
        return render_to_string("billing/pdf/invoice.html", {
            "invoice": invoice, "lines": lines, "seller": invoice.seller,
            "buyer": invoice.buyer,
            "vat_groups": totals((line.net_amount, line.vat_rate) for line in lines).groups,
            "late": late_payment_terms(invoice.buyer.get("kind", "")),
            "is_credit_note": invoice.kind == Invoice.Kind.CREDIT_NOTE,
        })


def invoice_pdf_bytes(invoice: Invoice) -> bytes:
    """The Factur-X PDF of an issued invoice: the PDF/A-3b print with its EN 16931 XML
    embedded (``factur-x`` checks the XML's XSD; raises on a failure)."""
    pdf = pdf_from_html(invoice_html(invoice))
    return facturx.generate_from_binary(
        pdf, invoice_xml(invoice), flavor="factur-x", level="en16931", check_xsd=True,
        lang=invoice.language,
        pdf_metadata={"author": invoice.seller.get("name", ""), "keywords": "Factur-X",
                      "title": invoice.number, "subject": invoice.number})


@transaction.atomic
def invoice_pdf_store(*, invoice: Invoice) -> bool:
    """Make and store the Factur-X PDF of an issued invoice once (idempotent).

    Returns ``True`` when it was made now, ``False`` when the invoice is a draft or
    already has its file. The row is locked meanwhile, so two calls make one file.
    """
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.is_draft or locked.pdf:
        return False
    data = invoice_pdf_bytes(locked)
    storage = Invoice._meta.get_field("pdf").storage
    name = storage.save(f"{FOLDER}/{uuid.uuid4().hex}.pdf", ContentFile(data))
    locked.pdf = name
    locked.save(update_fields=["pdf"])
    invoice.pdf = name
    logger.info("invoice PDF stored: %s (%d bytes)", locked.number, len(data))
    return True


def invoice_pdf_for_download(*, invoice: Invoice) -> bytes:
    """The stored Factur-X PDF of an issued invoice, made first if missing."""
    invoice_pdf_store(invoice=invoice)
    invoice.refresh_from_db()
    with invoice.pdf.open("rb") as handle:
        return handle.read()


def receipt_pdf_bytes(*, invoice: Invoice, today: dt.date | None = None) -> bytes:
    """A receipt (reçu) for a membership fee invoice paid in full, in its language.

    Raises ``ValueError`` when the invoice is not a paid membership fee invoice.
    """
    if invoice.membership_id is None or invoice.status != Invoice.Status.PAID:
        raise ValueError("a receipt is for a membership fee paid in full")
    payments: list[Payment] = list(invoice.payments.all())
    with translation.override(invoice.language):
        html = render_to_string("billing/pdf/receipt.html", {
            "invoice": invoice, "seller": invoice.seller, "buyer": invoice.buyer,
            "payments": payments, "membership": invoice.membership,
            "due": amount_due(invoice)})
    return pdf_from_html(html)


def quote_pdf_bytes(quote: Quote) -> bytes:
    """The PDF of ``quote`` in its language (the organisation's when it was made)."""
    lines = list(quote.lines.all())
    with translation.override(quote.language):
        html = render_to_string("billing/pdf/quote.html", {
            "quote": quote, "lines": lines, "seller": quote.seller, "buyer": quote.buyer,
            "vat_groups": totals((line.net_amount, line.vat_rate) for line in lines).groups})
    return pdf_from_html(html)
