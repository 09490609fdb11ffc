"""The EN 16931 (Factur-X) XML of an issued invoice or credit note, built with drafthorse.

Profile: Factur-X 1.0.07 ``EN16931`` (``urn:cen.eu:en16931:2017``). drafthorse checks
the XML against that profile's XSD when it serialises it; ``factur-x`` checks it again
when it embeds it in the PDF/A-3 (``billing.services.documents``). Codes:

- document type (UNTDID 1001): 380 commercial invoice, 381 credit note;
- seller and buyer legal identifiers (ISO 6523 ICD): 0002 SIREN, 0009 SIRET;
- VAT category (UNTDID 5305): S standard rate, E exempt — with the exemption's mention
  (``ASSOCIATION_VAT_EXEMPTION``, e.g. art. 293 B du CGI) as its reason (BT-120);
- payment means (UNTDID 4461): 58 SEPA credit transfer, to the association's IBAN;
- unit (UN/ECE Rec. 20): HUR hours for core-hours and GPU-hours, C62 "one" otherwise.
"""

from __future__ import annotations

from decimal import Decimal

from drafthorse.models.accounting import ApplicableTradeTax
from drafthorse.models.document import Document
from drafthorse.models.note import IncludedNote
from drafthorse.models.party import TaxRegistration
from drafthorse.models.payment import PaymentMeans, PaymentTerms
from drafthorse.models.tradelines import LineItem

from ..models import Invoice, LineKind
from .amounts import totals

#: Factur-X profile of the XML, as drafthorse names its schema.
SCHEMA = "FACTUR-X_EN16931"
GUIDELINE = "urn:cen.eu:en16931:2017"
TYPE_CODES = {Invoice.Kind.INVOICE: "380", Invoice.Kind.CREDIT_NOTE: "381"}


def _unit_code(line) -> str:
    return "HUR" if line.kind == LineKind.USAGE else "C62"


def _party(party, details: dict, *, scheme: str, legal_id: str) -> None:
    party.name = details["name"]
    if legal_id:
        party.legal_organization.id = (scheme, legal_id)
    party.address.line_one = (details.get("address") or "").replace("\n", ", ")[:200]
    party.address.postcode = details.get("postal_code", "")
    party.address.city_name = details.get("city", "")
    party.address.country_id = details.get("country_code") or "FR"


def invoice_xml(invoice: Invoice) -> bytes:
    """The Factur-X EN 16931 XML of ``invoice`` (issued), as bytes (UTF-8).

    Totals are those stored at issue; the VAT breakdown is recomputed from the lines by
    the same rule (``billing.services.amounts.totals``), so it adds up to them. Raises
    ``ValueError`` for a draft, and whatever drafthorse raises when the XML does not
    match the profile's XSD.
    """
    if invoice.is_draft:
        raise ValueError("a draft has no Factur-X XML")
    seller, buyer = invoice.seller, invoice.buyer
    lines = list(invoice.lines.all())
    doc = Document()
    doc.context.guideline_parameter.id = GUIDELINE
    doc.header.id = invoice.number
    doc.header.type_code = TYPE_CODES[invoice.kind]
    doc.header.issue_date_time = invoice.issued_on
    for text in (seller.get("vat_exemption"), invoice.note):
        if text:
            note = IncludedNote()
            note.content = text[:1000]
            doc.header.notes.add(note)

    agreement = doc.trade.agreement
    _party(agreement.seller, seller, scheme="0002", legal_id=seller.get("siren", ""))
    _party(agreement.buyer, {**buyer, "country_code": "FR"}, scheme="0009",
           legal_id=buyer.get("siret", ""))
    if seller.get("vat_number"):
        agreement.seller.tax_registrations.add(_tax_registration(seller["vat_number"]))
    if buyer.get("vat_number"):
        agreement.buyer.tax_registrations.add(_tax_registration(buyer["vat_number"]))
    if buyer.get("chorus_service_code"):
        agreement.buyer_reference = buyer["chorus_service_code"]
    if buyer.get("purchase_order_number"):
        agreement.buyer_order.issuer_assigned_id = buyer["purchase_order_number"]
    if invoice.credited_invoice_id:
        doc.trade.settlement.invoice_referenced_document.issuer_assigned_id = (
            invoice.credited_invoice.number)

    settlement = doc.trade.settlement
    settlement.currency_code = "EUR"
    if seller.get("iban"):
        means = PaymentMeans()
        means.type_code = "58"
        means.payee_account.iban = seller["iban"]
        settlement.payment_means.add(means)
    if invoice.due_on and invoice.kind == Invoice.Kind.INVOICE:
        terms = PaymentTerms()
        terms.description = f"{(invoice.due_on - invoice.issued_on).days} jours"
        terms.due = invoice.due_on
        settlement.terms.add(terms)

    exemption = seller.get("vat_exemption") or "Exonération de TVA"
    for line in lines:
        item = LineItem()
        item.document.line_id = str(line.position)
        item.product.name = line.label
        item.agreement.net.amount = line.unit_price
        item.delivery.billed_quantity = (line.quantity, _unit_code(line))
        item.settlement.trade_tax.type_code = "VAT"
        item.settlement.trade_tax.category_code = "S" if line.vat_rate else "E"
        item.settlement.trade_tax.rate_applicable_percent = line.vat_rate
        item.settlement.monetary_summation.total_amount = line.net_amount
        doc.trade.items.add(item)
    for group in totals((line.net_amount, line.vat_rate) for line in lines).groups:
        tax = ApplicableTradeTax()
        tax.calculated_amount = group.vat
        tax.basis_amount = group.basis
        tax.type_code = "VAT"
        tax.category_code = "S" if group.rate else "E"
        if not group.rate:
            tax.exemption_reason = exemption
        tax.rate_applicable_percent = group.rate
        settlement.trade_tax.add(tax)

    summation = settlement.monetary_summation
    summation.line_total = invoice.total_net
    summation.charge_total = Decimal("0.00")
    summation.allowance_total = Decimal("0.00")
    summation.tax_basis_total = invoice.total_net
    summation.tax_total = (invoice.total_vat, "EUR")
    summation.grand_total = invoice.total_gross
    summation.prepaid_total = Decimal("0.00")
    summation.due_amount = invoice.total_gross
    return doc.serialize(schema=SCHEMA)


def _tax_registration(number: str) -> TaxRegistration:
    return TaxRegistration(id=("VA", number))
