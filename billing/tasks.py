"""Tasks of billing: an issued invoice's Factur-X PDF, the daily overdue reminders."""

from __future__ import annotations

import logging
from functools import partial

from celery import shared_task
from django.db import transaction

from .models import Invoice
from .services.documents import invoice_pdf_store
from .services.periodic import usage_invoices_draft_due
from .services.reminders import invoices_send_overdue_reminders

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def store_invoice_pdf(invoice_id: int) -> bool:
    """Make and store the Factur-X PDF of issued invoice ``invoice_id`` (idempotent:
    ``False`` when it has one already or is gone)."""
    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is None:
        return False
    return invoice_pdf_store(invoice=invoice)


def invoice_pdf_enqueue(invoice_id: int) -> bool:
    """Queue :func:`store_invoice_pdf`. Never raises; ``False`` when the broker is
    unreachable (the PDF is then made at the first download)."""
    try:
        store_invoice_pdf.apply_async(args=[invoice_id])
    except Exception:  # any broker trouble: the download makes the PDF when missing
        logger.warning("invoice PDF %s not queued (broker unavailable)", invoice_id,
                       exc_info=True)
        return False
    return True


def invoice_pdf_enqueue_on_commit(invoice: Invoice) -> None:
    """Queue the PDF of ``invoice`` once the current transaction commits."""
    transaction.on_commit(partial(invoice_pdf_enqueue, invoice.pk))


@shared_task(acks_late=True)
def send_overdue_invoice_reminders() -> int:
    """Remind representatives of invoices past their due date (daily)."""
    return invoices_send_overdue_reminders()


@shared_task(acks_late=True)
def draft_usage_invoices() -> int:
    """Draft the usage invoices of the periods that ended with last month (daily; a
    period is drafted once). Returns how many drafts were made."""
    return len(usage_invoices_draft_due())
