"""Member pages of organisations: create, list, detail, people, invitations, memberships."""

import datetime as dt
import re
from http import HTTPStatus
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from members import selectors, services
from members.models import Invitation, Membership, Organisation, OrganisationMember

from ..factories import (
    UserFactory,
)

pytestmark = pytest.mark.django_db
Role = OrganisationMember.Role

VALID_SIRET = "73282932000074"


def en(name, *args):
    """The English URL of ``name``: the pages then answer in English, whatever the
    French translations say."""
    with translation.override("en"):
        return reverse(name, args=args)


def organisation_data(**overrides):
    data = {
        "kind": "sme",
        "name": "Océan Calcul SAS",
        "siret": "732 829 320 00074",
        "research_code": "",
        "address": "4 quai Franklin",
        "postal_code": "56400",
        "city": "Auray",
        "country": "France",
        "website": "https://ocean-calcul.example",
        "contact_email": "contact@ocean-calcul.example",
        "language": "fr",
    }
    data.update(overrides)
    return data


def text(response) -> str:
    return response.content.decode()


# --- Creating and editing ---------------------------------------------------------------

def test_member_creates_sme_with_valid_siret_and_becomes_representative(client, member):
    client.force_login(member)
    response = client.post(en("members:organisation_create"), organisation_data())
    organisation = Organisation.objects.get(name="Océan Calcul SAS")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == en("members:organisation_detail", organisation.pk)
    assert organisation.siret == VALID_SIRET
    assert selectors.role_of(organisation=organisation, user=member) == Role.REPRESENTATIVE


def test_create_form_explains_siret_is_required_for_companies(client, member):
    client.force_login(member)
    response = client.get(en("members:organisation_create"))
    assert response.status_code == HTTPStatus.OK
    assert "Required for companies" in text(response)


def test_invalid_siret_is_refused_and_nothing_created(client, member):
    client.force_login(member)
    response = client.post(en("members:organisation_create"),
                           organisation_data(siret="73282932000075"))
    assert response.status_code == HTTPStatus.OK
    assert "check digit does not match" in text(response)
    assert response.context["form"].has_error("siret")
    assert not Organisation.objects.exists()


def test_duplicate_siret_is_refused_with_a_clear_message(client, member, organisation):
    client.force_login(member)
    before = Organisation.objects.count()
    response = client.post(en("members:organisation_create"),
                           organisation_data(siret=organisation.siret))
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].has_error("siret")
    assert "already registered" in text(response)
    assert Organisation.objects.count() == before
    assert not OrganisationMember.objects.filter(user=member).exists()


def test_company_without_siret_is_refused_on_the_siret_field(client, member):
    client.force_login(member)
    response = client.post(en("members:organisation_create"), organisation_data(siret=""))
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["siret"] == ["A SIRET number is required for a company."]
    assert not Organisation.objects.exists()


def test_bad_research_code_is_refused(client, member):
    client.force_login(member)
    response = client.post(en("members:organisation_create"),
                           organisation_data(kind="lab", siret="", research_code="12AB"))
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].has_error("research_code")
    assert not Organisation.objects.exists()


def test_laboratory_with_rnsr_code_is_created(client, member):
    client.force_login(member)
    response = client.post(en("members:organisation_create"),
                           organisation_data(kind="lab", siret="", research_code="200912345x",
                                             name="Lab Océan"))
    assert response.status_code == HTTPStatus.FOUND
    assert Organisation.objects.get(name="Lab Océan").research_code == "200912345X"


def test_representative_edits_details(client, organisation):
    client.force_login(organisation.representative)
    data = organisation_data(siret=organisation.siret, name="Nouveau nom", city="Vannes")
    response = client.post(en("members:organisation_edit", organisation.pk), data)
    assert response.status_code == HTTPStatus.FOUND
    organisation.refresh_from_db()
    assert (organisation.name, organisation.city) == ("Nouveau nom", "Vannes")


def test_kind_cannot_change_once_an_agreement_exists(client, organisation):
    services.agreement_create(organisation=organisation, actor=organisation.representative)
    client.force_login(organisation.representative)
    data = organisation_data(kind="association", siret=organisation.siret)
    response = client.post(en("members:organisation_edit", organisation.pk), data)
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].has_error("kind")
    organisation.refresh_from_db()
    assert organisation.kind == "sme"


