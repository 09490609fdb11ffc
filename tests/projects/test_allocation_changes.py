"""The life of an allocation after its grant: a supplement adds to the year's allocation,
staff reduce unused hours or transfer them to the next year (bounded), the PI asks to
extend the end date and staff approve or refuse; each change is a grant row and a history
event, audited and notified, and the Slurm plan reads the new limits."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from algoric.audit.models import AuditEvent
from algoric.core.workflow import TransitionError
from algoric.notifications.models import Notification
from projects.models import (
    Allocation,
    AllocationEvent,
    AllocationExtension,
    AllocationGrant,
    ResourceRequest,
)
from projects.services import allocation_extensions as extensions
from projects.services import allocation_hours as hours
from projects.services import allocations as allocation_services
from projects.services import request_review as review_services
from projects.services import requests as services
from projects.services.allocations import allocations_expire
from projects.services.slurm import slurm_plan

from ..factories import StaffFactory
from .test_renewals import granted_request
from .usage_helpers import YEAR, add_member, make_resources, summary

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
D = Decimal
Kind = AllocationGrant.Kind
Action = AllocationEvent.Action


@pytest.fixture
def staff():
    return StaffFactory(mfa=True, language="en")


@pytest.fixture
def cpu(db):
    return make_resources()[0]


@pytest.fixture
def allocation(project, cpu, staff):
    """This year's CPU allocation of HOULE: 100 000 core-hours granted by a request."""
    granted_request(project, {(cpu.pk, YEAR): D("100000")}, staff)
    return Allocation.objects.get(project=project, resource=cpu, year=YEAR)


def cpu_minutes(project, year=YEAR):
    plans = [plan for plan in slurm_plan(year=year) if plan.account == project.slurm_account]
    return plans[0].cpu_minutes if plans else 0


def snapshot():
    return (list(Allocation.objects.order_by("pk").values_list("amount", "ends_on", "status")),
            AllocationGrant.objects.count(), AllocationEvent.objects.count(),
            AllocationExtension.objects.count(), AuditEvent.objects.count(),
            Notification.objects.count())


# --- Grants and supplements -----------------------------------------------------------------

def test_a_grant_is_a_grant_row_and_an_event(allocation, staff):
    grant = allocation.grants.get()
    assert (grant.kind, grant.amount) == (Kind.GRANT, D("100000"))
    event = allocation.events.get()
    assert (event.action, event.amount, event.actor) == (Action.GRANTED, D("100000"), staff)


def test_a_supplement_adds_to_the_year_s_allocation(project, allocation, cpu, staff):
    allocation.ends_on = dt.date(YEAR, 10, 31)
    allocation.save()
    supplement = granted_request(project, {(cpu.pk, YEAR): D("30000")}, staff,
                                 kind="supplement")
    assert Allocation.objects.filter(project=project).count() == 1  # none created
    allocation.refresh_from_db()
    assert allocation.amount == D("130000")
    assert allocation.ends_on == dt.date(YEAR, 10, 31)  # its dates unchanged
    grant = allocation.grants.get(request=supplement)
    assert (grant.kind, grant.amount) == (Kind.SUPPLEMENT, D("30000"))
    assert allocation.events.last().action == Action.SUPPLEMENTED
    assert cpu_minutes(project) == 130000 * 60


def test_a_supplement_without_an_allocation_of_the_year_is_refused(project, allocation, cpu,
                                                                   staff):
    supplement = services.request_create(project=project, kind="supplement", actor=project.pi)
    supplement = services.request_save(
        request=supplement, table={(cpu.pk, YEAR + 1): D("5000")}, justification="Plus.",
        row_justifications={}, actor=project.pi)
    with pytest.raises(ValidationError, match=f"has no allocation in force in {YEAR + 1}"):
        services.request_submit(request=supplement, actor=project.pi)
    assert ResourceRequest.objects.get(pk=supplement.pk).status == "draft"


