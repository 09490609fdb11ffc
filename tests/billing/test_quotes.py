"""Quotes from submitted requests at the catalogue's prices; acceptance; the PDF."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from billing.models import Quote
from billing.services.documents import quote_pdf_bytes
from billing.services.quotes import quote_accept, quote_create
from projects.models import ResourceRequest

from ..factories import (
    ProjectFactory,
    ResourceFactory,
    ResourcePriceFactory,
    ResourceRequestCellFactory,
    ResourceRequestFactory,
    ResourceRequestRowFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(sme, representative):
    project = ProjectFactory(organisation=sme, pi=representative)
    request = ResourceRequestFactory(project=project, status=ResourceRequest.Status.SUBMITTED)
    cpu = ResourcePriceFactory(price_per_unit=Decimal("0.0125")).resource
    gpu = ResourcePriceFactory(resource=ResourceFactory(gpu=True),
                               price_per_unit=Decimal("0.45")).resource
    year = project.starts_on.year
    cpu_row = ResourceRequestRowFactory(request=request, resource=cpu)
    ResourceRequestCellFactory(row=cpu_row, year=year, requested=Decimal("100000"))
    ResourceRequestCellFactory(row=cpu_row, year=year + 1, requested=Decimal("150000"))
    ResourceRequestCellFactory(row=ResourceRequestRowFactory(request=request, resource=gpu),
                               year=year, requested=Decimal("333"))
    return request


def test_a_quote_has_a_line_per_resource_and_year_at_the_catalogue_prices(
        submitted, staff, settings):
    settings.ASSOCIATION_VAT_NUMBER = "FR40303265045"
    settings.ASSOCIATION_VAT_RATE = "20.00"
    settings.QUOTE_VALIDITY_DAYS = 30
    quote = quote_create(request=submitted, actor=staff, today=dt.date(2026, 3, 2))
    lines = [(line.year, line.quantity, line.net_amount) for line in quote.lines.all()]
    year = submitted.project.starts_on.year
    assert sorted(lines) == sorted([(year, Decimal("100000"), Decimal("1250.00")),
                                    (year + 1, Decimal("150000"), Decimal("1875.00")),
                                    (year, Decimal("333"), Decimal("149.85"))])
    assert quote.total_net == Decimal("3274.85")
    assert quote.total_vat == Decimal("654.97")
    assert quote.valid_until == dt.date(2026, 4, 1)
    assert quote.number == "D-2026-0001"


def test_the_pi_may_ask_for_a_quote_but_not_another_person(submitted, representative):
    with pytest.raises(PermissionDenied):
        quote_create(request=submitted, actor=UserFactory())
    assert quote_create(request=submitted, actor=representative).lines.count() == 3


def test_a_draft_request_or_an_unpriced_resource_gives_no_quote(submitted, staff):
    draft = ResourceRequestFactory(project=submitted.project)
    with pytest.raises(ValidationError):
        quote_create(request=draft, actor=staff)
    disk = ResourceFactory(disk=True)
    ResourceRequestCellFactory(row=ResourceRequestRowFactory(request=submitted, resource=disk),
                               requested=Decimal("2"))
    with pytest.raises(ValidationError, match=disk.name):
        quote_create(request=submitted, actor=staff)
    assert not Quote.objects.exists()


def test_accepting_a_quote_is_recorded_once_and_only_while_it_is_valid(
        submitted, staff, representative):
    quote = quote_create(request=submitted, actor=staff, today=dt.date(2026, 3, 2))
    with pytest.raises(ValidationError, match="no longer valid"):
        quote_accept(quote=quote, actor=representative, today=dt.date(2026, 5, 1))
    accepted = quote_accept(quote=quote, actor=representative, today=dt.date(2026, 3, 10))
    assert accepted.status == Quote.Status.ACCEPTED and accepted.accepted_by == representative
    with pytest.raises(ValidationError):
        quote_accept(quote=quote, actor=representative, today=dt.date(2026, 3, 11))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_quote_pdf_is_in_the_organisations_language(submitted, staff, language):
    with translation.override(language):
        title = gettext("Quote")
    submitted.project.organisation.language = language
    submitted.project.organisation.save()
    quote = quote_create(request=submitted, actor=staff)
    text = "".join(page.extract_text() for page in PdfReader(
        io.BytesIO(quote_pdf_bytes(quote))).pages)
    assert f"{title} {quote.number}" in text
    assert quote.valid_until.strftime("%d/%m/%Y" if language == "fr" else "%m/%d/%Y") in text
