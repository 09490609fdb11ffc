"""A member's personal data: the "My data" page, the JSON download, deleting the account."""

import json
from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse

from algoric.audit.models import AuditEvent
from algoric.audit.services import audit_record
from algoric.notifications.models import Notification
from members.models import OrganisationMember, User
from members.services import user_delete_account
from projects.models import Project, ProjectMember, RequestComment
from projects.services import requests as request_services

from ..factories import PASSWORD, OrganisationMemberFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def login(client, user):
    """Sign in, then re-authenticate with the password through allauth's page (so the next
    sensitive action is not asked to re-authenticate)."""
    client.force_login(user)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:500]


@pytest.fixture
def person(organisation):
    """A plain member of ``organisation``, member of one of its projects, with a comment, a
    request, a notification, an authenticator and an audit event."""
    user = organisation.plain_member
    project = ProjectFactory(organisation=organisation, acronym="Houle",
                             pi=organisation.representative, manager=True, member=True)
    ProjectMember.objects.get_or_create(project=project, user=user,
                                        defaults={"role": ProjectMember.Role.MEMBER})
    pi = organisation.representative
    resource_request = request_services.request_create(project=project, kind="new", actor=pi)
    RequestComment.objects.create(request=resource_request, author=user,
                                  body="Il nous faut des GPU.")
    Notification.objects.create(recipient=user, email=user.email, event="welcome",
                                subject="Bienvenue", body="Bonjour")
    Notification.objects.create(recipient=user, email=user.email, event="password_reset",
                                subject="Reset", body="secret-link-123", in_inbox=False)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP,
                                 data={"secret": "TOPSECRETSEED"})
    audit_record(action="login.succeeded", category=AuditEvent.Category.SECURITY, actor=user)
    user.project = project
    return user


def test_my_data_page_is_linked_from_the_profile(client, member):
    client.force_login(member)
    profile = client.get(reverse("members:profile")).content.decode()
    assert reverse("members:personal_data") in profile
    page = client.get(reverse("members:personal_data"))
    assert page.status_code == HTTPStatus.OK
    body = page.content.decode()
    assert reverse("members:personal_data_download") in body
    assert reverse("members:account_delete") in body


def test_pages_need_login(client):
    for name in ("members:personal_data", "members:personal_data_download",
                 "members:account_delete"):
        response = client.get(reverse(name))
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"].startswith(reverse("account_login"))


def test_download_has_everything_and_no_secret(client, person):
    client.force_login(person)
    response = client.get(reverse("members:personal_data_download"), REMOTE_ADDR="192.0.2.4")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == person.email
    assert [e["email"] for e in data["emails"]] == [person.email]
    assert data["organisations"][0]["role"] == "member"
    assert [p["project"] for p in data["projects"]] == ["Houle"]
    assert data["request_comments"][0]["body"] == "Il nous faut des GPU."
    assert {n["event"] for n in data["notifications"]} == {"welcome", "password_reset"}
    assert any(e["action"] == "login.succeeded" for e in data["audit_events"])
    assert data["security"]["two_factor"][0]["type"] == "totp"
    assert data["security"]["active_sessions"] == 1
    text = response.content.decode()
    for secret in ("TOPSECRETSEED", "secret-link-123", person.password, "sessionid"):
        assert secret not in text
    event = AuditEvent.objects.get(action="personal_data.exported")
    assert event.actor == person and event.ip == "192.0.2.4"


def test_requests_written_are_in_the_pi_download(client, person, organisation):
    client.force_login(organisation.representative)
    data = json.loads(client.get(reverse("members:personal_data_download")).content)
    assert [r["project"] for r in data["resource_requests"]] == ["Houle"]
    assert data["projects"][0]["role"] == "pi"


