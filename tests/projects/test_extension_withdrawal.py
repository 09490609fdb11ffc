"""The PI or a manager withdraws an allocation extension while it waits: it becomes
``withdrawn`` (who and when recorded), the allocation's history and the audit trail say
so, staff are told, the staff queue no longer lists it and the end date (so the Slurm
plan) stays. A withdrawal and a staff decision exclude each other; plain members and
other projects' people are refused; a refusal writes nothing."""

import datetime as dt
from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from algoric.audit.models import AuditEvent
from algoric.core.workflow import TransitionError
from algoric.notifications.models import Notification
from projects.models import Allocation, AllocationEvent, AllocationExtension, ProjectMember
from projects.selectors.lifecycle import pending_extensions
from projects.services import allocation_extensions as extensions

from ..factories import UserFactory
from ..members.test_concurrency import run_at_once
from . import test_allocation_changes as changes
from .test_request_views import en, message_texts, text
from .usage_helpers import YEAR, add_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
Status = AllocationExtension.Status
Action = AllocationEvent.Action

allocation = changes.allocation
cpu = changes.cpu
staff = changes.staff
cpu_minutes = changes.cpu_minutes


@pytest.fixture
def pending(allocation):
    """The PI's pending extension of HOULE's CPU allocation to 31 March next year."""
    return extensions.allocation_extension_request(
        allocation=allocation, ends_on=dt.date(YEAR + 1, 3, 31), reason="Campagne décalée.",
        actor=allocation.project.pi)


def trace() -> tuple[int, int, int]:
    """Events of allocations, audit entries of allocations (not the security events of
    refused pages and sign-ins) and notifications written so far."""
    return (AllocationEvent.objects.count(),
            AuditEvent.objects.filter(action__startswith="allocation.").count(),
            Notification.objects.count())


# --- The service ----------------------------------------------------------------------------

def test_the_pi_withdraws_a_pending_extension(project, allocation, pending, staff):
    minutes = (cpu_minutes(project), cpu_minutes(project, YEAR + 1))
    assert list(pending_extensions()) == [pending]
    withdrawn = extensions.allocation_extension_withdraw(extension=pending, actor=project.pi)
    assert (withdrawn.status, withdrawn.decided_by) == (Status.WITHDRAWN, project.pi)
    assert withdrawn.decided_at is not None
    assert AllocationExtension.objects.get(pk=pending.pk).status == Status.WITHDRAWN
    allocation.refresh_from_db()
    assert allocation.ends_on == dt.date(YEAR, 12, 31)  # the end date did not move
    assert (cpu_minutes(project), cpu_minutes(project, YEAR + 1)) == minutes
    event = allocation.events.last()
    assert (event.action, event.actor, event.extension) == (Action.EXTENSION_WITHDRAWN,
                                                            project.pi, withdrawn)
    audit = AuditEvent.objects.get(action="allocation.extension_withdrawn")
    assert audit.actor == project.pi and audit.detail["extension"] == pending.pk
    mail = Notification.objects.get(event="allocation_extension_withdrawn", recipient=staff)
    assert "withdrew" in mail.body and str(YEAR) in mail.subject
    assert not pending_extensions().exists()


def test_a_manager_may_withdraw_and_ask_again(project, allocation, pending):
    manager = add_member(project, role=ProjectMember.Role.MANAGER)
    extensions.allocation_extension_withdraw(extension=pending, actor=manager)
    again = changes.ask(allocation)  # nothing waits any more
    assert again.status == Status.PENDING


def test_a_plain_member_or_an_outsider_may_not_withdraw(project, pending, staff):
    before = trace()
    for someone in (add_member(project), UserFactory(), staff):
        with pytest.raises(PermissionDenied):
            extensions.allocation_extension_withdraw(extension=pending, actor=someone)
    assert AllocationExtension.objects.get(pk=pending.pk).status == Status.PENDING
    assert trace() == before


def test_a_staff_decision_after_a_withdrawal_is_refused(project, allocation, pending, staff):
    extensions.allocation_extension_withdraw(extension=pending, actor=project.pi)
    before = trace()
    with pytest.raises(TransitionError, match="“withdrawn”: it cannot become “approved”"):
        extensions.allocation_extension_approve(extension=pending, note="", actor=staff)
    with pytest.raises(TransitionError, match="“withdrawn”: it cannot become “refused”"):
        extensions.allocation_extension_refuse(extension=pending, note="Non.", actor=staff)
    assert Allocation.objects.get(pk=allocation.pk).ends_on == dt.date(YEAR, 12, 31)
    assert AllocationExtension.objects.get(pk=pending.pk).status == Status.WITHDRAWN
    assert trace() == before


