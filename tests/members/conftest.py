"""Fixtures shared by the members tests, built on the factories (``tests/factories.py``)."""

import importlib
import sys
import types

import pytest

from members import services

from ..factories import OrganisationFactory, OrganisationMemberFactory, StaffFactory


@pytest.fixture
def reviewer(db):
    """A staff member who decides agreements."""
    return StaffFactory()


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


@pytest.fixture
def no_pdf(monkeypatch):
    """Approval generates the agreement's PDF (WeasyPrint): replaced by a recorder, whose
    calls are returned. Modules use it with ``pytest.mark.usefixtures``."""
    name = "members.services.agreement_pdf"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError:
        module = types.ModuleType(name)
        monkeypatch.setitem(sys.modules, name, module)
    calls = []
    monkeypatch.setattr(module, "agreement_pdf_refresh",
                        lambda **kwargs: calls.append(kwargs) or True, raising=False)
    return calls
