"""The Django admin of the members app: read-mostly, and its actions call the services."""

import datetime as dt
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from members.models import (
    Agreement,
    AgreementEvent,
    FeeSchedule,
    Membership,
    MembershipEvent,
    Organisation,
    TermsTemplate,
)
from members.services import (
    agreement_create,
    agreement_submit,
    agreement_update_draft,
    invitation_create,
    membership_open,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_pdf")]

MODELS = [Organisation, Membership, MembershipEvent, Agreement, AgreementEvent, FeeSchedule,
          TermsTemplate, "invitation"]


@pytest.fixture
def admin_client(client, staff_with_mfa):
    """A superuser staff member with TOTP (``StaffFactory`` makes superusers)."""
    assert staff_with_mfa.is_superuser
    client.force_login(staff_with_mfa)
    return client


def submitted(organisation) -> Agreement:
    agreement = agreement_create(organisation=organisation, actor=organisation.representative)
    agreement = agreement_update_draft(agreement=agreement, actor=organisation.representative,
                                       data={"signatory_title": "Gérante"})
    return agreement_submit(agreement=agreement, actor=organisation.representative)


def changelist(model) -> str:
    if model == "invitation":
        return reverse("admin:members_invitation_changelist")
    return reverse(f"admin:members_{model._meta.model_name}_changelist")


@pytest.fixture
def some_data(organisation):
    agreement = submitted(organisation)
    membership_open(organisation=organisation, year=timezone.localdate().year)
    invitation_create(organisation=organisation, email="new@example.org", role="member",
                      actor=organisation.representative)
    return agreement


@pytest.mark.parametrize("model", MODELS, ids=lambda m: getattr(m, "__name__", m))
def test_admin_changelists_answer(admin_client, some_data, model):
    assert admin_client.get(changelist(model)).status_code == HTTPStatus.OK


def test_admin_change_pages_answer(admin_client, some_data, organisation):
    membership = Membership.objects.get(organisation=organisation)
    for url in (
        reverse("admin:members_organisation_change", args=[organisation.pk]),
        reverse("admin:members_membership_change", args=[membership.pk]),
        reverse("admin:members_agreement_change", args=[some_data.pk]),
        reverse("admin:members_termstemplate_change", args=[some_data.terms_id]),
        reverse("admin:members_feeschedule_add"),
    ):
        assert admin_client.get(url).status_code == HTTPStatus.OK, url


def test_admin_approve_selected_calls_the_service(admin_client, some_data, no_pdf,
                                                  staff_with_mfa):
    events = some_data.events.count()
    response = admin_client.post(changelist(Agreement), {
        "action": "approve_selected", "_selected_action": [some_data.pk], "index": 0,
    })
    assert response.status_code == HTTPStatus.FOUND
    some_data.refresh_from_db()
    assert some_data.status == Agreement.Status.APPROVED
    assert some_data.events.count() == events + 1
    assert some_data.events.last().actor == staff_with_mfa
    assert len(no_pdf) == 1


def test_admin_approve_reports_each_refusal(admin_client, organisation):
    agreement = agreement_create(organisation=organisation, actor=organisation.representative)
    response = admin_client.post(changelist(Agreement), {
        "action": "approve_selected", "_selected_action": [agreement.pk], "index": 0,
    })
    texts = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
    assert any(level == "error" and agreement.number in text for level, text in texts)
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.DRAFT
    assert agreement.events.count() == 1


def test_admin_expire_overdue_calls_the_service(admin_client, organisation, staff_with_mfa,
                                                some_data):
    Agreement.objects.filter(pk=some_data.pk).update(
        status=Agreement.Status.ACTIVE, starts_on=dt.date(2020, 1, 1),
        ends_on=dt.date(2020, 12, 31))
    response = admin_client.post(changelist(Agreement), {
        "action": "expire_overdue", "_selected_action": [some_data.pk], "index": 0,
    })
    assert response.status_code == HTTPStatus.FOUND
    some_data.refresh_from_db()
    assert some_data.status == Agreement.Status.EXPIRED
    assert some_data.events.last().to_status == Agreement.Status.EXPIRED


def test_admin_cannot_change_an_agreement_status(admin_client, some_data):
    url = reverse("admin:members_agreement_change", args=[some_data.pk])
    response = admin_client.post(url, {"status": "active", "number": some_data.number})
    assert response.status_code == HTTPStatus.FORBIDDEN
    some_data.refresh_from_db()
    assert some_data.status == Agreement.Status.SUBMITTED


def test_admin_cannot_change_a_membership_status(admin_client, some_data, organisation):
    membership = Membership.objects.get(organisation=organisation)
    url = reverse("admin:members_membership_change", args=[membership.pk])
    page = admin_client.get(url).content.decode()
    assert reverse("members:staff_organisation_review", args=[organisation.pk]) in page
    response = admin_client.post(url, {"status": "paid", "note": "changed"})
    assert response.status_code == HTTPStatus.FOUND
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING
    assert membership.note == "changed"


def test_admin_fee_schedule_goes_through_the_service(admin_client, staff_with_mfa):
    response = admin_client.post(reverse("admin:members_feeschedule_add"),
                                 {"kind": "lab", "year": 2032, "amount": "99.00"})
    assert response.status_code == HTTPStatus.FOUND
    fee = FeeSchedule.objects.get(kind="lab", year=2032)
    assert fee.amount == Decimal("99.00") and fee.updated_by == staff_with_mfa
    refused = admin_client.post(reverse("admin:members_feeschedule_add"),
                                {"kind": "lab", "year": 1990, "amount": "1"})
    assert refused.status_code == HTTPStatus.OK  # the form again, with the error
    assert not FeeSchedule.objects.filter(year=1990).exists()


def test_admin_is_closed_to_staff_without_mfa(client, staff):
    client.force_login(staff)
    response = client.get(changelist(Agreement))
    assert response.status_code == HTTPStatus.FOUND
