"""Billing data: invoices (+ lines, payments, counters, events) and quotes (+ lines)."""

from .invoices import (
    Invoice,
    InvoiceCounter,
    InvoiceEvent,
    InvoiceImmutableError,
    InvoiceLine,
    LineKind,
    Payment,
)
from .quotes import Quote, QuoteLine

__all__ = ["Invoice", "InvoiceCounter", "InvoiceEvent", "InvoiceImmutableError",
           "InvoiceLine", "LineKind", "Payment", "Quote", "QuoteLine"]
