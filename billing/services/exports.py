"""Exports for the accountant: the period's documents and payments, the unpaid list.

CSV, not localised (ISO dates, a dot in decimals), UTF-8; a text cell that a spreadsheet
could read as a formula (``= + - @``, tab, carriage return: OWASP "CSV injection") gets a
leading apostrophe.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.utils import timezone

from ..models import Invoice, Payment
from ..selectors.invoices import unpaid_invoices
from .amounts import totals

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: Columns of the accounting export.
ACCOUNTING_HEADER = ["date", "type", "number", "invoice", "organisation", "siret",
                     "vat_number", "vat_rate", "net", "vat", "gross", "method", "reference"]
#: Columns of the unpaid list.
UNPAID_HEADER = ["number", "organisation", "issued_on", "due_on", "total", "due",
                 "age_days", "overdue_days"]


def csv_cell(value) -> str:
    """One cell: ISO dates, decimals with a dot, formula-like text neutralised."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _csv(header: list[str], rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()


def accounting_rows(*, start: dt.date, end: dt.date) -> list[list]:
    """Rows of the accounting export for ``start`` to ``end`` (both included).

    One row per issued invoice or credit note **and VAT rate** (``net``, ``vat``,
    ``gross`` of that rate's lines, EUR; credit notes negative), then one row per payment
    received (``gross`` = the amount). Ordered by date, then number. Two queries plus
    one per document for its lines.
    """
    rows = []
    documents = (Invoice.objects.issued().filter(issued_on__gte=start, issued_on__lte=end)
                 .select_related("organisation", "credited_invoice")
                 .prefetch_related("lines").order_by("issued_on", "number"))
    for document in documents:
        sign = -1 if document.kind == Invoice.Kind.CREDIT_NOTE else 1
        for group in totals((line.net_amount, line.vat_rate)
                            for line in document.lines.all()).groups:
            rows.append([document.issued_on, document.kind, document.number,
                         document.credited_invoice.number if document.credited_invoice else "",
                         document.buyer.get("name", ""), document.buyer.get("siret", ""),
                         document.buyer.get("vat_number", ""), group.rate,
                         sign * group.basis, sign * group.vat,
                         sign * (group.basis + group.vat), "", ""])
    for payment in (Payment.objects.filter(paid_on__gte=start, paid_on__lte=end)
                    .select_related("invoice").order_by("paid_on", "pk")):
        invoice = payment.invoice
        rows.append([payment.paid_on, "payment", "", invoice.number,
                     invoice.buyer.get("name", ""), invoice.buyer.get("siret", ""),
                     invoice.buyer.get("vat_number", ""), None, None, None, payment.amount,
                     payment.method, payment.reference])
    rows.sort(key=lambda row: (row[0], row[1] == "payment", row[2] or row[3]))
    return rows


def accounting_csv(*, start: dt.date, end: dt.date) -> str:
    """The accounting export (:func:`accounting_rows`) as CSV text, header first."""
    return _csv(ACCOUNTING_HEADER, accounting_rows(start=start, end=end))


def unpaid_csv(*, today: dt.date | None = None) -> str:
    """The invoices not paid in full, oldest first, with what is due and their ages."""
    today = today or timezone.localdate()
    return _csv(UNPAID_HEADER, ([unpaid.invoice.number, unpaid.invoice.buyer.get("name", ""),
                                 unpaid.invoice.issued_on, unpaid.invoice.due_on,
                                 unpaid.invoice.total_gross, unpaid.due, unpaid.age_days,
                                 unpaid.overdue_days]
                                for unpaid in unpaid_invoices(today=today)))
