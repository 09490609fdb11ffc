"""Memberships, the access rule, organisations and invitations at the service level."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from algoric.notifications.models import Notification
from members import selectors, services
from members.models import Agreement, Membership, Organisation, OrganisationMember
from members.services.memberships import UNPAID_REMINDER_DAYS
from members.validators import validate_siret

from ..factories import FeeScheduleFactory, OrganisationFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)


@pytest.mark.parametrize("siret", ["73282932000074", "732 829 320 00074", "35600000000001"])
def test_valid_sirets_pass(siret):
    validate_siret(siret)


@pytest.mark.parametrize("siret", ["73282932000075", "7328293200007", "7328293200007A", ""])
def test_invalid_sirets_are_refused(siret):
    with pytest.raises(ValidationError):
        validate_siret(siret)


def org_data(**extra):
    return {"kind": "sme", "name": "Océan Numérique SAS", "siret": "73282932000074",
            "research_code": "", "address": "4 quai Éric Tabarly", "postal_code": "56000",
            "city": "Vannes", "country": "France", "website": "",
            "contact_email": "contact@ocean-numerique.example", "language": "fr", **extra}


def test_creator_becomes_representative_and_membership_opens(member):
    FeeScheduleFactory(amount=Decimal("300.00"))
    organisation = services.organisation_create(data=org_data(), actor=member)
    assert selectors.role_of(organisation=organisation, user=member) == "representative"
    membership = organisation.memberships.get()
    assert (membership.year, membership.fee, membership.status) == (
        timezone.localdate().year, Decimal("300.00"), "pending")


def test_duplicate_siret_and_missing_siret_are_refused(member):
    services.organisation_create(data=org_data(), actor=member)
    with pytest.raises(ValidationError) as duplicate:
        services.organisation_create(data=org_data(name="Autre"), actor=UserFactory())
    assert "siret" in duplicate.value.message_dict
    with pytest.raises(ValidationError) as missing:
        services.organisation_create(data=org_data(siret=""), actor=member)
    assert "siret" in missing.value.message_dict
    assert Organisation.objects.count() == 1


def test_research_code_only_for_labs_and_schools(member):
    with pytest.raises(ValidationError):
        services.organisation_create(data=org_data(research_code="200912345X"), actor=member)
    lab = services.organisation_create(
        data=org_data(kind="lab", siret="", research_code="200912345x", name="Labo"),
        actor=member)
    assert lab.research_code == "200912345X"


def test_last_representative_cannot_leave_or_step_down(organisation):
    rep = organisation.members.get(role="representative")
    with pytest.raises(ValidationError):
        services.organisation_member_remove(member=rep, actor=organisation.representative)
    with pytest.raises(ValidationError):
        services.organisation_member_set_role(member=rep, role="member",
                                              actor=organisation.representative)
    other = organisation.members.get(role="referent")
    services.organisation_member_set_role(member=other, role="representative",
                                          actor=organisation.representative)
    services.organisation_member_remove(member=rep, actor=organisation.representative)
    assert not organisation.members.filter(user=organisation.representative).exists()


def test_only_representatives_manage_people(organisation):
    target = organisation.members.get(role="member")
    with pytest.raises(PermissionDenied):
        services.organisation_member_set_role(member=target, role="referent",
                                              actor=organisation.referent)
    with pytest.raises(PermissionDenied):
        services.invitation_create(organisation=organisation, email="x@example.org",
                                   role="member", actor=organisation.plain_member)
    # but anyone may leave
    services.organisation_member_remove(member=target, actor=organisation.plain_member)


def test_invitation_is_signed_single_use_and_expiring(organisation,
                                                      django_capture_on_commit_callbacks):
    invited = UserFactory(email="nouvelle@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(organisation=organisation,
                                                email="Nouvelle@example.org", role="referent",
                                                actor=organisation.representative)
    from members.services.organisations import invitation_from_token, invitation_token

    message = Notification.objects.get(event="organisation_invitation")
    token = re.search(r"/invitations/([^/\s]+)/", message.body).group(1)
    assert not message.in_inbox
    assert invitation_from_token(token).pk == invitation.pk
    with pytest.raises(ValidationError):
        services.invitation_accept(token=token + "x", user=invited)
    with pytest.raises(ValidationError, match="(?i)nouvelle@example.org"):
        services.invitation_accept(token=token, user=UserFactory())
    member = services.invitation_accept(token=token, user=invited)
    assert member.role == "referent"
    with pytest.raises(ValidationError, match="déjà|already"):
        services.invitation_accept(token=token, user=invited)
    late = services.invitation_create(organisation=organisation, email="late@example.org",
                                      role="member", actor=organisation.representative)
    type(late).objects.filter(pk=late.pk).update(expires_at=timezone.now()
                                                 - dt.timedelta(minutes=1))
    with pytest.raises(ValidationError):
        services.invitation_accept(token=invitation_token(late),
                                   user=UserFactory(email="late@example.org"))


def test_duplicate_invitation_refused(organisation):
    services.invitation_create(organisation=organisation, email="a@example.org",
                               role="member", actor=organisation.representative)
    with pytest.raises(ValidationError):
        services.invitation_create(organisation=organisation, email="A@example.org",
                                   role="member", actor=organisation.representative)
    with pytest.raises(ValidationError):
        services.invitation_create(organisation=organisation,
                                   email=organisation.referent.email, role="member",
                                   actor=organisation.representative)


def test_membership_payment_waiver_and_lapse(organisation):
    staff = StaffFactory(mfa=True)
    year = timezone.localdate().year
    membership = services.membership_open(organisation=organisation, year=year)
    with pytest.raises(PermissionDenied):
        services.membership_record_payment(membership=membership, paid_on=timezone.localdate(),
                                           reference="VIR-1", actor=organisation.representative)
    with pytest.raises(ValidationError):
        services.membership_record_payment(membership=membership, paid_on=timezone.localdate(),
                                           reference=" ", actor=staff)
    paid = services.membership_record_payment(membership=membership,
                                              paid_on=timezone.localdate(),
                                              reference="VIR-2026-0042", actor=staff)
    assert (paid.status, paid.payment_reference) == ("paid", "VIR-2026-0042")
    with pytest.raises(services.TransitionError):
        services.membership_waive(membership=paid, note="geste", actor=staff)

    old = Membership.objects.create(organisation=organisation, year=year - 1, fee=10)
    assert services.memberships_lapse() == 1
    assert Membership.objects.get(pk=old.pk).status == "lapsed"
    assert services.memberships_lapse() == 0


def test_no_fee_set_gives_a_clear_message(member):
    organisation = OrganisationFactory(kind="sme")
    OrganisationMember.objects.create(organisation=organisation, user=member,
                                      role="representative")
    with pytest.raises(ValidationError, match="cotisation|fee"):
        services.membership_open(organisation=organisation, year=timezone.localdate().year,
                                 actor=member)


def test_membership_reminders_are_sent_once_each(organisation):
    membership = services.membership_open(organisation=organisation, year=TODAY.year)
    Membership.objects.filter(pk=membership.pk).update(
        created_at=timezone.make_aware(dt.datetime(2026, 3, 1)))
    counts = [services.memberships_send_reminders(today=dt.date(2026, 3, 1) + dt.timedelta(d))
              for d in (1, UNPAID_REMINDER_DAYS[0], UNPAID_REMINDER_DAYS[0] + 1,
                        UNPAID_REMINDER_DAYS[1], UNPAID_REMINDER_DAYS[1] + 3)]
    assert counts == [0, 1, 0, 1, 0]
    # renewal reminder at the end of the year, once, for members in good standing
    Membership.objects.filter(pk=membership.pk).update(status="paid", paid_on=TODAY,
                                                       payment_reference="CHQ-1")
    assert services.memberships_send_reminders(today=dt.date(2026, 11, 1)) == 0
    assert services.memberships_send_reminders(today=dt.date(2026, 12, 5)) == 1
    assert services.memberships_send_reminders(today=dt.date(2026, 12, 20)) == 0


def test_access_rule_gives_reasons(organisation):
    status = services.organisation_access_status(organisation=organisation, on_date=TODAY)
    assert not status.allowed
    assert {r.code for r in status.reasons} == {"no_membership", "no_active_agreement"}

    membership = Membership.objects.create(organisation=organisation, year=TODAY.year, fee=10)
    codes = {r.code for r in services.organisation_access_status(
        organisation=organisation, on_date=TODAY).reasons}
    assert "membership_unpaid" in codes

    Membership.objects.filter(pk=membership.pk).update(status="paid", paid_on=TODAY,
                                                       payment_reference="VIR-1")
    agreement = Agreement.objects.create(
        number="AG-2026-9001", organisation=organisation, kind="sme",
        terms=organisation_terms(), status="active", starts_on=dt.date(2026, 1, 10),
        ends_on=dt.date(2027, 1, 9))
    status = services.organisation_access_status(organisation=organisation, on_date=TODAY)
    assert status.allowed and status.reasons == [] and status.agreement == agreement
    expiring = services.organisation_access_status(organisation=organisation,
                                                   on_date=dt.date(2026, 11, 30))
    assert expiring.allowed and [r.code for r in expiring.warnings] == ["agreement_expiring"]
    with override_settings(MEMBERSHIP_GRACE_DAYS=0):  # the grace: tests/members/test_access.py
        next_year = services.organisation_access_status(organisation=organisation,
                                                        on_date=dt.date(2027, 1, 5))
    assert not next_year.allowed
    assert {r.code for r in next_year.reasons} == {"no_membership", "agreement_expiring"}
    after_end = services.organisation_access_status(organisation=organisation,
                                                    on_date=dt.date(2027, 2, 1))
    assert "no_active_agreement" in {r.code for r in after_end.reasons}


def organisation_terms():
    from members.models import TermsTemplate

    return TermsTemplate.objects.filter(kind="sme").first()
