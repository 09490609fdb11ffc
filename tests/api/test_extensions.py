"""Allocation extensions through the API.

- ``GET projects/{id}/extensions/`` and ``GET extensions/{id}/``: the project's people
  (and staff with the ``staff`` scope) read them; 404 for anyone else.
- ``POST projects/{id}/extensions/``: the PI or a manager asks for one (201, pending,
  in the allocation's history and the audit trail, staff told); bad input answers 400
  field by field and nothing is written; a plain member 403.
- ``POST extensions/{id}/withdraw/``: the PI or a manager withdraws one that waits (the
  extension comes back ``withdrawn``); 409 with the reason once it is decided or
  withdrawn, 403 for a plain member, 404 outside the project, 405 for a GET — and
  nothing is written when it is refused.
- ``GET staff/extensions/``, ``POST staff/extensions/{id}/approve/`` and ``…/refuse/``
  (``staff``): approving moves the allocation's end, refusing needs a note; 409 on an
  extension no longer pending; 403 for anyone but verified staff with the scope.
"""

from __future__ import annotations

import datetime as dt
import json
from http import HTTPStatus

import pytest
from django.urls import reverse

from algoric.audit.models import AuditEvent
from algoric.notifications.models import Notification
from projects.models import Allocation, AllocationEvent, AllocationExtension
from projects.services import allocation_extensions as extension_services

from ..factories import AllocationFactory, PersonalAccessTokenFactory, ResourceFactory
from ..projects.usage_helpers import add_member
from .conftest import bearer

pytestmark = pytest.mark.usefixtures("english")


def withdraw(client, world, user, *scopes):
    return client.post(reverse("api:extension_withdraw", kwargs={"pk": world.extension.pk}),
                       **bearer_of(user, *scopes))


@pytest.fixture
def bearer_of(token):
    def make(user, *scopes):
        return bearer(token(user, *(scopes or ("read", "write"))))
    return make


def written() -> tuple[int, int, int, int]:
    return (AllocationExtension.objects.count(), AllocationEvent.objects.count(),
            AuditEvent.objects.filter(action__startswith="allocation.").count(),
            Notification.objects.count())


def status_of(world) -> str:
    return AllocationExtension.objects.get(pk=world.extension.pk).status


def test_the_pi_withdraws_and_gets_the_extension_back(client, world, bearer_of):
    ends_on = world.allocation.ends_on
    url = reverse("api:extension_withdraw", kwargs={"pk": world.extension.pk})
    response = client.post(url, **bearer_of(world.pi))
    assert response.status_code == HTTPStatus.OK, response.content
    body = response.json()
    assert (body["id"], body["status"], body["allocation"], body["project"]) == (
        world.extension.pk, "withdrawn", world.allocation.pk, world.project.pk)
    assert body["decided_at"] is not None
    assert status_of(world) == "withdrawn"
    world.allocation.refresh_from_db()
    assert world.allocation.ends_on == ends_on
    assert AuditEvent.objects.filter(action="allocation.extension_withdrawn").exists()


def test_a_decided_extension_answers_409_with_the_reason(client, world, bearer_of):
    extension_services.allocation_extension_refuse(extension=world.extension, note="Non.",
                                                   actor=world.staff)
    before = written()
    url = reverse("api:extension_withdraw", kwargs={"pk": world.extension.pk})
    response = client.post(url, **bearer_of(world.pi))
    assert response.status_code == HTTPStatus.CONFLICT
    error = response.json()["error"]
    assert error["code"] == "conflict"
    # the message is in the PI's language
    assert error["message"].startswith({
        "fr": "Seule une prolongation encore en attente de l’équipe Algoric",
        "en": "Only an extension still waiting for the Algoric team"}[world.pi.language])
    assert status_of(world) == "refused"
    assert written() == before


