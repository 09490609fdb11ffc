"""Gapless document numbers: one counter row per series and year, locked while used."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from ..models import InvoiceCounter


def number_next(*, series: str, year: int) -> str:
    """Take the next number of ``series`` (``F`` invoices, ``A`` credit notes, ``D``
    quotes) in ``year``: ``F-2027-0001``, ``F-2027-0002``, …

    Must run inside the caller's transaction (``transaction.atomic``): the counter row
    stays locked (``SELECT … FOR UPDATE``) until it commits, so concurrent callers wait
    and get consecutive numbers, and a rollback gives the number back — no gap, no
    duplicate. Raises ``TransactionManagementError`` outside a transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("number_next() needs a transaction")
    try:
        with transaction.atomic():
            InvoiceCounter.objects.get_or_create(series=series, year=year)
    except IntegrityError:
        pass  # another transaction created the row at the same moment: it exists now
    counter = InvoiceCounter.objects.select_for_update().get(series=series, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{series}-{year}-{counter.last_number:04d}"
