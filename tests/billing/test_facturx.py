"""Every issued invoice is a Factur-X PDF: the XML inside passes the XSD and its totals
are the invoice's."""

import io
import re
from decimal import Decimal

import facturx
import pytest
from django.db import transaction
from lxml import etree
from pypdf import PdfReader

from billing.services.documents import invoice_pdf_bytes, invoice_pdf_for_download
from billing.services.invoices import (
    credit_note_issue,
    invoice_add_line,
    invoice_create,
    invoice_issue,
)
from billing.tasks import invoice_pdf_enqueue_on_commit

pytestmark = pytest.mark.django_db

NS = {"rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
      "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}


def xml_of(pdf: bytes):
    filename, xml = facturx.get_xml_from_pdf(pdf, check_xsd=True)
    assert filename == "factur-x.xml"
    return etree.fromstring(xml)


def summation(root) -> dict:
    node = root.find(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation", NS)
    return {child.tag.split("}")[1]: Decimal(child.text) for child in node}


@pytest.fixture
def invoice(sme, staff):
    draft = invoice_create(organisation=sme, actor=staff, note="Bon de commande 42")
    invoice_add_line(invoice=draft, label="Support", quantity=Decimal("1.5"),
                     unit_price=Decimal("480"), vat_rate=Decimal("20"), actor=staff)
    invoice_add_line(invoice=draft, label="Calcul CPU", quantity=Decimal("12345.6789"),
                     unit_price=Decimal("0.0125"), vat_rate=Decimal("20"), actor=staff)
    invoice_add_line(invoice=draft, label="Formation", quantity=1, unit_price=Decimal("350"),
                     vat_rate=Decimal("0"), actor=staff)
    return invoice_issue(invoice=draft, actor=staff)


def test_the_invoice_pdf_embeds_en16931_xml_whose_totals_are_the_invoices(invoice):
    pdf = invoice_pdf_bytes(invoice)
    root = xml_of(pdf)
    assert facturx.get_level(root) == "en16931"
    assert root.find(".//rsm:ExchangedDocument/ram:ID", NS).text == invoice.number
    sums = summation(root)
    assert sums["LineTotalAmount"] == invoice.total_net
    assert sums["TaxTotalAmount"] == invoice.total_vat
    assert sums["GrandTotalAmount"] == invoice.total_gross
    assert sums["DuePayableAmount"] == invoice.total_gross
    line_totals = [Decimal(node.text) for node in root.findall(
        ".//ram:SpecifiedLineTradeSettlement//ram:LineTotalAmount", NS)]
    assert sum(line_totals) == invoice.total_net == Decimal("1224.32")
    taxes = {Decimal(tax.find("ram:RateApplicablePercent", NS).text):
             Decimal(tax.find("ram:CalculatedAmount", NS).text)
             for tax in root.findall(
                 ".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", NS)}
    assert sum(taxes.values()) == invoice.total_vat
    assert taxes[Decimal("0.00")] == 0


def test_the_pdf_is_pdf_a_3_with_the_xml_as_an_associated_file(invoice):
    reader = PdfReader(io.BytesIO(invoice_pdf_bytes(invoice)))
    assert "factur-x.xml" in reader.attachments
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r'pdfaid:part(>|=")3', xmp), xmp[:2000]


def test_an_exempt_association_prints_the_mention_and_codes_the_vat_exempt(sme, staff,
                                                                           settings):
    settings.ASSOCIATION_VAT_NUMBER = ""
    draft = invoice_create(organisation=sme, actor=staff)
    invoice_add_line(invoice=draft, label="Cotisation", quantity=1, unit_price=Decimal("250"),
                     actor=staff)
    invoice = invoice_issue(invoice=draft, actor=staff)
    assert invoice.total_vat == 0
    root = xml_of(invoice_pdf_bytes(invoice))
    tax = root.find(".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", NS)
    assert tax.find("ram:CategoryCode", NS).text == "E"
    assert tax.find("ram:ExemptionReason", NS).text == settings.ASSOCIATION_VAT_EXEMPTION


def test_a_credit_note_is_a_factur_x_381_referring_to_its_invoice(invoice, staff):
    note = credit_note_issue(invoice=invoice, reason="Erreur", actor=staff)
    root = xml_of(invoice_pdf_bytes(note))
    assert root.find(".//rsm:ExchangedDocument/ram:TypeCode", NS).text == "381"
    assert root.find(".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID",
                     NS).text == invoice.number
    assert summation(root)["GrandTotalAmount"] == invoice.total_gross


def test_the_pdf_is_stored_once_after_issue_and_then_never_made_again(
        invoice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        invoice_pdf_enqueue_on_commit(invoice)
    invoice.refresh_from_db()
    assert invoice.pdf
    name = invoice.pdf.name
    data = invoice_pdf_for_download(invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.pdf.name == name
    assert summation(xml_of(data))["GrandTotalAmount"] == invoice.total_gross