def test_a_staff_decision_after_the_withdrawal_is_refused(client, world, bearer_of):
    url = reverse("api:extension_withdraw", kwargs={"pk": world.extension.pk})
    assert client.post(url, **bearer_of(world.pi)).status_code == HTTPStatus.OK
    with pytest.raises(extension_services.TransitionError):
        extension_services.allocation_extension_approve(
            extension=world.extension, note="", actor=world.staff)
    assert status_of(world) == "withdrawn"


def test_others_are_refused_and_nothing_is_written(client, world, bearer_of):
    url = reverse("api:extension_withdraw", kwargs={"pk": world.extension.pk})
    before = written()
    member = add_member(world.project)
    response = client.post(url, **bearer_of(member))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["error"]["code"] == "permission_denied"
    response = client.post(url, **bearer_of(world.outsider))
    assert response.status_code == HTTPStatus.NOT_FOUND
    response = client.post(url, **bearer_of(world.staff, "read", "write", "staff"))
    assert response.status_code == HTTPStatus.NOT_FOUND  # not in the project
    assert status_of(world) == "pending"
    assert written() == before


def test_a_get_withdraws_nothing(client, world, bearer_of):
    url = reverse("api:extension_withdraw", kwargs={"pk": world.extension.pk})
    response = client.get(url, **bearer_of(world.pi))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert status_of(world) == "pending"


# --- Reading -------------------------------------------------------------------------------

def test_the_project_s_people_list_and_read_its_extensions(client, world, bearer_of):
    member = add_member(world.project)
    listed = reverse("api:project_extensions", kwargs={"pk": world.project.pk})
    one = reverse("api:extension_detail", kwargs={"pk": world.extension.pk})
    for user in (world.pi, member):
        response = client.get(listed, **bearer_of(user, "read"))
        assert response.status_code == HTTPStatus.OK, response.content
        body = response.json()
        assert body["count"] == 1
        assert body["results"][0]["id"] == world.extension.pk
        response = client.get(one, **bearer_of(user, "read"))
        assert response.status_code == HTTPStatus.OK
        assert (response.json()["status"], response.json()["allocation"]) == (
            "pending", world.allocation.pk)
    assert client.get(listed + "?status=approved", **bearer_of(world.pi, "read")).json()[
        "count"] == 0
    assert client.get(f"{listed}?allocation={world.allocation.pk}",
                      **bearer_of(world.pi, "read")).json()["count"] == 1


def test_outsiders_get_404_and_staff_read_with_the_staff_scope(client, world, bearer_of):
    listed = reverse("api:project_extensions", kwargs={"pk": world.project.pk})
    one = reverse("api:extension_detail", kwargs={"pk": world.extension.pk})
    for url in (listed, one):
        response = client.get(url, **bearer_of(world.outsider, "read"))
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert response.json()["error"]["code"] == "not_found"
        # staff without the staff scope are a plain member: not in the project
        assert client.get(url, **bearer_of(world.staff, "read")).status_code == \
            HTTPStatus.NOT_FOUND
        assert client.get(url, **bearer_of(world.staff, "read", "staff")).status_code == \
            HTTPStatus.OK


# --- Asking --------------------------------------------------------------------------------

@pytest.fixture
def free_allocation(world) -> Allocation:
    """An allocation of the world's project with no extension asked."""
    return AllocationFactory(project=world.project, resource=ResourceFactory())


def asking(allocation, days=60, reason="Machine arrêtée deux mois.") -> dict:
    return {"allocation": allocation.pk, "reason": reason,
            "ends_on": (allocation.ends_on + dt.timedelta(days=days)).isoformat()}


