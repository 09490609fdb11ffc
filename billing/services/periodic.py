"""Drafts of the periodic usage invoices: each organisation's computing, every month,
quarter or year (``Organisation.usage_invoicing``), for staff to check and issue."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from members.models import Organisation

from ..models import Invoice
from .invoices import invoice_add_usage, invoice_create

#: Months a period of each frequency lasts.
PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


def period_ended(*, frequency: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The period of ``frequency`` that ended with last month, as ``(first day, last day)``,
    or ``None`` when last month did not end one (quarters end in March, June, September
    and December; years in December)."""
    last_day = today.replace(day=1) - dt.timedelta(days=1)
    months = PERIOD_MONTHS.get(frequency)
    if months is None or last_day.month % months:
        return None
    first_month = last_day.month - months + 1
    return dt.date(last_day.year, first_month, 1), last_day


def usage_invoices_draft_due(*, today: dt.date | None = None) -> list[Invoice]:
    """Draft the usage invoice of every organisation whose invoicing period ended with last
    month, once (a period already invoiced, draft or issued, is skipped), when it used
    something. A resource without a price for the organisation's kind leaves that draft
    out (logged as no draft). Returns the drafts made."""
    today = today or timezone.localdate()
    drafts = []
    for organisation in Organisation.objects.exclude(usage_invoicing="").order_by("name"):
        period = period_ended(frequency=organisation.usage_invoicing, today=today)
        if period is None or organisation.invoices.filter(
                kind=Invoice.Kind.INVOICE, period_start=period[0], period_end=period[1]).exists():
            continue
        try:
            with transaction.atomic():
                invoice = invoice_create(organisation=organisation, period_start=period[0],
                                         period_end=period[1], actor=None)
                if not invoice_add_usage(invoice=invoice, actor=None):
                    transaction.set_rollback(True)
                    continue
        except ValidationError:
            continue
        drafts.append(invoice)
    return drafts