@pytest.mark.parametrize("decide", ["approve", "refuse"])
def test_a_withdrawal_after_a_staff_decision_is_refused(project, allocation, pending, staff,
                                                        decide):
    # ``pending`` is the copy the PI's page read before staff decided (a lost race)
    verb = getattr(extensions, f"allocation_extension_{decide}")
    verb(extension=AllocationExtension.objects.get(pk=pending.pk), note="Vu.", actor=staff)
    decided = AllocationExtension.objects.get(pk=pending.pk)
    ends_on = Allocation.objects.get(pk=allocation.pk).ends_on
    before = trace()
    with pytest.raises(TransitionError, match="Only an extension still waiting"):
        extensions.allocation_extension_withdraw(extension=pending, actor=project.pi)
    after = AllocationExtension.objects.get(pk=pending.pk)
    assert (after.status, after.decided_by, after.decided_at) == (
        decided.status, staff, decided.decided_at)
    assert Allocation.objects.get(pk=allocation.pk).ends_on == ends_on
    assert trace() == before


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_racing_a_staff_approval_gives_one_outcome(project, allocation, pending,
                                                                staff):
    """Two connections at once: exactly one wins; the extension's status, the end date
    and the history agree with the winner."""
    results = run_at_once(
        lambda: extensions.allocation_extension_withdraw(extension=pending, actor=project.pi),
        lambda: extensions.allocation_extension_approve(extension=pending, note="",
                                                        actor=staff),
    )
    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    final = AllocationExtension.objects.get(pk=pending.pk)
    winner = Status.WITHDRAWN if results[0][0] == "ok" else Status.APPROVED
    assert final.status == winner
    ends_on = Allocation.objects.get(pk=allocation.pk).ends_on
    assert ends_on == (final.ends_on if winner == Status.APPROVED else dt.date(YEAR, 12, 31))
    actions = set(allocation.events.filter(extension=final).values_list("action", flat=True))
    assert actions == {Action.EXTENSION_ASKED, Action.EXTENSION_WITHDRAWN
                       if winner == Status.WITHDRAWN else Action.EXTENSION_APPROVED}


def test_withdrawing_twice_is_refused(project, pending):
    extensions.allocation_extension_withdraw(extension=pending, actor=project.pi)
    before = trace()
    with pytest.raises(TransitionError, match="this one is “withdrawn”"):
        extensions.allocation_extension_withdraw(extension=pending, actor=project.pi)
    assert trace() == before


def test_the_extension_workflow_table_has_withdrawn():
    assert extensions.ALLOWED[Status.PENDING] == {Status.APPROVED, Status.REFUSED,
                                                  Status.WITHDRAWN}
    assert extensions.ALLOWED[Status.WITHDRAWN] == set()


# --- The pages ------------------------------------------------------------------------------

def test_the_pi_withdraws_from_the_extension_page(client, project, allocation, pending):
    client.force_login(project.pi)
    page_url = en("projects:allocation_extension_create", allocation.pk)
    withdraw_url = en("projects:allocation_extension_withdraw", pending.pk)
    page = text(client.get(page_url))
    assert withdraw_url in page and "the end date stays as it is" in page
    response = client.post(withdraw_url)
    assert response.status_code == HTTPStatus.FOUND and response.url == page_url
    assert message_texts(response) == ["Extension withdrawn. The end date stays as it was; "
                                       "you may ask for another extension."]
    assert AllocationExtension.objects.get(pk=pending.pk).status == Status.WITHDRAWN
    page = text(client.get(page_url))
    assert "withdrawn" in page and withdraw_url not in page


def test_a_get_withdraws_nothing(client, project, pending):
    client.force_login(project.pi)
    before = trace()
    response = client.get(en("projects:allocation_extension_withdraw", pending.pk))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert AllocationExtension.objects.get(pk=pending.pk).status == Status.PENDING
    assert trace() == before


def test_the_page_refuses_others(client, project, pending):
    url = en("projects:allocation_extension_withdraw", pending.pk)
    before = trace()
    client.force_login(add_member(project))
    assert client.post(url).status_code == HTTPStatus.FORBIDDEN
    client.force_login(UserFactory())
    assert client.post(url).status_code == HTTPStatus.NOT_FOUND
    assert AllocationExtension.objects.get(pk=pending.pk).status == Status.PENDING
    assert trace() == before


def test_the_page_says_why_a_decided_extension_cannot_be_withdrawn(client, project,
                                                                   allocation, pending, staff):
    extensions.allocation_extension_refuse(extension=pending, note="Non.", actor=staff)
    client.force_login(project.pi)
    before = trace()
    response = client.post(en("projects:allocation_extension_withdraw", pending.pk))
    assert response.url == en("projects:allocation_extension_create", allocation.pk)
    assert message_texts(response) == ["Only an extension still waiting for the Algoric team "
                                       "can be withdrawn; this one is “refused”."]
    assert AllocationExtension.objects.get(pk=pending.pk).status == Status.REFUSED
    assert trace() == before


def test_staff_no_longer_see_it_waiting_but_see_it_withdrawn(client, project, allocation,
                                                             pending, staff):
    extensions.allocation_extension_withdraw(extension=pending, actor=project.pi)
    client.force_login(staff)
    queue = text(client.get(en("projects:staff_request_queue")))
    assert "Extensions waiting" not in queue
    dashboard = text(client.get(en("members:staff_dashboard")))
    assert "allocation extension" not in dashboard
    page = text(client.get(en("projects:staff_allocation_detail", allocation.pk)))
    assert "Extension withdrawn" in page  # the history
    assert f"Withdrawn by {project.pi.email}" in page
    assert reverse("projects:staff_extension_approve", args=[pending.pk]) not in page
