"""The choice between every message as it comes and one weekly digest, on the profile
page; in the personal-data download; gone with the account."""

import json
import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from algoric.notifications.models import NotificationPreference as Preference
from algoric.notifications.selectors import notification_choice_categories
from members.services.users import user_delete_account

pytestmark = pytest.mark.django_db
URL = "members:profile"


def choices(**overrides):
    data = {f"notifications-{category}": "immediate"
            for category, _label in notification_choice_categories()}
    data.update({f"notifications-{key}": value for key, value in overrides.items()})
    return {**data, "save_notifications": "1"}


def stored(user):
    return dict(Preference.objects.filter(user=user).values_list("category", "delivery"))


def test_the_profile_page_shows_each_category_with_as_it_comes_checked(client, member):
    client.force_login(member)
    body = client.get(reverse(URL)).content.decode()
    assert 'id="notifications"' in body
    for category in ("requests", "allocations", "membership", "reports"):
        assert f'name="notifications-{category}" value="immediate"' in body
        assert f'name="notifications-{category}" value="weekly"' in body
    assert 'name="notifications-account"' not in body  # nothing to choose there
    section = body[body.index('id="notifications"'):]
    section = section[:section.index("</section>")]
    assert section.count("checked") == len(notification_choice_categories())
    assert 'name="first_name"' in body  # the profile form is still there


def test_saving_the_choices_keeps_the_profile_and_shows_them_checked(client, member):
    client.force_login(member)
    name = member.first_name
    response = client.post(reverse(URL), choices(requests="weekly", reports="weekly"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse(URL) + "#notifications"
    assert stored(member) == {
        category: "weekly" if category in ("requests", "reports") else "immediate"
        for category, _label in notification_choice_categories()}
    assert {"requests", "allocations", "membership", "reports"} <= set(stored(member))
    member.refresh_from_db()
    assert member.first_name == name
    body = client.get(reverse(URL)).content.decode()
    assert re.search(r'name="notifications-requests" value="weekly"\s+id="[^"]+" required checked',
                     body)
    assert re.search(r'name="notifications-allocations" value="immediate"\s+id="[^"]+" '
                     r'required checked', body)


def test_a_bad_choice_answers_400_and_saves_nothing(client, member):
    client.force_login(member)
    response = client.post(reverse(URL), choices(requests="monthly"))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert stored(member) == {}


def test_the_profile_form_still_saves_without_touching_the_choices(client, member):
    client.force_login(member)
    response = client.post(reverse(URL), {"first_name": "Gwen", "last_name": "Morvan",
                                          "language": "fr", "cluster_login": ""})
    assert response.status_code == HTTPStatus.FOUND
    member.refresh_from_db()
    assert member.first_name == "Gwen"
    assert stored(member) == {}


def test_the_download_shows_the_choices(client, member):
    client.force_login(member)
    client.post(reverse(URL), choices(allocations="weekly"))
    data = json.loads(client.get(reverse("members:personal_data_download")).content)
    assert {(row["category"], row["delivery"]) for row in data["notification_preferences"]} >= {
        ("allocations", "weekly"), ("requests", "immediate")}


def test_the_choices_are_deleted_with_the_account(member):
    Preference.objects.create(user=member, category="reports", delivery="weekly")
    user_delete_account(user=member)
    assert stored(member) == {}