def test_deletion_asks_to_reauthenticate(client, person):
    client.force_login(person)  # no recorded authentication: a fresh one is required
    response = client.post(reverse("members:account_delete"), {"confirm": "on"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    person.refresh_from_db()
    assert person.is_active and person.deleted_at is None


def test_deletion_needs_the_confirmation(client, person):
    login(client, person)
    response = client.post(reverse("members:account_delete"), {"reason": "x"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert User.objects.get(pk=person.pk).deleted_at is None


def test_deletion_anonymises_and_keeps_what_accounting_needs(client, person, organisation):
    person.cluster_login = "jdupont"
    person.save()
    login(client, person)
    other = UserFactory()
    other_client = client.__class__()
    other_client.force_login(other)
    response = client.post(reverse("members:account_delete"),
                           {"confirm": "on", "reason": "Je change d'équipe."},
                           REMOTE_ADDR="192.0.2.9")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("pages:home")

    user = User.objects.get(pk=person.pk)
    assert user.email == f"deleted-{user.pk}@invalid"
    assert (user.first_name, user.last_name) == ("", "")
    assert not user.has_usable_password() and not user.is_active
    assert user.deleted_at is not None and user.cluster_login == "jdupont"
    assert "Je change d'équipe." in user.deletion_note
    assert user.display_name == f"compte supprimé n°{user.pk}" or str(user.pk) in \
        user.display_name
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not OrganisationMember.objects.filter(user=user).exists()
    assert not Notification.objects.filter(recipient=user).exists()
    assert not ProjectMember.objects.filter(user=user).exists()
    # What accounting and contracts need stays, pointing at the anonymised account.
    assert RequestComment.objects.filter(author=user).count() == 1
    event = AuditEvent.objects.get(action="account.deleted")
    assert event.actor == user and event.ip == "192.0.2.9"
    assert event.detail["reason"] == "Je change d'équipe."
    # Every session of the person is over; other people's are not.
    assert client.get(reverse("members:profile")).status_code == HTTPStatus.FOUND
    assert all(s.get_decoded().get("_auth_user_id") != str(user.pk)
               for s in Session.objects.all())
    assert other_client.get(reverse("members:profile")).status_code == HTTPStatus.OK
    # The old login no longer works.
    client.post(reverse("account_login"), {"login": "nobody", "password": PASSWORD})
    assert not client.session.get("_auth_user_id")


def test_only_representative_cannot_delete(client, organisation):
    representative = organisation.representative
    login(client, representative)
    page = client.get(reverse("members:personal_data")).content.decode()
    assert organisation.name in page
    response = client.post(reverse("members:account_delete"), {"confirm": "on"})
    assert response.status_code == HTTPStatus.CONFLICT
    assert "representative" in response.content.decode() or "représentant" in \
        response.content.decode()
    assert User.objects.get(pk=representative.pk).deleted_at is None


def test_a_second_representative_lifts_the_block(organisation):
    OrganisationMemberFactory(organisation=organisation, role="representative")
    Project.objects.all().delete()
    user = user_delete_account(user=organisation.representative, reason="")
    assert user.deleted_at is not None


def test_pi_of_an_active_project_cannot_delete(organisation):
    project = ProjectFactory(organisation=organisation, acronym="HouleGolfe",
                             pi=organisation.representative, manager=True, member=True)
    OrganisationMemberFactory(organisation=organisation, role="representative")
    Project.objects.filter(pk=project.pk).update(status=Project.Status.ACTIVE)
    with pytest.raises(ValidationError) as refused:
        user_delete_account(user=organisation.representative, reason="")
    assert project.acronym in " ".join(refused.value.messages)
    assert not AuditEvent.objects.filter(action="account.deleted").exists()
    Project.objects.filter(pk=project.pk).update(status=Project.Status.CLOSED)
    user = user_delete_account(user=organisation.representative, reason="")
    assert ProjectMember.objects.filter(project=project, user=user, role="pi").exists()


def test_privacy_page_says_what_is_kept_and_how_to_get_or_delete_data(client):
    fr = client.get(reverse("pages:privacy")).content.decode()
    assert "/account/my-data/" in fr and "anonymis" in fr
    en = client.get("/en/privacy/").content.decode()
    assert "/en/account/my-data/" in en and "anonymised" in en


def test_privacy_update_leaves_a_page_edited_by_staff_alone():
    import importlib

    from django.apps import apps

    from algoric.pages.models import Page

    migration = importlib.import_module("algoric.pages.migrations.0003_privacy_personal_data")
    page = Page.objects.get(slug="privacy")
    assert page.body_fr == migration.NEW_FR  # the migration ran on the seeded page
    Page.objects.filter(pk=page.pk).update(body_fr=migration.SEED.PRIVACY_FR,
                                           body_en="Edited by staff.")
    migration.forwards(apps, None)
    page.refresh_from_db()
    assert page.body_en == "Edited by staff." and page.body_fr == migration.SEED.PRIVACY_FR
    Page.objects.filter(pk=page.pk).update(body_en=migration.SEED.PRIVACY_EN)
    migration.forwards(apps, None)
    page.refresh_from_db()
    assert (page.body_fr, page.body_en) == (migration.NEW_FR, migration.NEW_EN)
