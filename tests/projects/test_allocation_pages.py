"""The pages of an allocation's life: the staff allocation page (grants, use, history,
forms) and its actions with their refusals, the links to it, and the PI's extension
page."""

import datetime as dt
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.urls import reverse

from projects.models import Allocation, AllocationExtension, AllocationGrant
from projects.services import allocation_extensions as extensions

from ..factories import UserFactory
from . import test_allocation_changes as changes
from .test_request_views import en, message_texts, text
from .usage_helpers import YEAR, add_member, summary

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
D = Decimal

allocation = changes.allocation
cpu = changes.cpu
staff = changes.staff


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_the_staff_allocation_page_shows_grants_use_history_and_forms(staff_client,
                                                                      allocation):
    summary(month=2, core_hours=25000.0)
    extensions.allocation_extension_request(
        allocation=allocation, ends_on=dt.date(YEAR + 1, 3, 31), reason="Campagne décalée.",
        actor=allocation.project.pi)
    response = staff_client.get(en("projects:staff_allocation_detail", allocation.pk))
    assert response.status_code == HTTPStatus.OK
    page = text(response)
    assert "100,000 core-hours" in page and "25,000 core-hours (25 %)" in page
    assert "75,000" in page  # unused
    assert "Grant" in page and reverse("projects:staff_request_review",
                                       args=[allocation.grants.get().request_id]) in page
    assert "Extension asked" in page and "Campagne décalée." in page
    for name in ("staff_allocation_suspend", "staff_allocation_reduce",
                 "staff_allocation_transfer"):
        assert reverse(f"projects:{name}", args=[allocation.pk]) in page
    pending = allocation.extensions.get()
    assert reverse("projects:staff_extension_approve", args=[pending.pk]) in page
    assert "Still transferable: 25,000" in page


def test_the_page_is_for_verified_staff(client, allocation, staff_with_mfa):
    url = en("projects:staff_allocation_detail", allocation.pk)
    client.force_login(allocation.project.pi)
    assert client.get(url).status_code == HTTPStatus.FORBIDDEN
    client.force_login(staff_with_mfa)
    assert client.get(url).status_code == HTTPStatus.OK
    assert client.get(en("projects:staff_allocation_detail", 99999)).status_code == \
        HTTPStatus.NOT_FOUND


def test_the_lists_and_the_review_page_link_to_it(staff_client, allocation):
    url = reverse("projects:staff_allocation_detail", args=[allocation.pk])
    assert url in text(staff_client.get(en("projects:staff_allocation_list")))
    review = en("projects:staff_request_review", allocation.grants.get().request_id)
    assert url in text(staff_client.get(review))


def test_suspend_and_resume_come_back_to_the_allocation_page(staff_client,
                                                             allocation):
    page = en("projects:staff_allocation_detail", allocation.pk)
    response = staff_client.post(en("projects:staff_allocation_suspend", allocation.pk),
                                 {"reason": "Usage hors convention."})
    assert response.url == page
    assert "Usage hors convention." in text(staff_client.get(page))
    response = staff_client.post(en("projects:staff_allocation_resume", allocation.pk))
    assert response.url == page
    assert Allocation.objects.get(pk=allocation.pk).status == "active"


def test_reduce_and_transfer_from_the_page(staff_client, allocation):
    page = en("projects:staff_allocation_detail", allocation.pk)
    response = staff_client.post(en("projects:staff_allocation_reduce", allocation.pk),
                                 {"amount": "10 000", "reason": "Inutilisé."})
    assert response.url == page
    assert message_texts(response) == ["Allocation reduced by 10,000 core-hours."]
    response = staff_client.post(en("projects:staff_allocation_transfer", allocation.pk),
                                 {"amount": "5000", "reason": "Retard."})
    assert message_texts(response)[-1] == f"5,000 core-hours transferred to {YEAR + 1}."
    allocation.refresh_from_db()
    assert allocation.amount == D("85000")
    history = text(staff_client.get(page))
    assert "Reduced" in history and "Hours transferred to the next year" in history


