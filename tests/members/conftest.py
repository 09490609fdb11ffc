"""Fixtures shared by the members tests, built on the factories (``tests/factories.py``)."""

import pytest

from members import services

from ..factories import OrganisationFactory, OrganisationMemberFactory, StaffFactory


@pytest.fixture
def reviewer(db):
    """A staff member (with TOTP) who decides agreements."""
    return StaffFactory(mfa=True)


@pytest.fixture
def other_organisation(db):
    """An SME the people of ``organisation`` do not belong to, with its representative
    (``.representative``)."""
    org = OrganisationFactory()
    org.representative = OrganisationMemberFactory(organisation=org, role="representative").user
    return org


@pytest.fixture
def draft(organisation):
    """A draft agreement of ``organisation`` with its signatory, made by the services on
    purpose (its number and its history are theirs). Its ``organisation`` is the fixture's,
    which knows its people (``.representative``, ``.referent``, ``.plain_member``)."""
    agreement = services.agreement_create(organisation=organisation,
                                          actor=organisation.representative)
    agreement = services.agreement_update_draft(
        agreement=agreement, actor=organisation.representative,
        data={"signatory_name": "Annaïg Le Floch", "signatory_title": "Gérante"},
    )
    agreement.organisation = organisation
    return agreement
