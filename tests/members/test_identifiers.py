"""SIREN, SIRET and VAT numbers checked by python-stdnum; invoicing fields of organisations."""

import pytest
from django.core.exceptions import ValidationError

from members import services
from members.validators import (
    luhn_complete,
    normalise_vat_number,
    validate_siren,
    validate_siret,
    validate_vat_number,
)

from ..factories import OrganisationFactory, StaffFactory


@pytest.mark.parametrize("siren", ["732829320", "732 829 320", "356000000"])
def test_valid_sirens_pass(siren):
    validate_siren(siren)


@pytest.mark.parametrize("siren", ["732829321", "73282932", "ABCDEFGHI"])
def test_invalid_sirens_are_refused(siren):
    with pytest.raises(ValidationError):
        validate_siren(siren)


def test_a_siret_whose_siren_fails_its_check_digit_is_refused():
    # 13 digits completed to pass the Luhn check as a whole, with a SIREN that does not.
    bad = luhn_complete("7328293210001")
    with pytest.raises(ValidationError) as error:
        validate_siret(bad)
    assert error.value.code == "siret_checksum"


@pytest.mark.parametrize("number", ["FR40303265045", "fr 40 303 265 045", "DE136695976", ""])
def test_valid_vat_numbers_pass(number):
    validate_vat_number(normalise_vat_number(number))


@pytest.mark.parametrize("number", ["FR41303265045", "FR4030326504", "XX123"])
def test_invalid_vat_numbers_are_refused(number):
    with pytest.raises(ValidationError):
        validate_vat_number(number)


@pytest.mark.django_db
def test_only_a_public_body_gives_a_chorus_service_code():
    staff = StaffFactory(mfa=True)
    sme = OrganisationFactory()
    with pytest.raises(ValidationError) as error:
        services.organisation_update(organisation=sme, actor=staff,
                                     data={"chorus_service_code": "SERVICE-42"})
    assert "chorus_service_code" in error.value.message_dict
    body = OrganisationFactory(kind="public_body", siret="", name="Ville d'Auray")
    services.organisation_update(organisation=body, actor=staff,
                                 data={"chorus_service_code": "SERVICE-42",
                                       "purchase_order_number": "BC-2027-17"})
    body.refresh_from_db()
    assert (body.chorus_service_code, body.purchase_order_number) == ("SERVICE-42", "BC-2027-17")
