"""Reminders of overdue invoices, through the outbox (event ``invoice_overdue``)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from algoric.notifications.services import notify
from members.selectors.organisations import representatives

from ..selectors.invoices import unpaid_invoices

#: Days past the due date when the representatives are reminded (each step once).
OVERDUE_REMINDER_DAYS = (1, 15, 45)


def invoices_send_overdue_reminders(*, today: dt.date | None = None) -> int:
    """Remind the representatives of each organisation with an invoice past its due date,
    at :data:`OVERDUE_REMINDER_DAYS` days past it (the latest step reached, once each:
    the dedupe key makes a reminder already stored a no-op). Returns how many
    notifications were created."""
    today = today or timezone.localdate()
    created = 0
    for unpaid in unpaid_invoices(today=today):
        steps = [days for days in OVERDUE_REMINDER_DAYS if unpaid.overdue_days >= days]
        if not steps:
            continue
        invoice, step = unpaid.invoice, max(steps)
        for user in representatives(invoice.organisation):
            with transaction.atomic():
                created += notify(
                    event="invoice_overdue", recipient=user, language=invoice.language,
                    context={"invoice": invoice, "organisation": invoice.organisation,
                             "due": unpaid.due, "overdue_days": unpaid.overdue_days},
                    dedupe_key=f"invoice_overdue:{invoice.pk}:{step}:{user.pk}",
                ).created
    return created
