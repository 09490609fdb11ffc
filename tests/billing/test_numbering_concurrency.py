"""Invoices issued at once on real connections: no gap, no duplicate (PostgreSQL)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from billing.models import Invoice
from billing.services.invoices import invoice_add_line, invoice_create, invoice_issue

from ..factories import OrganisationFactory, StaffFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (SELECT … FOR UPDATE) need PostgreSQL; SQLite serialises writers")

THREADS = 8
PER_THREAD = 5


@pytest.mark.django_db(transaction=True)
def test_invoices_issued_at_once_get_consecutive_numbers_without_gap_or_duplicate():
    staff = StaffFactory(mfa=True)
    organisation = OrganisationFactory()
    drafts = []
    for _index in range(THREADS * PER_THREAD):
        draft = invoice_create(organisation=organisation, actor=staff)
        invoice_add_line(invoice=draft, label="Support", quantity=1,
                         unit_price=Decimal("10"), actor=staff)
        drafts.append(draft)
    barrier = threading.Barrier(THREADS)
    errors = []

    def issue(batch):
        try:
            barrier.wait(timeout=30)
            for draft in batch:
                invoice_issue(invoice=draft, actor=staff)
        except Exception as error:  # noqa: BLE001 - the test reports it
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(drafts[i::THREADS],))
               for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "an issue hung"
    assert errors == []
    year = timezone.localdate().year
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"F-{year}-{n:04d}" for n in range(1, THREADS * PER_THREAD + 1)]
