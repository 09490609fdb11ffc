"""Invoices and credit notes: drafts, their lines, issuing (number, totals), crediting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.staff import require_staff
from algoric.notifications.services import notify
from members.models import Membership, Organisation
from members.selectors.organisations import representatives

from ..models import Invoice, InvoiceEvent, InvoiceLine, LineKind
from ..selectors.identity import association_identity, default_vat_rate
from ..selectors.invoices import amount_due
from ..selectors.usage import organisation_usage
from .amounts import line_amount, totals
from .numbering import number_next

Status = Invoice.Status


def buyer_details(organisation: Organisation) -> dict:
    """The buyer's details as printed on an invoice (JSON-able), from ``organisation``."""
    return {"name": organisation.name, "address": organisation.address,
            "postal_code": organisation.postal_code, "city": organisation.city,
            "country": organisation.country, "siret": organisation.siret,
            "vat_number": organisation.vat_number, "kind": organisation.kind,
            "chorus_service_code": organisation.chorus_service_code,
            "purchase_order_number": organisation.purchase_order_number,
            "email": organisation.contact_email}


def _require_draft(invoice: Invoice) -> None:
    if not invoice.is_draft:
        raise ValidationError(_("An issued invoice cannot be changed; issue a credit note."))


@transaction.atomic
def invoice_create(*, organisation: Organisation, actor, membership: Membership | None = None,
                   period_start: dt.date | None = None, period_end: dt.date | None = None,
                   note: str = "") -> Invoice:
    """Create a draft invoice to ``organisation`` (staff only), in its language.

    ``actor`` ``None`` is the system (the beat task that drafts periodic usage invoices).
    Raises ``PermissionDenied`` for non-staff, ``ValidationError`` for a period that ends
    before it starts or a membership of another organisation.
    """
    if actor is not None:
        require_staff(actor)
    if period_start and period_end and period_end < period_start:
        raise ValidationError(_("The period ends before it starts."))
    if membership is not None and membership.organisation_id != organisation.pk:
        raise ValidationError(_("This membership is another organisation's."))
    invoice = Invoice.objects.create(
        organisation=organisation, membership=membership, period_start=period_start,
        period_end=period_end, note=note.strip(), language=organisation.language,
        created_by=actor)
    InvoiceEvent.objects.create(invoice=invoice, actor=actor, to_status=Status.DRAFT)
    return invoice


@transaction.atomic
def invoice_add_line(*, invoice: Invoice, label: str, quantity: Decimal, unit_price: Decimal,
                     actor, unit: str = "", kind: str = LineKind.SERVICE,
                     vat_rate: Decimal | None = None,
                     resource_id: int | None = None) -> InvoiceLine:
    """Add a line to a draft (staff only): ``quantity`` (in ``unit``) × ``unit_price``
    (EUR, excluding VAT) at ``vat_rate`` percent (default: the association's, see
    :func:`billing.selectors.identity.default_vat_rate`); its amount is rounded half up.

    ``actor`` ``None`` is the system. Raises ``PermissionDenied``, ``ValidationError``
    (issued invoice, empty label, negative amount, rate outside 0–100).
    """
    if actor is not None:
        require_staff(actor)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    _require_draft(invoice)
    label = (label or "").strip()
    quantity, unit_price = Decimal(quantity), Decimal(unit_price)
    vat_rate = default_vat_rate() if vat_rate is None else Decimal(vat_rate)
    if not label:
        raise ValidationError(_("Give the line a label."))
    if quantity < 0 or unit_price < 0:
        raise ValidationError(_("Quantities and prices cannot be negative; issue a credit "
                                "note to give money back."))
    if not 0 <= vat_rate <= 100:
        raise ValidationError(_("A VAT rate is between 0 and 100 %."))
    position = invoice.lines.count() + 1
    return InvoiceLine.objects.create(
        invoice=invoice, position=position, kind=kind, label=label[:300], quantity=quantity,
        unit=unit[:40], unit_price=unit_price, vat_rate=vat_rate,
        net_amount=line_amount(quantity=quantity, unit_price=unit_price),
        resource_id_ref=resource_id)


