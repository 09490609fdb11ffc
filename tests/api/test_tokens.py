"""Personal access tokens: made on the profile page (shown once, stored as a hash), listed
with their last use, revoked; the audit trail and the owner's email; the staff scope for
verified staff only; the ``create_api_token`` command."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from algoric.audit.models import AuditEvent
from algoric.notifications.models import Notification
from api.models import PersonalAccessToken
from api.models.tokens import secret_hash
from api.selectors.tokens import token_for_secret
from api.services.tokens import token_revoke, tokens_create
from members.services.users import user_delete_account

from ..factories import PersonalAccessTokenFactory, StaffFactory, UserFactory


@pytest.mark.django_db
def test_tokens_create_stores_only_the_hash_and_tells_the_owner(
        django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        token, secret = tokens_create(user=user, name="carnet", scopes=["read"], actor=user)
    assert secret.startswith(f"alg_{token.lookup}_")
    assert token.hash == secret_hash(secret) and secret not in token.hash
    assert not PersonalAccessToken.objects.filter(hash=secret).exists()
    assert token.expires_at - token.created_at == dt.timedelta(days=90)
    assert token_for_secret(secret) == token
    assert token_for_secret(secret[:-1] + ("x" if secret[-1] != "x" else "y")) is None
    assert AuditEvent.objects.filter(action="api_token.created", actor=user).exists()
    notice = Notification.objects.get(recipient=user, event="api_token_created")
    assert "carnet" in notice.subject and secret not in notice.body


@pytest.mark.django_db
@pytest.mark.parametrize(("kwargs", "field"), [
    ({"name": " "}, "name"),
    ({"scopes": []}, "scopes"),
    ({"scopes": ["admin"]}, "scopes"),
    ({"scopes": ["staff"]}, "scopes"),
    ({"expires_days": 366}, "expires_days"),
    ({"expires_days": 0}, "expires_days"),
])
def test_tokens_create_refuses_bad_input_and_writes_nothing(kwargs, field):
    user = StaffFactory()  # staff without TOTP: not verified, so no staff scope
    arguments = {"user": user, "name": "carnet", "scopes": ["read"], "actor": user, **kwargs}
    with pytest.raises(ValidationError) as caught:
        tokens_create(**arguments)
    assert field in caught.value.error_dict
    assert not PersonalAccessToken.objects.exists()
    assert not AuditEvent.objects.filter(action="api_token.created").exists()


@pytest.mark.django_db
def test_verified_staff_may_make_a_staff_token():
    staff = StaffFactory(mfa=True)
    token, _secret = tokens_create(user=staff, name="revues", scopes=["staff", "read"],
                                   expires_days=365, actor=staff)
    assert token.scopes == ["read", "staff"]


@pytest.mark.django_db
def test_token_revoke_is_recorded_once():
    token = PersonalAccessTokenFactory()
    token_revoke(token=token, actor=token.user)
    first = token.revoked_at
    token_revoke(token=token, actor=token.user)
    assert token.revoked_at == first
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1
    assert Notification.objects.filter(event="api_token_revoked").count() == 1


@pytest.mark.django_db
def test_last_use_is_recorded_at_most_once_a_minute(client):
    token = PersonalAccessTokenFactory()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token.secret}"}
    assert client.get(reverse("api:me"), **headers).status_code == HTTPStatus.OK
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get(reverse("api:me"), **headers)
    token.refresh_from_db()
    assert token.last_used_at == first
    PersonalAccessToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now() - dt.timedelta(minutes=2))
    client.get(reverse("api:me"), **headers)
    token.refresh_from_db()
    assert token.last_used_at > first


@pytest.mark.django_db
def test_inactive_owner_token_is_refused(client):
    token = PersonalAccessTokenFactory(user=UserFactory(is_active=False))
    response = client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {token.secret}")
    assert response.status_code == HTTPStatus.UNAUTHORIZED


@pytest.mark.django_db
def test_profile_page_creates_shows_once_lists_and_revokes_a_token(client):
    user = UserFactory()
    client.force_login(user)
    profile = reverse("members:profile")
    page = client.get(profile).content.decode()
    assert 'id="api-tokens"' in page and 'value="staff"' not in page
    response = client.post(reverse("api_tokens:create"),
                           {"name": "carnet", "scopes": ["read"], "expires_days": 30})
    assert response.status_code == HTTPStatus.FOUND
    token = PersonalAccessToken.objects.get(user=user)
    first = client.get(profile).content.decode()
    shown = first.split('data-testid="new-token">')[1].split("<")[0]
    assert shown.startswith(f"alg_{token.lookup}_") and token.hash == secret_hash(shown)
    again = client.get(profile).content.decode()
    assert shown not in again and "carnet" in again  # shown once, listed after
    assert (token.expires_at - token.created_at).days == 30
    client.post(reverse("api_tokens:revoke", kwargs={"pk": token.pk}))
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.django_db
def test_profile_page_offers_the_staff_scope_to_verified_staff_only(client):
    staff = StaffFactory(mfa=True)
    client.force_login(staff)
    assert 'value="staff"' in client.get(reverse("members:profile")).content.decode()
    member = UserFactory()
    client.force_login(member)
    client.post(reverse("api_tokens:create"),
                {"name": "x", "scopes": ["staff"], "expires_days": 30})
    assert not PersonalAccessToken.objects.filter(user=member).exists()


@pytest.mark.django_db
def test_another_members_token_cannot_be_revoked(client):
    token = PersonalAccessTokenFactory()
    client.force_login(UserFactory())
    response = client.post(reverse("api_tokens:revoke", kwargs={"pk": token.pk}))
    assert response.status_code == HTTPStatus.NOT_FOUND
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.django_db
def test_token_pages_need_a_signed_in_member_and_a_post(client):
    response = client.post(reverse("api_tokens:create"), {"name": "x", "scopes": ["read"]})
    assert response.status_code == HTTPStatus.FOUND and "/accounts/login/" in response["Location"]
    client.force_login(UserFactory())
    assert client.get(reverse("api_tokens:create")).status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.django_db
def test_create_api_token_command_prints_a_working_token(client):
    user = UserFactory(email="pi@example.org")
    out = StringIO()
    call_command("create_api_token", "PI@example.org", "--scope", "read", "--expires-days", "7",
                 stdout=out)
    secret = out.getvalue().strip()
    response = client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == HTTPStatus.OK and response.json()["email"] == user.email
    token = PersonalAccessToken.objects.get(user=user)
    assert token.scopes == ["read"] and (token.expires_at - token.created_at).days == 7


@pytest.mark.django_db
def test_create_api_token_command_refuses_unknown_people_and_bad_expiry():
    UserFactory(email="pi@example.org")
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody@example.org", "--scope", "read")
    with pytest.raises(CommandError):
        call_command("create_api_token", "pi@example.org", "--scope", "read",
                     "--expires-days", "400")
    assert not PersonalAccessToken.objects.exists()


@pytest.mark.django_db
def test_personal_data_export_lists_tokens_without_their_secret(client):
    token = PersonalAccessTokenFactory()
    client.force_login(token.user)
    response = client.get(reverse("members:personal_data_download"))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"api_tokens" in body and token.secret.encode() not in body


@pytest.mark.django_db
def test_deleting_an_account_deletes_its_tokens():
    token = PersonalAccessTokenFactory()
    user_delete_account(user=token.user)
    assert not PersonalAccessToken.objects.filter(pk=token.pk).exists()
