"""Invoices through the API: a representative sees their organisations' issued invoices
(never drafts, never another's), downloads the PDF (audited); staff list every invoice
with the page's filters; a fixed number of queries whatever the number of invoices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from algoric.audit.models import AuditEvent
from billing.models import Invoice
from billing.services.payments import payment_record

from ..factories import OrganisationFactory
from .conftest import bearer, issued_invoice


def test_a_representative_lists_the_issued_invoices_of_their_organisations(
        client, world, token):
    issued_invoice(OrganisationFactory(), world.staff)
    response = client.get(reverse("api:invoice_list"), **bearer(token(world.pi)))
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [world.invoice.pk]
    row = rows[0]
    assert row["number"] == world.invoice.number
    assert row["total_gross"] == "480.00" and row["amount_due"] == "480.00"
    assert row["pdf_url"].endswith(reverse("api:invoice_pdf", kwargs={"pk": world.invoice.pk}))


def test_a_payment_lowers_the_amount_due(client, world, token):
    payment_record(invoice=world.invoice, amount=Decimal("80.00"), paid_on=timezone.localdate(),
                   method="transfer", reference="VIR 1", actor=world.staff)
    data = client.get(reverse("api:invoice_detail", kwargs={"pk": world.invoice.pk}),
                      **bearer(token(world.pi))).json()
    assert (data["amount_paid"], data["amount_due"]) == ("80.00", "400.00")


def test_a_plain_member_sees_no_invoice(client, world, token):
    given = token(world.organisation.plain_member)
    assert client.get(reverse("api:invoice_list"), **bearer(given)).json()["count"] == 0
    for name in ("api:invoice_detail", "api:invoice_pdf"):
        response = client.get(reverse(name, kwargs={"pk": world.invoice.pk}), **bearer(given))
        assert response.status_code == HTTPStatus.NOT_FOUND


def test_a_draft_is_not_shown_and_its_pdf_refused(client, world, token):
    pdf = reverse("api:invoice_pdf", kwargs={"pk": world.draft_invoice.pk})
    assert client.get(pdf, **bearer(token(world.pi))).status_code == HTTPStatus.NOT_FOUND
    staff = client.get(pdf, **bearer(token(world.staff, "read", "staff")))
    assert staff.status_code == HTTPStatus.FORBIDDEN
    assert staff.json()["error"]["code"] == "permission_denied"


def test_the_pdf_download_is_a_private_attachment_and_audited(client, world, token):
    response = client.get(reverse("api:invoice_pdf", kwargs={"pk": world.invoice.pk}),
                          **bearer(token(world.pi)))
    assert response.status_code == HTTPStatus.OK
    assert response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{world.invoice.number}.pdf"' in response["Content-Disposition"]
    assert response["Content-Security-Policy"] == "sandbox"
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="invoice.downloaded")
    assert event.detail == {"file": "invoice", "via": "api"}


def test_staff_list_every_invoice_with_the_pages_filters(client, world, token):
    given = bearer(token(world.staff, "read", "staff"))
    url = reverse("api:staff_invoice_list")
    everything = client.get(url, **given).json()
    assert {row["id"] for row in everything["results"]} == {world.invoice.pk,
                                                             world.draft_invoice.pk}
    drafts = client.get(url + "?status=draft", **given).json()["results"]
    assert [row["pdf_url"] for row in drafts] == [None]
    found = client.get(url + f"?search={world.invoice.number}", **given).json()
    assert [row["id"] for row in found["results"]] == [world.invoice.pk]
    assert client.get(url + "?year=99999", **given).status_code == HTTPStatus.BAD_REQUEST


def _invoices(organisation, count: int, start: int) -> None:
    today = timezone.localdate()
    Invoice.objects.bulk_create([
        Invoice(organisation=organisation, status=Invoice.Status.ISSUED,
                number=f"F-BULK-{n:05d}", issued_on=today - dt.timedelta(days=n),
                due_on=today, total_net=Decimal(10), total_gross=Decimal(10))
        for n in range(start, start + count)])


@pytest.mark.parametrize(("name", "scope"), [("api:invoice_list", "read"),
                                             ("api:staff_invoice_list", "staff")])
def test_invoice_lists_make_the_same_number_of_queries_for_10_and_300_rows(
        client, world, token, name, scope):
    given = bearer(token(world.staff, "read", "staff") if scope == "staff"
                   else token(world.pi))
    url = reverse(name) + "?page_size=200"
    existing = client.get(url, **given).json()["count"]
    _invoices(world.organisation, 10 - existing, 0)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, **given).json()["count"] == 10
    _invoices(world.organisation, 290, 100)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, **given)
    assert response.json()["count"] == 300
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