def test_the_pi_asks_for_an_extension(client, world, free_allocation, bearer_of,
                                      django_capture_on_commit_callbacks):
    url = reverse("api:project_extensions", kwargs={"pk": world.project.pk})
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url, data=json.dumps(asking(free_allocation)),
                               content_type="application/json", **bearer_of(world.pi))
    assert response.status_code == HTTPStatus.CREATED, response.content
    body = response.json()
    extension = AllocationExtension.objects.get(pk=body["id"])
    assert (body["status"], body["allocation"], body["project"]) == (
        "pending", free_allocation.pk, world.project.pk)
    assert extension.status == AllocationExtension.Status.PENDING
    assert extension.requested_by == world.pi
    assert extension.previous_ends_on == free_allocation.ends_on
    assert extension.ends_on == free_allocation.ends_on + dt.timedelta(days=60)
    assert free_allocation.events.get().action == AllocationEvent.Action.EXTENSION_ASKED
    audit = AuditEvent.objects.get(action="allocation.extension_asked")
    assert (audit.actor, audit.detail["extension"]) == (world.pi, extension.pk)
    assert Notification.objects.filter(event="allocation_extension_asked",
                                       recipient=world.staff).exists()
    # the end date moves only once staff approve
    free_allocation.refresh_from_db()
    assert free_allocation.ends_on == extension.previous_ends_on


@pytest.mark.parametrize(("change", "field"), [
    (lambda w, a: asking(a, days=0), "ends_on"),
    (lambda w, a: asking(a, days=-10), "ends_on"),
    (lambda w, a: asking(a, days=400), "ends_on"),
    (lambda w, a: {**asking(a), "ends_on": "31/12/2030"}, "ends_on"),
    (lambda w, a: {**asking(a), "reason": ""}, "reason"),
    (lambda w, a: {key: v for key, v in asking(a).items() if key != "reason"}, "reason"),
    (lambda w, a: asking(w.allocation), "__all__"),  # one already waits
    # another organisation's allocation, and none at all
    (lambda w, a: {**asking(a), "allocation": AllocationFactory().pk}, "allocation"),
    (lambda w, a: {**asking(a), "allocation": 2**62}, "allocation"),
])
def test_bad_input_answers_400_by_field_and_writes_nothing(client, world, free_allocation,
                                                           bearer_of, change, field):
    before = written()
    url = reverse("api:project_extensions", kwargs={"pk": world.project.pk})
    response = client.post(url, data=json.dumps(change(world, free_allocation)),
                           content_type="application/json", **bearer_of(world.pi))
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"]
    if field != "__all__":
        assert error["fields"][field]
    assert written() == before


def test_the_date_message_names_the_current_end(client, world, free_allocation, bearer_of):
    url = reverse("api:project_extensions", kwargs={"pk": world.project.pk})
    response = client.post(url, data=json.dumps(asking(free_allocation, days=0)),
                           content_type="application/json", **bearer_of(world.pi))
    # in the PI's language, with the current end date
    [message] = response.json()["error"]["fields"]["ends_on"]
    assert f"({free_allocation.ends_on.isoformat()})" in message


def test_only_the_pi_and_managers_ask(client, world, free_allocation, bearer_of):
    url = reverse("api:project_extensions", kwargs={"pk": world.project.pk})
    before = written()
    body = json.dumps(asking(free_allocation))
    for user, scopes, expected in [
            (add_member(world.project), ("read", "write"), HTTPStatus.FORBIDDEN),
            (world.staff, ("read", "write", "staff"), HTTPStatus.FORBIDDEN),
            (world.outsider, ("read", "write"), HTTPStatus.NOT_FOUND),
            (world.pi, ("read",), HTTPStatus.FORBIDDEN)]:
        response = client.post(url, data=body, content_type="application/json",
                               **bearer_of(user, *scopes))
        assert response.status_code == expected, (user, response.content)
    assert written() == before
    manager = add_member(world.project, role="manager")
    response = client.post(url, data=body, content_type="application/json",
                           **bearer_of(manager))
    assert response.status_code == HTTPStatus.CREATED


# --- Staff decisions -----------------------------------------------------------------------

def decide(client, world, verb, body, user=None, scopes=("read", "write", "staff")):
    token = PersonalAccessTokenFactory(user=user or world.staff, scopes=list(scopes))
    return client.post(reverse(f"api:staff_extension_{verb}",
                               kwargs={"pk": world.extension.pk}),
                       data=json.dumps(body), content_type="application/json",
                       **bearer(token))