@pytest.mark.parametrize("who", ["referent", "plain_member"])
def test_referent_and_member_cannot_edit_details(client, organisation, who):
    client.force_login(getattr(organisation, who))
    assert client.get(en("members:organisation_edit", organisation.pk)).status_code == \
        HTTPStatus.FORBIDDEN
    response = client.post(en("members:organisation_edit", organisation.pk),
                           organisation_data(siret=organisation.siret, name="Pirate"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    organisation.refresh_from_db()
    assert organisation.name != "Pirate"


# --- List and detail --------------------------------------------------------------------

def test_anonymous_is_sent_to_login(client, organisation):
    urls = (en("members:organisation_list"), en("members:organisation_detail", organisation.pk),
            en("members:organisation_create"))
    for url in urls:
        response = client.get(url)
        assert response.status_code == HTTPStatus.FOUND
        assert "/accounts/login/" in response["Location"]


def test_list_shows_my_organisations_with_role_and_access_status(client, organisation,
                                                                 other_organisation):
    client.force_login(organisation.referent)
    response = client.get(en("members:organisation_list"))
    assert response.status_code == HTTPStatus.OK
    body = text(response)
    assert organisation.name in body
    assert other_organisation.name not in body
    assert "Computing and data referent" in body
    assert "No access yet" in body
    assert "No active agreement." in body


def test_detail_for_representative_shows_the_actions(client, organisation):
    client.force_login(organisation.representative)
    response = client.get(en("members:organisation_detail", organisation.pk))
    assert response.status_code == HTTPStatus.OK
    body = text(response)
    assert organisation.referent.email in body
    assert en("members:organisation_invite", organisation.pk) in body
    assert en("members:agreement_create", organisation.pk) in body
    assert "projects cannot use the centre yet." in body


@pytest.mark.parametrize("who", ["referent", "plain_member"])
def test_referent_and_member_see_no_representative_buttons(client, organisation, who):
    client.force_login(getattr(organisation, who))
    response = client.get(en("members:organisation_detail", organisation.pk))
    assert response.status_code == HTTPStatus.OK
    body = text(response)
    assert organisation.representative.email in body
    for name in ("organisation_invite", "agreement_create", "membership_open",
                 "organisation_edit"):
        assert en(f"members:{name}", organisation.pk) not in body
    assert "/role/" not in body and "/remove/" not in body
    assert en("members:organisation_leave", organisation.pk) in body


def test_staff_sees_any_organisation(client, organisation, staff_with_mfa):
    client.force_login(staff_with_mfa)
    response = client.get(en("members:organisation_detail", organisation.pk))
    assert response.status_code == HTTPStatus.OK
    assert en("members:organisation_edit", organisation.pk) in text(response)


# --- Another organisation's pages -------------------------------------------------------

def test_other_organisations_pages_and_actions_answer_404(client, organisation,
                                                          other_organisation):
    invitation = services.invitation_create(
        organisation=other_organisation, email="someone@example.org", role=Role.MEMBER,
        actor=other_organisation.representative,
    )
    other_member = other_organisation.members.get()
    client.force_login(organisation.representative)
    pk = other_organisation.pk
    for name in ("organisation_detail", "organisation_edit"):
        assert client.get(en(f"members:{name}", pk)).status_code == HTTPStatus.NOT_FOUND
    posts = [
        (en("members:organisation_edit", pk), organisation_data(siret=other_organisation.siret)),
        (en("members:organisation_invite", pk), {"email": "x@example.org", "role": "member"}),
        (en("members:invitation_revoke", pk, invitation.pk), {}),
        (en("members:member_role", pk, other_member.pk), {"role": "member"}),
        (en("members:member_remove", pk, other_member.pk), {}),
        (en("members:organisation_leave", pk), {}),
        (en("members:membership_open", pk), {"year": timezone.localdate().year}),
        (en("members:agreement_create", pk), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == HTTPStatus.NOT_FOUND, url
    assert Invitation.objects.filter(organisation=other_organisation).count() == 1
    assert not other_organisation.agreements.exists()
    assert other_organisation.members.get().role == Role.REPRESENTATIVE


def test_invitation_of_another_organisation_cannot_be_revoked_through_mine(
    client, organisation, other_organisation
):
    invitation = services.invitation_create(
        organisation=other_organisation, email="someone@example.org", role=Role.MEMBER,
        actor=other_organisation.representative,
    )
    client.force_login(organisation.representative)
    response = client.post(en("members:invitation_revoke", organisation.pk, invitation.pk))
    assert response.status_code == HTTPStatus.NOT_FOUND
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


# --- POST-only URLs ---------------------------------------------------------------------

def test_get_on_every_post_only_url_answers_405(client, organisation):
    services.invitation_create(organisation=organisation, email="x@example.org",
                               role=Role.MEMBER, actor=organisation.representative)
    agreement = services.agreement_create(organisation=organisation,
                                          actor=organisation.representative)
    invitation = organisation.invitations.get()
    member = organisation.members.get(user=organisation.plain_member)
    client.force_login(organisation.representative)
    pk = organisation.pk
    urls = [
        en("members:organisation_invite", pk),
        en("members:invitation_revoke", pk, invitation.pk),
        en("members:member_role", pk, member.pk),
        en("members:member_remove", pk, member.pk),
        en("members:organisation_leave", pk),
        en("members:membership_open", pk),
        en("members:agreement_create", pk),
        en("members:agreement_submit", agreement.pk),
        en("members:agreement_upload", agreement.pk),
        en("members:agreement_renew", agreement.pk),
    ]
    for url in urls:
        assert client.get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED, url
    assert organisation.members.count() == 3
    agreement.refresh_from_db()
    assert agreement.status == "draft"


# --- Invitations ------------------------------------------------------------------------

def invite(client, organisation, email, role="member", capture=None):
    client.force_login(organisation.representative)
    with capture(execute=True):
        response = client.post(en("members:organisation_invite", organisation.pk),
                               {"email": email, "role": role})
    assert response.status_code == HTTPStatus.FOUND
    return response


def link_in_last_mail() -> str:
    match = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return urlparse(match.group(0)).path


def test_invitation_email_link_is_accepted_by_the_invitee(
    client, organisation, django_capture_on_commit_callbacks
):
    invitee = UserFactory(email="nolwenn@example.org")
    invite(client, organisation, "nolwenn@example.org", role="referent",
           capture=django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["nolwenn@example.org"]]
    path = link_in_last_mail()

    client.force_login(invitee)
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    assert organisation.name in text(response)
    response = client.post(path)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].endswith(f"/organisations/{organisation.pk}/")
    assert selectors.role_of(organisation=organisation, user=invitee) == Role.REFERENT


def test_invitation_link_cannot_be_used_twice(client, organisation,
                                              django_capture_on_commit_callbacks):
    invitee = UserFactory(email="nolwenn@example.org")
    invite(client, organisation, invitee.email, capture=django_capture_on_commit_callbacks)
    path = link_in_last_mail()
    client.force_login(invitee)
    assert client.post(path).status_code == HTTPStatus.FOUND
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert "already been used" in text(response)
    assert organisation.members.filter(user=invitee).count() == 1


def test_expired_invitation_is_refused_with_400(client, organisation,
                                                django_capture_on_commit_callbacks):
    invitee = UserFactory(email="nolwenn@example.org")
    invite(client, organisation, invitee.email, capture=django_capture_on_commit_callbacks)
    path = link_in_last_mail()
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    client.force_login(invitee)
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert "not valid or has expired" in text(response)
    assert selectors.role_of(organisation=organisation, user=invitee) is None


def test_revoked_invitation_is_refused(client, organisation, django_capture_on_commit_callbacks):
    invitee = UserFactory(email="nolwenn@example.org")
    invite(client, organisation, invitee.email, capture=django_capture_on_commit_callbacks)
    path = link_in_last_mail()
    invitation = Invitation.objects.get()
    response = client.post(en("members:invitation_revoke", organisation.pk, invitation.pk))
    assert response.status_code == HTTPStatus.FOUND
    client.force_login(invitee)
    assert client.post(path).status_code == HTTPStatus.BAD_REQUEST
    assert selectors.role_of(organisation=organisation, user=invitee) is None


def test_invitation_revoked_after_it_was_read_is_refused_when_locked(
    client, organisation, django_capture_on_commit_callbacks
):
    # The acceptance reads the invitation, then locks its row: a revocation that lands
    # in between is seen on the locked row.
    from django.core.exceptions import ValidationError

    from members.services.invitations import invitation_lock_for_acceptance

    invitee = UserFactory(email="nolwenn@example.org")
    invite(client, organisation, invitee.email, capture=django_capture_on_commit_callbacks)
    read = Invitation.objects.get()
    Invitation.objects.update(revoked_at=timezone.now())
    with pytest.raises(ValidationError, match="not valid or has expired"):
        invitation_lock_for_acceptance(invitation=read, user=invitee)
    assert selectors.role_of(organisation=organisation, user=invitee) is None


def test_forged_invitation_token_is_refused_with_400(client, member):
    client.force_login(member)
    for token in ("eyJpbnZpdGF0aW9uIjoxfQ:1tForged:abcdefghijklmnopqrstuvwxyz0", "nonsense"):
        url = en("members:invitation_accept", token)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == HTTPStatus.BAD_REQUEST
            assert "not valid or has expired" in text(response)
    assert not OrganisationMember.objects.filter(user=member).exists()


def test_invitee_signed_in_with_another_address_is_refused(
    client, organisation, django_capture_on_commit_callbacks
):
    invite(client, organisation, "nolwenn@example.org",
           capture=django_capture_on_commit_callbacks)
    path = link_in_last_mail()
    someone_else = UserFactory(email="someone.else@example.org")
    client.force_login(someone_else)
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    assert "but you are signed in as someone.else@example.org" in text(response)
    response = client.post(path)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "This invitation was sent to nolwenn@example.org" in text(response)
    assert selectors.role_of(organisation=organisation, user=someone_else) is None
    assert Invitation.objects.get().accepted_at is None


def test_anonymous_invitation_link_goes_to_login_and_back(client, organisation,
                                                           django_capture_on_commit_callbacks):
    invite(client, organisation, "nolwenn@example.org",
           capture=django_capture_on_commit_callbacks)
    path = link_in_last_mail()
    client.logout()
    response = client.get(path, follow=True)
    login, status = response.redirect_chain[0]
    assert status == HTTPStatus.FOUND
    assert urlparse(login).path == en("account_login")
    assert parse_qs(urlparse(login).query)["next"] == [path]
    assert "No account yet? Sign up with the address the invitation was sent to" in \
        text(response)


def test_duplicate_invitation_is_refused_with_a_message(client, organisation,
                                                        django_capture_on_commit_callbacks):
    invite(client, organisation, "nolwenn@example.org",
           capture=django_capture_on_commit_callbacks)
    response = client.post(en("members:organisation_invite", organisation.pk),
                           {"email": "nolwenn@example.org", "role": "member"}, follow=True)
    assert "An invitation is already waiting for this address." in text(response)
    assert Invitation.objects.count() == 1


def test_referent_gets_403_on_invite(client, organisation):
    client.force_login(organisation.referent)
    response = client.post(en("members:organisation_invite", organisation.pk),
                           {"email": "nolwenn@example.org", "role": "representative"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Invitation.objects.exists()


# --- Roles, removing, leaving -----------------------------------------------------------

def test_representative_changes_a_role(client, organisation):
    member = organisation.members.get(user=organisation.plain_member)
    client.force_login(organisation.representative)
    response = client.post(en("members:member_role", organisation.pk, member.pk),
                           {"role": "representative"})
    assert response.status_code == HTTPStatus.FOUND
    member.refresh_from_db()
    assert member.role == Role.REPRESENTATIVE


def test_referent_cannot_change_roles(client, organisation):
    member = organisation.members.get(user=organisation.referent)
    client.force_login(organisation.referent)
    response = client.post(en("members:member_role", organisation.pk, member.pk),
                           {"role": "representative"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    member.refresh_from_db()
    assert member.role == Role.REFERENT


def test_unknown_role_is_refused_with_a_message(client, organisation):
    member = organisation.members.get(user=organisation.plain_member)
    client.force_login(organisation.representative)
    response = client.post(en("members:member_role", organisation.pk, member.pk),
                           {"role": "owner"}, follow=True)
    assert response.status_code == HTTPStatus.OK
    assert "Select a valid choice" in text(response)
    member.refresh_from_db()
    assert member.role == Role.MEMBER


def test_last_representative_cannot_step_down(client, organisation):
    member = organisation.members.get(user=organisation.representative)
    client.force_login(organisation.representative)
    response = client.post(en("members:member_role", organisation.pk, member.pk),
                           {"role": "member"}, follow=True)
    assert "The organisation must keep at least one representative." in text(response)
    member.refresh_from_db()
    assert member.role == Role.REPRESENTATIVE


def test_last_representative_cannot_leave(client, organisation):
    client.force_login(organisation.representative)
    response = client.post(en("members:organisation_leave", organisation.pk), follow=True)
    assert response.redirect_chain[-1][0] == en("members:organisation_detail", organisation.pk)
    assert "The last representative cannot leave the organisation." in text(response)
    assert organisation.members.filter(user=organisation.representative,
                                       role=Role.REPRESENTATIVE).exists()


def test_member_leaves_the_organisation(client, organisation):
    client.force_login(organisation.plain_member)
    response = client.post(en("members:organisation_leave", organisation.pk))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == en("members:organisation_list")
    assert selectors.role_of(organisation=organisation, user=organisation.plain_member) is None
    assert client.get(en("members:organisation_detail", organisation.pk)).status_code == \
        HTTPStatus.NOT_FOUND


def test_representative_removes_a_person(client, organisation):
    member = organisation.members.get(user=organisation.plain_member)
    client.force_login(organisation.representative)
    response = client.post(en("members:member_remove", organisation.pk, member.pk))
    assert response.status_code == HTTPStatus.FOUND
    assert not OrganisationMember.objects.filter(pk=member.pk).exists()


def test_referent_cannot_remove_people(client, organisation):
    member = organisation.members.get(user=organisation.plain_member)
    client.force_login(organisation.referent)
    response = client.post(en("members:member_remove", organisation.pk, member.pk))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert OrganisationMember.objects.filter(pk=member.pk).exists()


# --- Memberships and agreements from the organisation's page ----------------------------

def test_representative_joins_for_the_current_year(client, organisation):
    year = timezone.localdate().year
    organisation.memberships.all().delete()
    client.force_login(organisation.representative)
    body = text(client.get(en("members:organisation_detail", organisation.pk)))
    assert f"Join for {year}" in body
    response = client.post(en("members:membership_open", organisation.pk), {"year": year},
                           follow=True)
    assert "membership is open" in text(response)
    membership = Membership.objects.get(organisation=organisation, year=year)
    assert membership.status == Membership.Status.PENDING


def test_joining_a_year_without_fee_shows_the_reason(client, organisation):
    next_year = timezone.localdate().year + 1
    client.force_login(organisation.representative)
    response = client.post(en("members:membership_open", organisation.pk), {"year": next_year},
                           follow=True)
    assert "No membership fee is set" in text(response)
    assert not Membership.objects.filter(organisation=organisation, year=next_year).exists()


def test_representative_cannot_open_a_far_year(client, organisation):
    client.force_login(organisation.representative)
    response = client.post(en("members:membership_open", organisation.pk), {"year": 2040})
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_referent_cannot_open_a_membership(client, organisation):
    organisation.memberships.all().delete()
    client.force_login(organisation.referent)
    response = client.post(en("members:membership_open", organisation.pk),
                           {"year": timezone.localdate().year})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not organisation.memberships.exists()


def test_representative_starts_an_agreement_once(client, organisation):
    client.force_login(organisation.representative)
    response = client.post(en("members:agreement_create", organisation.pk))
    agreement = organisation.agreements.get()
    assert response["Location"] == en("members:agreement_detail", agreement.pk)
    assert agreement.status == "draft"
    body = text(client.get(en("members:organisation_detail", organisation.pk)))
    assert agreement.number in body
    assert en("members:agreement_create", organisation.pk) not in body
    response = client.post(en("members:agreement_create", organisation.pk), follow=True)
    assert "already in progress" in text(response)
    assert organisation.agreements.count() == 1


def test_referent_cannot_start_an_agreement(client, organisation):
    client.force_login(organisation.referent)
    response = client.post(en("members:agreement_create", organisation.pk))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not organisation.agreements.exists()
