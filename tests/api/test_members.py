"""A project's people through the API: the list of the project page (its order, filter by
role, fields), adding someone by email (at once with an account, by an invitation
without), changing a role (only the PI hands over the role of PI), removing someone or
leaving — the page's forms and services, their refusals in the API's error shape, nothing
half written — and a fixed number of queries whatever the number of people."""

from __future__ import annotations

import json
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from projects.models import ProjectInvitation, ProjectMember

from ..factories import ProjectFactory, UserFactory
from .conftest import bearer


def _list_url(world) -> str:
    return reverse("api:project_members", kwargs={"pk": world.project.pk})


def _detail_url(world, member) -> str:
    return reverse("api:project_member_detail",
                   kwargs={"pk": world.project.pk, "member_pk": member.pk})


def _send(client, method, url, body, token):
    return getattr(client, method)(url, data=json.dumps(body),
                                   content_type="application/json", **bearer(token))


def _says(response, msgid: str) -> bool:
    """Whether the error's message is ``msgid`` in the language of the answer."""
    with translation.override(response["Content-Language"]):
        return response.json()["error"]["message"] == translation.gettext(msgid)


def _pi_member(world) -> ProjectMember:
    return world.project.members.get(user=world.pi)


# --- Reading ---------------------------------------------------------------------------

def test_people_come_in_the_page_order_pi_then_managers_then_members_by_name(client, world,
                                                                             token):
    world.project.members.create(user=UserFactory(first_name="Anne", last_name="Zabal"),
                                 role="manager")
    world.project.members.create(user=UserFactory(first_name="Bleuenn", last_name="Abgrall"),
                                 role="member")
    body = client.get(_list_url(world), **bearer(token(world.pi, "read"))).json()
    assert body["count"] == 4
    assert [(row["role"], row["user"]["name"]) for row in body["results"]] == [
        ("pi", world.pi.get_full_name() or world.pi.email),
        ("manager", "Anne Zabal"),
        ("member", "Bleuenn Abgrall"),
        ("member", "Maëlle Le Goff"),
    ]
    row = body["results"][3]
    assert set(row) == {"id", "user", "role", "added_at"}
    assert row["id"] == world.colleague.pk
    assert row["user"] == {"id": world.colleague.user.pk, "email": world.colleague.user.email,
                           "name": "Maëlle Le Goff"}
    assert "cluster_login" not in json.dumps(body)  # the page does not show it


def test_people_are_filtered_by_role_and_a_bad_role_is_a_400(client, world, token):
    given = token(world.pi, "read")
    members = client.get(_list_url(world) + "?role=member", **bearer(given)).json()
    assert [row["id"] for row in members["results"]] == [world.colleague.pk]
    bad = client.get(_list_url(world) + "?role=chief", **bearer(given))
    assert bad.status_code == HTTPStatus.BAD_REQUEST
    assert "role" in bad.json()["error"]["fields"]


def test_a_plain_member_reads_the_people_as_on_the_page(client, world, token):
    given = token(world.colleague.user, "read")
    assert client.get(_list_url(world), **bearer(given)).json()["count"] == 2
    one = client.get(_detail_url(world, _pi_member(world)), **bearer(given))
    assert one.status_code == HTTPStatus.OK and one.json()["role"] == "pi"


def test_a_member_of_another_project_is_not_found_here(client, world, token):
    elsewhere = ProjectFactory(organisation=world.organisation, pi=world.pi)
    other = elsewhere.members.create(user=UserFactory(), role="member")
    given = token(world.pi, "read", "write")
    assert client.get(_detail_url(world, other), **bearer(given)).status_code == \
        HTTPStatus.NOT_FOUND
    refused = _send(client, "patch", _detail_url(world, other), {"role": "manager"}, given)
    assert refused.status_code == HTTPStatus.NOT_FOUND
    assert client.delete(_detail_url(world, other), **bearer(given)).status_code == \
        HTTPStatus.NOT_FOUND
    other.refresh_from_db()
    assert other.role == "member"