def test_staff_approve_and_the_allocation_end_moves(client, world):
    response = decide(client, world, "approve", {"note": "D'accord."})
    assert response.status_code == HTTPStatus.OK, response.content
    body = response.json()
    assert (body["status"], body["decision_note"]) == ("approved", "D'accord.")
    assert body["decided_at"] is not None
    world.allocation.refresh_from_db()
    assert world.allocation.ends_on == world.extension.ends_on
    assert AuditEvent.objects.filter(action="allocation.extension_approved",
                                     actor=world.staff).exists()
    assert Notification.objects.filter(event="allocation_extension_decided",
                                       recipient=world.pi).exists()


def test_staff_approve_without_a_note(client, world):
    response = decide(client, world, "approve", {})
    assert response.status_code == HTTPStatus.OK, response.content
    assert status_of(world) == "approved"


def test_staff_refuse_with_the_reason_and_the_end_stays(client, world):
    ends_on = world.allocation.ends_on
    response = decide(client, world, "refuse", {"note": "Pas de retard constaté."})
    assert response.status_code == HTTPStatus.OK, response.content
    assert (response.json()["status"], response.json()["decision_note"]) == (
        "refused", "Pas de retard constaté.")
    world.allocation.refresh_from_db()
    assert world.allocation.ends_on == ends_on
    assert AuditEvent.objects.filter(action="allocation.extension_refused").exists()


@pytest.mark.parametrize("body", [{}, {"note": "   "}])
def test_a_refusal_needs_a_note(client, world, body):
    before = written()
    response = decide(client, world, "refuse", body)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["fields"]["note"]
    assert status_of(world) == "pending"
    assert written() == before


def test_a_too_long_note_is_refused(client, world):
    response = decide(client, world, "approve", {"note": "x" * 4001})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["fields"]["note"]
    assert status_of(world) == "pending"


@pytest.mark.parametrize("first", ["approve", "refuse", "withdraw"])
@pytest.mark.parametrize("verb", ["approve", "refuse"])
def test_a_decision_on_an_extension_no_longer_pending_answers_409(client, world, first, verb):
    if first == "withdraw":
        extension_services.allocation_extension_withdraw(extension=world.extension,
                                                         actor=world.pi)
    else:
        assert decide(client, world, first, {"note": "Première décision."}).status_code == \
            HTTPStatus.OK
    settled, ends_on = status_of(world), Allocation.objects.get(pk=world.allocation.pk).ends_on
    before = written()
    response = decide(client, world, verb, {"note": "Seconde décision."})
    assert response.status_code == HTTPStatus.CONFLICT
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert error["message"]  # why, in the staff member's language
    assert status_of(world) == settled
    assert Allocation.objects.get(pk=world.allocation.pk).ends_on == ends_on
    assert written() == before


@pytest.mark.parametrize("verb", ["approve", "refuse"])
def test_only_verified_staff_with_the_staff_scope_decide(client, world, verb):
    before = written()
    for user, scopes in [(world.pi, ("read", "write", "staff")),
                         (world.pi, ("read", "write")),
                         (world.staff, ("read", "write"))]:
        response = decide(client, world, verb, {"note": "Non."}, user=user, scopes=scopes)
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert response.json()["error"]["code"] == "permission_denied"
    assert status_of(world) == "pending"
    assert written() == before


def test_staff_list_the_extensions_waiting(client, world):
    token = PersonalAccessTokenFactory(user=world.staff, scopes=["read", "staff"])
    url = reverse("api:staff_extension_list")
    response = client.get(url + "?status=pending", **bearer(token))
    assert response.status_code == HTTPStatus.OK
    assert [row["id"] for row in response.json()["results"]] == [world.extension.pk]
    assert client.get(url + "?status=refused", **bearer(token)).json()["count"] == 0
    pi_token = PersonalAccessTokenFactory(user=world.pi, scopes=["read", "staff"])
    assert client.get(url, **bearer(pi_token)).status_code == HTTPStatus.FORBIDDEN