def invoice_add_membership_fee(*, invoice: Invoice, actor) -> InvoiceLine:
    """Add the line of the yearly fee of the invoice's membership (staff only).

    Raises ``ValidationError`` when the invoice is for no membership or the fee is waived.
    """
    membership = invoice.membership
    if membership is None:
        raise ValidationError(_("This invoice is for no membership."))
    if membership.status == Membership.Status.WAIVED:
        raise ValidationError(_("This membership's fee is waived."))
    with translation.override(invoice.language):
        label = _("Membership fee %(year)s — %(kind)s") % {
            "year": membership.year, "kind": invoice.organisation.get_kind_display()}
        return invoice_add_line(invoice=invoice, label=label, quantity=Decimal(1),
                                unit=_("year"), unit_price=membership.fee,
                                kind=LineKind.MEMBERSHIP, actor=actor)


def invoice_add_usage(*, invoice: Invoice, actor) -> list[InvoiceLine]:
    """Add one line per resource the organisation's projects used in the invoice's period,
    at the catalogue's price for its kind (staff only). Returns the lines added.

    Raises ``ValidationError`` without a period, or when a used resource has no price
    for the organisation's kind (staff must set it first: nothing is added).
    """
    if not (invoice.period_start and invoice.period_end):
        raise ValidationError(_("Give the invoice a period first."))
    used = organisation_usage(organisation=invoice.organisation, start=invoice.period_start,
                              end=invoice.period_end)
    unpriced = [use.resource.name for use in used if use.unit_price is None]
    if unpriced:
        raise ValidationError(_("No price is set for this kind of organisation on: "
                                "%(resources)s.") % {"resources": ", ".join(unpriced)})
    lines = []
    with transaction.atomic(), translation.override(invoice.language):
        for use in used:
            label = _("%(resource)s, %(start)s to %(end)s") % {
                "resource": use.resource.name,
                "start": invoice.period_start.strftime("%d/%m/%Y"),
                "end": invoice.period_end.strftime("%d/%m/%Y")}
            lines.append(invoice_add_line(
                invoice=invoice, label=label, quantity=use.quantity, unit=use.resource.unit,
                unit_price=use.unit_price, kind=LineKind.USAGE, resource_id=use.resource.pk,
                actor=actor))
    return lines


@transaction.atomic
def invoice_draft(*, organisation: Organisation, actor, membership_year: int | None = None,
                  period_start: dt.date | None = None, period_end: dt.date | None = None,
                  note: str = "") -> Invoice:
    """A new draft with its lines (staff only): the membership fee of ``membership_year``
    when given, the computing used from ``period_start`` to ``period_end`` when given.
    All or nothing. Raises ``PermissionDenied``, ``ValidationError`` (no membership that
    year, and those of :func:`invoice_create`, :func:`invoice_add_membership_fee`,
    :func:`invoice_add_usage`)."""
    membership = None
    if membership_year:
        membership = Membership.objects.filter(organisation=organisation,
                                               year=membership_year).first()
        if membership is None:
            raise ValidationError(_("This organisation has no membership that year."))
    invoice = invoice_create(organisation=organisation, membership=membership,
                             period_start=period_start, period_end=period_end, note=note,
                             actor=actor)
    if membership is not None:
        invoice_add_membership_fee(invoice=invoice, actor=actor)
    if period_start:
        invoice_add_usage(invoice=invoice, actor=actor)
    return invoice