def test_a_supplement_whose_allocation_expired_meanwhile_cannot_be_granted(
        project, allocation, cpu, staff):
    supplement = services.request_create(project=project, kind="supplement", actor=project.pi)
    supplement = services.request_save(
        request=supplement, table={(cpu.pk, YEAR): D("5000")}, justification="Plus.",
        row_justifications={}, actor=project.pi)
    supplement = services.request_submit(request=supplement, actor=project.pi)
    Allocation.objects.filter(pk=allocation.pk).update(status=Allocation.Status.EXPIRED)
    before = snapshot()
    with pytest.raises(ValidationError, match="A supplement adds to an allocation"):
        review_services.request_decide(request=supplement, granted={(cpu.pk, YEAR): D("5000")},
                                       note="", actor=staff, version=supplement.version)
    assert snapshot() == before
    assert ResourceRequest.objects.get(pk=supplement.pk).status == "submitted"


# --- Reducing unused hours ------------------------------------------------------------------

def test_staff_reduce_unused_hours(project, allocation, staff):
    summary(month=2, core_hours=60000.0)
    reduced = hours.allocation_reduce(allocation=allocation, amount=D("15000"),
                                      reason="Hors de portée cette année.", actor=staff)
    assert reduced.amount == D("85000")
    grant = allocation.grants.get(kind=Kind.REDUCTION)
    assert (grant.amount, grant.reason, grant.granted_by) == (
        D("-15000"), "Hors de portée cette année.", staff)
    event = allocation.events.last()
    assert (event.action, event.amount) == (Action.REDUCED, D("-15000"))
    audit = AuditEvent.objects.get(action="allocation.reduced")
    assert audit.detail["amount"] == "15000" and audit.detail["amount_after"] == "85000.00"
    assert Notification.objects.filter(event="allocation_hours_changed",
                                       recipient=project.pi).exists()
    assert cpu_minutes(project) == 85000 * 60  # the Slurm plan reads the new limit


@pytest.mark.parametrize(("amount", "reason", "message"), [
    (D("40001"), "Trop.", "Only 40,000 core-hours of this allocation are unused."),
    (D("0"), "Rien.", "greater than zero"),
    (D("10"), "  ", "Give the reason"),
])
def test_a_reduction_is_bounded_by_the_unused_hours_and_needs_a_reason(
        allocation, staff, amount, reason, message):
    summary(month=2, core_hours=60000.0)
    before = snapshot()
    with pytest.raises(ValidationError, match=message):
        hours.allocation_reduce(allocation=allocation, amount=amount, reason=reason,
                                actor=staff)
    assert snapshot() == before


def test_only_verified_staff_change_hours(project, allocation):
    for actor in (project.pi, StaffFactory()):
        with pytest.raises(PermissionDenied):
            hours.allocation_reduce(allocation=allocation, amount=D("1"), reason="x",
                                    actor=actor)
        with pytest.raises(PermissionDenied):
            hours.allocation_transfer(allocation=allocation, amount=D("1"), reason="x",
                                      actor=actor)


# --- Transferring unused hours to the next year ---------------------------------------------

def test_a_transfer_moves_unused_hours_to_the_next_year(project, allocation, cpu, staff):
    target = hours.allocation_transfer(allocation=allocation, amount=D("20000"),
                                       reason="Retard de la campagne.", actor=staff)
    allocation.refresh_from_db()
    assert allocation.amount == D("80000")
    assert (target.year, target.amount, target.status) == (YEAR + 1, D("20000"), "active")
    assert (target.starts_on, target.ends_on) == (dt.date(YEAR + 1, 1, 1),
                                                  dt.date(YEAR + 1, 12, 31))
    assert allocation.grants.get(kind=Kind.TRANSFER_OUT).amount == D("-20000")
    assert target.grants.get(kind=Kind.TRANSFER_IN).amount == D("20000")
    assert allocation.events.last().action == Action.TRANSFERRED_OUT
    assert target.events.get().action == Action.TRANSFERRED_IN
    audit = AuditEvent.objects.get(action="allocation.transferred")
    assert audit.detail["to"] == target.pk and audit.detail["limit"] == "25000.00"
    assert cpu_minutes(project) == 80000 * 60
    assert cpu_minutes(project, YEAR + 1) == 20000 * 60


