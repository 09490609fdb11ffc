"""Fixtures of the billing tests: verified staff, an SME with its representative."""

import pytest
from django.utils import translation

from members.models import OrganisationMember

from ..factories import OrganisationFactory, OrganisationMemberFactory, StaffFactory


@pytest.fixture
def staff(db):
    return StaffFactory(mfa=True)


@pytest.fixture
def sme(db):
    return OrganisationFactory(name="Calcul Marin SARL", address="2 rue du Port",
                               vat_number="FR40303265045")


@pytest.fixture
def representative(sme):
    return OrganisationMemberFactory(organisation=sme,
                                     role=OrganisationMember.Role.REPRESENTATIVE).user


@pytest.fixture(autouse=True)
def english():
    """The tests read the messages in English (the site's default language is French):
    services speak the active language, and ``reverse`` gives the ``/en/`` pages."""
    with translation.override("en"):
        yield
