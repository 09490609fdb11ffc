"""Staff pages of invoices and the organisation's documents, through the views."""

import datetime as dt
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import Invoice
from billing.services.invoices import invoice_add_line, invoice_create, invoice_issue

from ..factories import MembershipFactory, OrganisationFactory, OrganisationMemberFactory

pytestmark = pytest.mark.django_db


def test_staff_create_issue_pay_and_credit_an_invoice_through_the_pages(
        client, staff, sme, django_capture_on_commit_callbacks):
    MembershipFactory(organisation=sme, year=timezone.localdate().year)
    client.force_login(staff)
    response = client.post(reverse("billing:staff_invoice_create"), {
        "organisation": sme.pk, "membership_year": timezone.localdate().year})
    invoice = Invoice.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    client.post(reverse("billing:staff_invoice_add_line", args=[invoice.pk]), {
        "label": "Formation MPI", "quantity": "1", "unit_price": "350", "vat_rate": "0"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("billing:staff_invoice_issue", args=[invoice.pk]))
    invoice.refresh_from_db()
    assert invoice.number and invoice.total_gross == Decimal("600.00")
    assert invoice.pdf  # made after commit (eager Celery in tests)
    client.post(reverse("billing:staff_invoice_payment", args=[invoice.pk]), {
        "amount": "600", "paid_on": timezone.localdate().isoformat(), "method": "transfer",
        "reference": "VIR 9"})
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    page = client.get(reverse("billing:staff_invoice_detail", args=[invoice.pk]))
    assert page.status_code == HTTPStatus.OK and b"VIR 9" in page.content
    listing = client.get(reverse("billing:staff_invoice_list"), {"search": sme.name[:6]})
    assert invoice.number.encode() in listing.content
    client.post(reverse("billing:staff_invoice_credit", args=[invoice.pk]),
                {"reason": "Erreur de tarif", "amount": ""})
    assert Invoice.objects.filter(kind="credit_note", credited_invoice=invoice).exists()


def test_a_refused_action_says_why_and_changes_nothing(client, staff, sme):
    invoice = invoice_create(organisation=sme, actor=staff)
    client.force_login(staff)
    response = client.post(reverse("billing:staff_invoice_issue", args=[invoice.pk]),
                           follow=True)
    assert "at least one line" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.is_draft
    bad = client.post(reverse("billing:staff_invoice_add_line", args=[invoice.pk]),
                      {"label": "X", "quantity": "abc", "unit_price": "1"}, follow=True)
    assert bad.status_code == HTTPStatus.OK and not invoice.lines.exists()


def test_the_exports_page_downloads_the_accountant_csv_and_the_unpaid_list(client, staff, sme):
    invoice = invoice_create(organisation=sme, actor=staff)
    invoice_add_line(invoice=invoice, label="Support", quantity=1, unit_price=Decimal("480"),
                     actor=staff)
    invoice = invoice_issue(invoice=invoice, actor=staff)
    client.force_login(staff)
    today = timezone.localdate()
    csv = client.get(reverse("billing:staff_exports"), {
        "start": (today - dt.timedelta(days=1)).isoformat(), "end": today.isoformat()})
    assert csv["Content-Type"].startswith("text/csv")
    assert b"480.00" in csv.content
    unpaid = client.get(reverse("billing:staff_exports"), {"export": "unpaid"})
    assert invoice.number.encode() in unpaid.content
    bad = client.get(reverse("billing:staff_exports"), {"start": "2026-02-01",
                                                        "end": "2026-01-01"})
    assert bad.status_code == HTTPStatus.BAD_REQUEST


def test_a_representative_downloads_the_factur_x_pdf_another_organisation_gets_404(
        client, staff, sme, representative):
    invoice = invoice_create(organisation=sme, actor=staff)
    invoice_add_line(invoice=invoice, label="Support", quantity=1, unit_price=1, actor=staff)
    invoice = invoice_issue(invoice=invoice, actor=staff)
    client.force_login(representative)
    listing = client.get(reverse("billing:organisation_invoices", args=[sme.pk]))
    assert invoice.number.encode() in listing.content
    response = client.get(reverse("billing:invoice_pdf", args=[invoice.pk]))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Security-Policy"] == "sandbox"
    assert response.content.startswith(b"%PDF")
    stranger = OrganisationMemberFactory(organisation=OrganisationFactory(),
                                         role="representative").user
    client.force_login(stranger)
    assert client.get(reverse("billing:invoice_pdf", args=[invoice.pk])).status_code == 404
