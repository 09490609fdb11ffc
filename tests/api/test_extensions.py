"""``POST /api/v1/extensions/{id}/withdraw/``: the PI or a manager withdraws an
allocation extension that waits (the extension comes back ``withdrawn``); 409 with the
reason once it is decided or withdrawn, 403 for a plain member, 404 outside the project,
405 for a GET — and nothing is written when it is refused."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from algoric.audit.models import AuditEvent
from projects.models import AllocationEvent, AllocationExtension
from projects.services import allocation_extensions as extension_services

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


def written() -> tuple[int, int]:
    return (AllocationEvent.objects.count(),
            AuditEvent.objects.filter(action__startswith="allocation.").count())


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
    # the status is named in the PI's language (French)
    assert error["message"].startswith("Only an extension still waiting for the Algoric team")
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