def test_a_transfer_adds_to_an_existing_next_year_allocation(project, allocation, cpu, staff):
    granted_request(project, {(cpu.pk, YEAR + 1): D("50000")}, staff)
    target = hours.allocation_transfer(allocation=allocation, amount=D("1000"), reason="R.",
                                       actor=staff)
    assert target.amount == D("51000")
    assert Allocation.objects.filter(project=project).count() == 2


def test_transfers_are_bounded_by_a_quarter_of_the_year_s_grant(allocation, staff):
    # 25 % of 100 000: the bound itself is allowed, in several transfers
    hours.allocation_transfer(allocation=allocation, amount=D("20000"), reason="R.",
                              actor=staff)
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        hours.allocation_transfer(allocation=allocation, amount=D("5000.01"), reason="R.",
                                  actor=staff)
    assert refused.value.messages == [
        "At most 25,000 core-hours of this year's grant may be transferred (25 % of "
        "100,000); 20,000 already were."]
    assert snapshot() == before
    hours.allocation_transfer(allocation=allocation, amount=D("5000"), reason="R.",
                              actor=staff)
    assert Allocation.objects.get(pk=allocation.pk).amount == D("75000")


def test_the_bound_is_a_setting(allocation, staff, settings):
    settings.ALLOCATION_TRANSFER_MAX_SHARE = 0.5
    hours.allocation_transfer(allocation=allocation, amount=D("50000"), reason="R.",
                              actor=staff)
    settings.ALLOCATION_TRANSFER_MAX_SHARE = 0.1
    with pytest.raises(ValidationError, match="At most 10,000 "):
        hours.allocation_transfer(allocation=allocation, amount=D("1"), reason="R.",
                                  actor=staff)


def test_a_transfer_needs_unused_hours_and_a_next_year(project, allocation, cpu, staff):
    summary(month=2, core_hours=90000.0)
    with pytest.raises(ValidationError, match="Only 10,000 core-hours"):
        hours.allocation_transfer(allocation=allocation, amount=D("10001"), reason="R.",
                                  actor=staff)
    last = Allocation.objects.create(project=project, resource=cpu, year=YEAR + 1,
                                     amount=D("1000"), starts_on=dt.date(YEAR + 1, 1, 1),
                                     ends_on=dt.date(YEAR + 1, 12, 31))
    AllocationGrant.objects.create(allocation=last, request=allocation.grants.get().request,
                                   amount=D("1000"))
    with pytest.raises(ValidationError, match=f"The project ends in {YEAR + 1}"):
        hours.allocation_transfer(allocation=last, amount=D("10"), reason="R.", actor=staff)


# --- Extensions -----------------------------------------------------------------------------

def ask(allocation, ends_on=None, reason="Campagne décalée.", actor=None):
    return extensions.allocation_extension_request(
        allocation=allocation, ends_on=ends_on or allocation.ends_on + dt.timedelta(days=90),
        reason=reason, actor=actor or allocation.project.pi)


def test_the_pi_asks_for_an_extension_and_staff_are_told(allocation, staff):
    extension = ask(allocation)
    assert extension.status == AllocationExtension.Status.PENDING
    assert extension.previous_ends_on == dt.date(YEAR, 12, 31)
    assert allocation.events.last().action == Action.EXTENSION_ASKED
    assert Notification.objects.filter(event="allocation_extension_asked",
                                       recipient=staff).exists()
    assert Allocation.objects.get(pk=allocation.pk).ends_on == dt.date(YEAR, 12, 31)


@pytest.mark.parametrize(("days", "message"), [
    (0, "must be after the current one"),
    (-5, "must be after the current one"),
    (367, "by a year at most"),
])
def test_extension_dates_are_checked(allocation, days, message):
    with pytest.raises(ValidationError, match=message):
        ask(allocation, ends_on=allocation.ends_on + dt.timedelta(days=days))
    assert not AllocationExtension.objects.exists()