# --- Adding ----------------------------------------------------------------------------

def test_the_pi_adds_someone_with_an_account_at_once(client, world, token):
    response = _send(client, "post", _list_url(world),
                     {"email": world.newcomer.email.upper(), "role": "manager"},
                     token(world.pi, "write"))
    assert response.status_code == HTTPStatus.CREATED, response.content
    body = response.json()
    assert body["outcome"] == "added" and body["invitation"] is None
    assert body["member"]["role"] == "manager"
    assert body["member"]["user"]["id"] == world.newcomer.pk
    assert world.project.members.filter(user=world.newcomer, role="manager").exists()


def test_the_role_defaults_to_member(client, world, token):
    response = _send(client, "post", _list_url(world), {"email": world.newcomer.email},
                     token(world.pi, "write"))
    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["member"]["role"] == "member"


def test_an_address_without_an_account_gets_an_invitation(client, world, token):
    response = _send(client, "post", _list_url(world),
                     {"email": "nolwenn@example.org"}, token(world.pi, "write"))
    assert response.status_code == HTTPStatus.ACCEPTED, response.content
    body = response.json()
    assert body["outcome"] == "invited" and body["member"] is None
    assert body["invitation"]["email"] == "nolwenn@example.org"
    assert ProjectInvitation.objects.filter(project=world.project,
                                            email="nolwenn@example.org").count() == 1
    again = _send(client, "post", _list_url(world), {"email": "nolwenn@example.org"},
                  token(world.pi, "write"))
    assert again.status_code == HTTPStatus.BAD_REQUEST
    assert ProjectInvitation.objects.filter(project=world.project).count() == 1


def test_adding_someone_already_in_the_project_is_a_400_and_adds_nothing(client, world,
                                                                         token):
    response = _send(client, "post", _list_url(world),
                     {"email": world.colleague.user.email, "role": "manager"},
                     token(world.pi, "write"))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert _says(response, "This person is already in the project.")
    world.colleague.refresh_from_db()
    assert world.colleague.role == "member"
    assert world.project.members.count() == 2


@pytest.mark.parametrize(("body", "field"), [
    ({"email": "not-an-address"}, "email"),
    ({"role": "member"}, "email"),
    ({"email": "nolwenn@example.org", "role": "pi"}, "role"),
])
def test_bad_input_to_add_is_a_400_field_by_field(client, world, token, body, field):
    response = _send(client, "post", _list_url(world), body, token(world.pi, "write"))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert field in response.json()["error"]["fields"]
    assert not ProjectInvitation.objects.filter(project=world.project).exists()
    assert world.project.members.count() == 2


