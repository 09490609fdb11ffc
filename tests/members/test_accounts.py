"""Sign-up, login, verification, enumeration, rate limits, re-authentication, profile."""

import re
from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from algoric.notifications.models import Notification
from members.models import User

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

STRONG = "Ty-Kreiz-Loch-2026-calcul"


def signup(client, email, password=STRONG, password2=None, **extra):
    data = {
        "first_name": "Anna",
        "last_name": "Le Bihan",
        "email": email,
        "password1": password,
        "password2": password2 if password2 is not None else password,
        **extra,
    }
    return client.post(reverse("account_signup"), data)


def test_user_model_uses_email_as_login():
    user = User.objects.create_user("Someone@Example.org", "x")
    assert User.USERNAME_FIELD == "email"
    assert not hasattr(user, "username") or user.username is None
    assert User.objects.get_by_natural_key("someone@example.org") == user


def test_signup_stores_confirmation_in_outbox_and_sends_it(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(client, "new.member@example.org")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.member@example.org")
    assert (user.first_name, user.last_name, user.language) == ("Anna", "Le Bihan", "fr")
    notification = Notification.objects.get(email="new.member@example.org")
    assert notification.event == "email_confirmation_signup"
    assert notification.status == Notification.Status.SENT
    assert not notification.in_inbox  # carries a secret link
    assert len(mail.outbox) == 1
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_login_refused_until_email_is_confirmed(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signup(client, "unverified@example.org")
    client.logout()
    response = client.post(reverse("account_login"),
                           {"login": "unverified@example.org", "password": STRONG})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_confirmation_link_verifies_and_allows_login(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signup(client, "confirm.me@example.org")
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[0].body)
    assert link
    assert client.get(link.group(1)).status_code == HTTPStatus.OK  # a page with a button
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link.group(1))
    assert response.status_code == HTTPStatus.FOUND
    assert EmailAddress.objects.get(email="confirm.me@example.org").verified
    # The welcome notification is in the inbox, in French.
    welcome = Notification.objects.get(event="welcome")
    assert welcome.in_inbox and "Bienvenue" in welcome.subject
    client.logout()
    response = client.post(reverse("account_login"),
                           {"login": "confirm.me@example.org", "password": STRONG})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("members:profile")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Short-pw-26", "au minimum 12 caractères"),
        ("A" + "b1-" * 43, "au plus 128 caractères"),
        ("password1234", "trop courant"),
        ("314159265358979", "entièrement numérique"),
    ],
)
def test_signup_refuses_weak_passwords_with_clear_message(client, password, message):
    response = signup(client, "weak@example.org", password=password)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.content.decode()
    assert not User.objects.filter(email="weak@example.org").exists()


def test_signup_errors_are_in_english_on_english_pages(client):
    response = client.post(
        "/en/accounts/signup/",
        {"first_name": "A", "last_name": "B", "email": "not-an-email", "password1": "x",
         "password2": "y"},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Enter a valid email address." in response.content.decode()


def test_signup_with_existing_email_gives_same_answer(client, member,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        fresh = signup(client, "someone.new@example.org")
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        taken = signup(client, member.email.upper())
    assert (fresh.status_code, fresh["Location"]) == (taken.status_code, taken["Location"])
    assert User.objects.filter(email__iexact=member.email).count() == 1
    # The owner of the address is told someone tried to sign up with it.
    assert Notification.objects.filter(email__iexact=member.email,
                                       event="account_already_exists").exists()


def test_password_reset_answers_the_same_for_known_and_unknown_emails(
    client, member, django_capture_on_commit_callbacks
):
    url = reverse("account_reset_password")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url, {"email": member.email})
        unknown = client.post(url, {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])


def test_login_failure_message_does_not_reveal_whether_account_exists(client, member):
    url = reverse("account_login")
    wrong_password = client.post(url, {"login": member.email, "password": "Wrong-pass-2026!"})
    no_account = client.post(url, {"login": "ghost@example.org", "password": "Wrong-pass-2026!"})
    assert wrong_password.status_code == no_account.status_code == HTTPStatus.BAD_REQUEST
    assert "incorrect" in wrong_password.content.decode()
    assert wrong_password.context["form"].errors == no_account.context["form"].errors


def test_failed_logins_are_rate_limited_per_account(client, member):
    url = reverse("account_login")
    codes = [client.post(url, {"login": member.email, "password": f"Wrong-{i}-pass-2026"})
             .status_code for i in range(6)]
    assert codes[:5] == [HTTPStatus.BAD_REQUEST] * 5
    assert codes[5] == HTTPStatus.TOO_MANY_REQUESTS


def test_rate_limit_is_not_reset_by_forged_x_forwarded_for(client):
    url = reverse("account_login")
    for i in range(10):  # 10 failures a minute per IP address
        client.post(url, {"login": f"user{i}@example.org", "password": "Wrong-pass-2026!"})
    blocked = client.post(url, {"login": "other@example.org", "password": "Wrong-pass-2026!"},
                          headers={"X-Forwarded-For": "203.0.113.7"})
    assert blocked.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_email_change_requires_recent_authentication(client, member):
    client.force_login(member)
    response = client.post(reverse("account_email"),
                           {"action_add": "", "email": "second@example.org"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.filter(email="second@example.org").exists()


def test_password_change_requires_the_current_password(client, member):
    client.force_login(member)
    response = client.post(reverse("account_change_password"),
                           {"oldpassword": "Not-the-password-26", "password1": STRONG,
                            "password2": STRONG})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_password_change_notifies_by_email(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="changer@example.org")
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_change_password"),
            {"oldpassword": PASSWORD, "password1": STRONG, "password2": STRONG},
        )
    assert response.status_code == HTTPStatus.FOUND
    assert Notification.objects.filter(email=user.email, event="password_changed",
                                       status="sent").exists()


def test_profile_requires_login(client):
    response = client.get(reverse("members:profile"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("account_login"))


def test_profile_update_changes_language_and_ignores_other_fields(client, member):
    client.force_login(member)
    response = client.post(
        reverse("members:profile"),
        {"first_name": "Gwen", "last_name": "Morvan", "language": "en", "cluster_login": "gmorvan",
         "is_staff": "on", "email": "hijack@example.org"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/en/account/profile/"
    member.refresh_from_db()
    assert (member.first_name, member.language, member.cluster_login) == ("Gwen", "en", "gmorvan")
    assert not member.is_staff
    assert member.email != "hijack@example.org"


def test_profile_refuses_bad_cluster_login(client, member):
    client.force_login(member)
    response = client.post(reverse("members:profile"),
                           {"first_name": "A", "last_name": "B", "language": "fr",
                            "cluster_login": "Root; rm -rf"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "lettres minuscules" in response.content.decode()


def test_login_success_and_failure_are_logged_without_password(client, member, caplog):
    caplog.set_level("INFO", logger="algoric.security")
    client.post(reverse("account_login"), {"login": member.email, "password": "Wrong-pass-26!"})
    client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    text = caplog.text
    assert "login failed" in text and member.email in text
    assert f"login succeeded: user={member.pk}" in text
    assert "Wrong-pass-26!" not in text and PASSWORD not in text