def test_extension_refusals(project, allocation):
    with pytest.raises(ValidationError, match="Say why"):
        ask(allocation, reason=" ")
    with pytest.raises(PermissionDenied):
        ask(allocation, actor=add_member(project))
    ask(allocation)
    with pytest.raises(ValidationError, match="already waiting"):
        ask(allocation)
    past = Allocation.objects.create(project=project, resource=allocation.resource,
                                     year=YEAR - 1, amount=D("10"),
                                     starts_on=dt.date(YEAR - 1, 1, 1),
                                     ends_on=timezone.localdate() - dt.timedelta(days=30))
    with pytest.raises(ValidationError, match="already passed"):
        ask(past, ends_on=timezone.localdate() - dt.timedelta(days=1))


def test_an_approved_extension_moves_the_end_and_the_slurm_plan_follows(project, allocation,
                                                                        staff):
    # the allocation ended yesterday: expired, its Slurm limits are zero
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Allocation.objects.filter(pk=allocation.pk).update(ends_on=yesterday)
    allocations_expire()
    allocation.refresh_from_db()
    assert allocation.status == Allocation.Status.EXPIRED
    assert cpu_minutes(project) == 0
    new_end = timezone.localdate() + dt.timedelta(days=60)
    extension = ask(allocation, ends_on=new_end)
    approved = extensions.allocation_extension_approve(extension=extension, note="D'accord.",
                                                       actor=staff)
    assert (approved.status, approved.decided_by) == ("approved", staff)
    allocation.refresh_from_db()
    assert (allocation.ends_on, allocation.status) == (new_end, Allocation.Status.ACTIVE)
    assert allocation.amount == D("100000")  # no new hours
    assert cpu_minutes(project) == 100000 * 60
    event = allocation.events.last()
    assert (event.action, event.from_status, event.to_status) == (
        Action.EXTENSION_APPROVED, "expired", "active")
    assert AuditEvent.objects.filter(action="allocation.extension_approved").exists()
    assert Notification.objects.filter(event="allocation_extension_decided",
                                       recipient=project.pi).exists()
    with pytest.raises(TransitionError, match="“approved”: it cannot become “refused”"):
        extensions.allocation_extension_refuse(extension=extension, note="Non.", actor=staff)


def test_a_refused_extension_leaves_the_end_date(project, allocation, staff):
    extension = ask(allocation)
    with pytest.raises(ValidationError, match="reason for the refusal"):
        extensions.allocation_extension_refuse(extension=extension, note="", actor=staff)
    with pytest.raises(PermissionDenied):
        extensions.allocation_extension_approve(extension=extension, note="",
                                                actor=project.pi)
    refused = extensions.allocation_extension_refuse(extension=extension,
                                                     note="Pas de raison valable.",
                                                     actor=staff)
    assert refused.status == "refused"
    assert Allocation.objects.get(pk=allocation.pk).ends_on == dt.date(YEAR, 12, 31)
    assert allocation.events.last().action == Action.EXTENSION_REFUSED
    mail = Notification.objects.get(event="allocation_extension_decided", recipient=project.pi)
    assert "Pas de raison valable." in mail.body
    with pytest.raises(TransitionError):
        extensions.allocation_extension_approve(extension=extension, note="", actor=staff)


def test_the_extension_workflow_table():
    assert {"pending": {"approved", "refused", "withdrawn"}, "approved": set(),
            "refused": set(), "withdrawn": set()} == extensions.ALLOWED


# --- Suspension in the history --------------------------------------------------------------

def test_suspend_and_resume_are_in_the_history(allocation, staff):
    allocation_services.allocation_suspend(allocation=allocation, reason="Budget.",
                                           actor=staff)
    allocation_services.allocation_resume(allocation=allocation, actor=staff)
    actions = [(e.action, e.from_status, e.to_status) for e in allocation.events.all()]
    assert actions[-2:] == [(Action.SUSPENDED, "active", "suspended"),
                            (Action.RESUMED, "suspended", "active")]

