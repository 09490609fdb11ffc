"""Billing in the demonstration centre: ``year``'s membership invoices (paid ones with
their payments), one SME's usage invoice with a partial payment, their Factur-X PDFs.

Registered as a demo step (``algoric.core.registries.register_demo_builder``) by the
app's ``ready()``; ``demo_centre`` (in ``projects``, below) runs it last without
importing billing. Safe to run again: a membership or a period already invoiced is left.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError

from members.models import Membership, OrganisationKind
from projects.models import Project

from .models import Invoice
from .services.documents import invoice_pdf_store
from .services.invoices import invoice_draft, invoice_issue
from .services.payments import payment_record


def _issue_day(year: int, today: dt.date) -> dt.date:
    return min(dt.date(year, 1, 15), today)


def demo_membership_invoices(*, staff, year: int, today: dt.date) -> int:
    """Invoice every membership of ``year`` with a fee and not waived; a membership
    already paid gets its payment recorded on its invoice (same date and reference).
    Returns how many invoices were issued."""
    count = 0
    memberships = (Membership.objects.filter(year=year, fee__gt=0)
                   .exclude(status=Membership.Status.WAIVED)
                   .exclude(invoices__isnull=False).select_related("organisation")
                   .order_by("organisation__name"))
    for membership in memberships:
        invoice = invoice_draft(organisation=membership.organisation, membership_year=year,
                                actor=staff)
        invoice = invoice_issue(invoice=invoice, actor=staff, issued_on=_issue_day(year, today))
        if membership.status == Membership.Status.PAID:
            payment_record(invoice=invoice, amount=invoice.total_gross,
                           paid_on=max(membership.paid_on or today, invoice.issued_on),
                           reference=membership.payment_reference or "VIR", actor=staff)
        invoice_pdf_store(invoice=invoice)
        count += 1
    return count


def demo_usage_invoice(*, staff, year: int, today: dt.date, log) -> int:
    """Invoice the computing of an SME from 1 January to the end of last month (last
    year's when it is January), with half of it paid. Returns 1 when it was issued, 0
    when there was nothing to invoice (or it was done already)."""
    end = today.replace(day=1) - dt.timedelta(days=1)
    start = dt.date(end.year, 1, 1)
    if Invoice.objects.filter(period_start=start, kind=Invoice.Kind.INVOICE).exists():
        return 0
    project = (Project.objects.filter(organisation__kind=OrganisationKind.SME)
               .order_by("pk").first())
    if project is None:
        return 0
    try:
        invoice = invoice_draft(organisation=project.organisation, period_start=start,
                                period_end=end, actor=staff)
    except ValidationError as error:
        log(f"  no usage invoice: {'; '.join(error.messages)}")
        return 0
    if not invoice.lines.exists():
        invoice.delete()
        return 0
    invoice = invoice_issue(invoice=invoice, actor=staff, issued_on=today)
    half = (invoice.total_gross / 2).quantize(Decimal("0.01"))
    if half > 0:
        payment_record(invoice=invoice, amount=half, paid_on=today, reference="VIR acompte",
                       actor=staff)
    invoice_pdf_store(invoice=invoice)
    log(f"  usage invoice {invoice.number} to {project.organisation.name}: "
        f"{invoice.total_gross} €, half paid")
    return 1


def demo_billing(*, staff, year: int, today, log) -> dict:
    """The demo step (see the module): returns ``{"invoices": n}``. ``today``: the
    demonstration's date."""
    count = demo_membership_invoices(staff=staff, year=year, today=today)
    count += demo_usage_invoice(staff=staff, year=year, today=today, log=log)
    log(f"Billing: {count} invoices issued ({Invoice.objects.count()} in all).")
    return {"invoices": count}