@pytest.mark.parametrize(("view", "data", "message"), [
    ("staff_allocation_reduce", {"amount": "abc", "reason": "R."}, "is not a number"),
    ("staff_allocation_reduce", {"amount": "10", "reason": ""}, "Reason: This field"),
    ("staff_allocation_reduce", {"amount": "200000", "reason": "R."}, "are unused"),
    ("staff_allocation_transfer", {"amount": "25001", "reason": "R."}, "At most 25,000"),
])
def test_refusals_are_shown_and_nothing_changes(staff_client, allocation, view, data,
                                                message):
    response = staff_client.post(en(f"projects:{view}", allocation.pk), data)
    assert response.status_code == HTTPStatus.FOUND
    texts = message_texts(response)
    assert len(texts) == 1 and texts[0].startswith("Nothing was changed") and message in texts[0]
    assert Allocation.objects.get(pk=allocation.pk).amount == D("100000")
    assert AllocationGrant.objects.count() == 1


def test_staff_decide_extensions_from_the_page(staff_client, allocation):
    ask = extensions.allocation_extension_request
    first = ask(allocation=allocation, ends_on=dt.date(YEAR + 1, 2, 28), reason="R.",
                actor=allocation.project.pi)
    response = staff_client.post(en("projects:staff_extension_refuse", first.pk), {"note": ""})
    assert "reason for the refusal" in message_texts(response)[0]
    response = staff_client.post(en("projects:staff_extension_refuse", first.pk),
                                 {"note": "Non."})
    assert response.url == en("projects:staff_allocation_detail", allocation.pk) + \
        "#extensions"
    second = ask(allocation=allocation, ends_on=dt.date(YEAR + 1, 3, 31), reason="R.",
                 actor=allocation.project.pi)
    response = staff_client.post(en("projects:staff_extension_approve", second.pk),
                                 {"note": ""})
    assert message_texts(response)[-1] == \
        f"Extension approved: the allocation now ends on {YEAR + 1}-03-31."
    assert Allocation.objects.get(pk=allocation.pk).ends_on == dt.date(YEAR + 1, 3, 31)
    response = staff_client.post(en("projects:staff_extension_approve", first.pk), {})
    assert "it cannot become" in message_texts(response)[-1]


# --- The PI's side --------------------------------------------------------------------------

def test_the_pi_asks_for_an_extension_from_the_project_page(client, allocation):
    project = allocation.project
    client.force_login(project.pi)
    url = en("projects:allocation_extension_create", allocation.pk)
    assert url in text(client.get(en("projects:project_detail", project.pk)))
    page = text(client.get(url))
    assert "100,000" in page and "New end date" in page
    response = client.post(url, {"ends_on": f"{YEAR}-06-30", "reason": "Retard."})
    assert response.status_code == HTTPStatus.OK
    assert "must be after the current one" in text(response)
    response = client.post(url, {"ends_on": f"{YEAR + 1}-03-31", "reason": "Retard."})
    assert response.url == en("projects:project_detail", project.pk)
    extension = AllocationExtension.objects.get()
    assert (extension.ends_on, extension.requested_by) == (dt.date(YEAR + 1, 3, 31),
                                                           project.pi)
    assert "pending" in text(client.get(url))


def test_the_extension_page_is_for_the_project_s_leads(client, allocation):
    url = en("projects:allocation_extension_create", allocation.pk)
    client.force_login(add_member(allocation.project))
    assert client.get(url).status_code == HTTPStatus.FORBIDDEN
    client.force_login(UserFactory())
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND
    assert not AllocationExtension.objects.exists()


def test_the_queue_lists_the_extensions_waiting(staff_client, allocation):
    queue = en("projects:staff_request_queue")
    assert "Extensions waiting" not in text(staff_client.get(queue))
    extensions.allocation_extension_request(
        allocation=allocation, ends_on=dt.date(YEAR + 1, 3, 31), reason="R.",
        actor=allocation.project.pi)
    page = text(staff_client.get(queue))
    assert "Extensions waiting" in page
    assert reverse("projects:staff_allocation_detail", args=[allocation.pk]) in page


def test_the_staff_dashboard_counts_the_extensions_waiting(staff_client, allocation):
    dashboard = en("members:staff_dashboard")
    assert "allocation extension" not in text(staff_client.get(dashboard))
    extensions.allocation_extension_request(
        allocation=allocation, ends_on=dt.date(YEAR + 1, 3, 31), reason="R.",
        actor=allocation.project.pi)
    page = text(staff_client.get(dashboard))
    assert "1 allocation extension waits for a decision" in page
    assert en("projects:staff_request_queue") + "#extensions" in page
