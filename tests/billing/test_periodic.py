"""Periodic usage invoices drafted for staff (monthly, quarterly, yearly), and the staff
dashboard's block."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import Invoice
from billing.services.invoices import invoice_create
from billing.services.periodic import period_ended, usage_invoices_draft_due

from ..factories import ProjectFactory, ResourcePriceFactory, UsageSummaryFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("frequency", "today", "expected"), [
    ("monthly", dt.date(2026, 5, 3), (dt.date(2026, 4, 1), dt.date(2026, 4, 30))),
    ("monthly", dt.date(2026, 1, 1), (dt.date(2025, 12, 1), dt.date(2025, 12, 31))),
    ("quarterly", dt.date(2026, 7, 1), (dt.date(2026, 4, 1), dt.date(2026, 6, 30))),
    ("quarterly", dt.date(2026, 8, 1), None),
    ("yearly", dt.date(2026, 1, 10), (dt.date(2025, 1, 1), dt.date(2025, 12, 31))),
    ("yearly", dt.date(2026, 2, 1), None),
    ("", dt.date(2026, 2, 1), None),
])
def test_the_period_that_ended_with_last_month(frequency, today, expected):
    assert period_ended(frequency=frequency, today=today) == expected


def test_usage_invoices_are_drafted_once_per_period_for_those_that_used_something(sme):
    sme.usage_invoicing = "quarterly"
    sme.save()
    ResourcePriceFactory(price_per_unit=Decimal("0.01"))
    project = ProjectFactory(organisation=sme)
    UsageSummaryFactory(account=project.slurm_account, month=dt.date(2026, 5, 1),
                        core_hours=5000)
    idle = ProjectFactory().organisation
    idle.usage_invoicing = "quarterly"
    idle.save()
    [draft] = usage_invoices_draft_due(today=dt.date(2026, 7, 2))
    assert draft.organisation == sme and draft.is_draft
    assert (draft.period_start, draft.period_end) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert draft.lines.get().net_amount == Decimal("50.00")
    assert usage_invoices_draft_due(today=dt.date(2026, 7, 3)) == []
    assert Invoice.objects.count() == 1


def test_the_staff_dashboard_shows_drafts_and_overdue_invoices(client, staff, sme):
    invoice_create(organisation=sme, actor=staff)
    client.force_login(staff)
    page = client.get(reverse("members:staff_dashboard"))
    assert sme.name in page.content.decode()