@transaction.atomic
def invoice_issue(*, invoice: Invoice, actor, issued_on: dt.date | None = None) -> Invoice:
    """Issue a draft (staff only): give it the next number of its series and year, fix
    its totals and copy the seller's and buyer's details — one transaction.

    The due date is ``INVOICE_PAYMENT_DAYS`` after ``issued_on`` (default today). The
    Factur-X PDF is made after commit (``billing.tasks.invoice_pdf_enqueue_on_commit``,
    called by the caller). Raises ``PermissionDenied``, ``ValidationError`` (already
    issued, no line, a date in the future).
    """
    require_staff(actor)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    _require_draft(invoice)
    issued_on = issued_on or timezone.localdate()
    if issued_on > timezone.localdate():
        raise ValidationError(_("An invoice cannot be dated in the future."))
    lines = list(invoice.lines.all())
    if not lines:
        raise ValidationError(_("An invoice needs at least one line."))
    result = totals((line.net_amount, line.vat_rate) for line in lines)
    number = number_next(series=Invoice.SERIES[invoice.kind], year=issued_on.year)
    Invoice.objects.filter(pk=invoice.pk, status=Status.DRAFT).update(
        status=Status.ISSUED, number=number, issued_on=issued_on,
        due_on=issued_on + dt.timedelta(days=settings.INVOICE_PAYMENT_DAYS),
        total_net=result.net, total_vat=result.vat, total_gross=result.gross,
        seller=association_identity(), buyer=buyer_details(invoice.organisation),
        issued_by=actor, updated_at=timezone.now())
    InvoiceEvent.objects.create(invoice=invoice, actor=actor, from_status=Status.DRAFT,
                                to_status=Status.ISSUED, note=number)
    invoice.refresh_from_db()
    audit_record(action="invoice.issued", actor=actor, target=invoice,
                 detail={"number": number, "total": str(result.gross)})
    if invoice.kind == Invoice.Kind.INVOICE:
        for user in representatives(invoice.organisation):
            notify(event="invoice_issued", recipient=user, language=invoice.language,
                   context={"invoice": invoice, "organisation": invoice.organisation},
                   dedupe_key=f"invoice_issued:{invoice.pk}:{user.pk}")
    return invoice


@transaction.atomic
def credit_note_issue(*, invoice: Invoice, reason: str, actor,
                      amount: Decimal | None = None) -> Invoice:
    """Issue a credit note against an issued invoice (staff only): the whole invoice
    (its lines again) or, with ``amount`` (EUR including VAT), part of what is left.

    A partial credit note has one line at the invoice's first VAT rate. When nothing is
    left to pay the invoice becomes ``settled`` (or stays ``paid``). Returns the issued
    credit note. Raises ``PermissionDenied``, ``ValidationError`` (a draft or a credit
    note, no reason, an amount ≤ 0 or above what is left to credit).
    """
    require_staff(actor)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    reason = (reason or "").strip()
    if invoice.is_draft or invoice.kind != Invoice.Kind.INVOICE:
        raise ValidationError(_("Only an issued invoice can be credited."))
    if not reason:
        raise ValidationError(_("Say why the invoice is credited."))
    credited = sum((note.total_gross for note in invoice.credit_notes.issued()), Decimal(0))
    left = invoice.total_gross - credited
    if amount is not None and not Decimal(0) < Decimal(amount) <= left:
        raise ValidationError(_("A credit note is for more than 0 and at most %(left)s €.")
                              % {"left": left})
    note = Invoice.objects.create(
        kind=Invoice.Kind.CREDIT_NOTE, organisation=invoice.organisation,
        credited_invoice=invoice, language=invoice.language, note=reason,
        period_start=invoice.period_start, period_end=invoice.period_end, created_by=actor)
    InvoiceEvent.objects.create(invoice=note, actor=actor, to_status=Status.DRAFT)
    with translation.override(invoice.language):
        if amount is None:
            if credited:
                raise ValidationError(_("This invoice is already credited in part; give the "
                                        "amount to credit."))
            for line in invoice.lines.all():
                invoice_add_line(invoice=note, label=line.label, quantity=line.quantity,
                                 unit=line.unit, unit_price=line.unit_price, kind=line.kind,
                                 vat_rate=line.vat_rate, resource_id=line.resource_id_ref,
                                 actor=actor)
        else:
            rate = invoice.lines.first().vat_rate
            net = (Decimal(amount) * 100 / (100 + rate)).quantize(Decimal("0.0001"))
            invoice_add_line(invoice=note, label=_("Credit on invoice %(number)s") % {
                "number": invoice.number}, quantity=Decimal(1), unit_price=net, vat_rate=rate,
                actor=actor)
    note = invoice_issue(invoice=note, actor=actor)
    if invoice.status == Status.ISSUED and amount_due(invoice) == 0:
        Invoice.objects.filter(pk=invoice.pk).update(status=Status.SETTLED)
        InvoiceEvent.objects.create(invoice=invoice, actor=actor, from_status=Status.ISSUED,
                                    to_status=Status.SETTLED, note=note.number)
    return note