def test_a_plain_member_cannot_add_anyone(client, world, token):
    response = _send(client, "post", _list_url(world), {"email": world.newcomer.email},
                     token(world.colleague.user, "write"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["error"]["code"] == "permission_denied"
    assert not world.project.members.filter(user=world.newcomer).exists()


# --- Changing a role -------------------------------------------------------------------

def test_the_pi_hands_over_the_role_of_pi_and_becomes_a_manager(client, world, token):
    response = _send(client, "patch", _detail_url(world, world.colleague), {"role": "pi"},
                     token(world.pi, "write"))
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["role"] == "pi"
    assert response.json()["user"]["id"] == world.colleague.user.pk
    assert _pi_member(world).role == "manager"
    assert world.project.members.filter(role="pi").count() == 1


def test_a_manager_cannot_hand_over_the_role_of_pi(client, world, token):
    manager = world.project.members.create(user=UserFactory(), role="manager")
    response = _send(client, "patch", _detail_url(world, world.colleague), {"role": "pi"},
                     token(manager.user, "write"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["error"]["code"] == "permission_denied"
    world.colleague.refresh_from_db()
    assert world.colleague.role == "member"
    assert _pi_member(world).role == "pi"


def test_a_manager_makes_a_member_a_manager(client, world, token):
    manager = world.project.members.create(user=UserFactory(), role="manager")
    response = _send(client, "patch", _detail_url(world, world.colleague),
                     {"role": "manager"}, token(manager.user, "write"))
    assert response.status_code == HTTPStatus.OK
    world.colleague.refresh_from_db()
    assert world.colleague.role == "manager"


def test_the_pi_role_changes_only_by_handing_it_over(client, world, token):
    response = _send(client, "patch", _detail_url(world, _pi_member(world)),
                     {"role": "member"}, token(world.pi, "write"))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert _says(response, "Make someone else PI first.")
    assert _pi_member(world).role == "pi"


def test_a_plain_member_cannot_change_roles(client, world, token):
    response = _send(client, "patch", _detail_url(world, world.colleague),
                     {"role": "manager"}, token(world.colleague.user, "write"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    world.colleague.refresh_from_db()
    assert world.colleague.role == "member"


@pytest.mark.parametrize("body", [{"role": "chief"}, {}])
def test_a_bad_role_is_a_400(client, world, token, body):
    response = _send(client, "patch", _detail_url(world, world.colleague), body,
                     token(world.pi, "write"))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "role" in response.json()["error"]["fields"]


# --- Removing and leaving --------------------------------------------------------------

def test_the_pi_removes_a_member(client, world, token):
    response = client.delete(_detail_url(world, world.colleague),
                             **bearer(token(world.pi, "write")))
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert not ProjectMember.objects.filter(pk=world.colleague.pk).exists()


def test_the_pi_cannot_be_removed(client, world, token):
    manager = world.project.members.create(user=UserFactory(), role="manager")
    response = client.delete(_detail_url(world, _pi_member(world)),
                             **bearer(token(manager.user, "write")))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert _says(response, "The PI cannot be removed. Make someone else PI first.")
    assert _pi_member(world).role == "pi"


def test_a_plain_member_leaves_but_cannot_remove_others(client, world, token):
    other = world.project.members.create(user=UserFactory(), role="member")
    given = token(world.colleague.user, "write")
    refused = client.delete(_detail_url(world, other), **bearer(given))
    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert ProjectMember.objects.filter(pk=other.pk).exists()
    left = client.delete(_detail_url(world, world.colleague), **bearer(given))
    assert left.status_code == HTTPStatus.NO_CONTENT
    assert not ProjectMember.objects.filter(pk=world.colleague.pk).exists()


# --- Queries: a fixed number whatever the number of people -----------------------------

def _people(project, count: int) -> None:
    users = UserFactory.create_batch(count, verified=False)
    ProjectMember.objects.bulk_create([ProjectMember(project=project, user=user, role="member")
                                       for user in users])


def test_the_people_list_makes_the_same_number_of_queries_for_10_and_300_people(
        client, world, token):
    given = token(world.pi, "read")
    url = _list_url(world) + "?page_size=200"
    _people(world.project, 8)
    client.get(url, **bearer(given))  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url, **bearer(given))
    assert response.json()["count"] == 10
    _people(world.project, 290)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, **bearer(given))
    assert response.status_code == HTTPStatus.OK
    assert response.json()["count"] == 300
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def test_a_closed_project_takes_no_one_and_keeps_its_roles(client, world, token):
    from projects.models import Project

    Project.objects.filter(pk=world.project.pk).update(status=Project.Status.CLOSED)
    write = token(world.pi, "write")
    added = _send(client, "post", _list_url(world), {"email": world.newcomer.email}, write)
    assert added.status_code == HTTPStatus.BAD_REQUEST
    assert _says(added, "The project is closed: no one is added and roles no longer change.")
    changed = _send(client, "patch", _detail_url(world, world.colleague), {"role": "manager"},
                    write)
    assert changed.status_code == HTTPStatus.BAD_REQUEST
    world.colleague.refresh_from_db()
    assert world.colleague.role == "member"
    assert not world.project.members.filter(user=world.newcomer).exists()
