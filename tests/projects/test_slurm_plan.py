"""The Slurm plan and ``slurm_export`` under the access rule: an organisation that may not
use the centre today has its projects held at zero, with the reasons; only active members'
logins are users; the plan's queries do not grow with the number of projects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.models import Agreement, Membership
from members.services import organisation_access_status, user_delete_account
from projects.models import ProjectMember, ResourceRequest
from projects.services.slurm import slurm_plan

from ..factories import (
    AllocationGrantFactory,
    OrganisationFactory,
    ResourceRequestFactory,
    allow,
)
from ..slurm.helpers import cpu_resource, grant, project

pytestmark = pytest.mark.django_db
CLUSTER = "pozi"
YEAR = timezone.localdate().year


@pytest.fixture(autouse=True)
def _english(english):
    """Reasons and comments are compared in English."""


def lapse(organisation) -> None:
    """This year's membership of ``organisation`` lapsed unpaid (no membership last year)."""
    Membership.objects.filter(organisation=organisation, year=YEAR).update(
        status=Membership.Status.LAPSED, paid_on=None)


@pytest.fixture
def two_organisations(organisation):
    """HOULE (6 core-minutes, organisation allowed) and VENT (60 core-minutes and 1.5
    GPU-hours, another organisation allowed, then made to lose access by the tests)."""
    organisation.name = "Bigouden Labs"
    organisation.save()
    allow(organisation)
    other = OrganisationFactory(name="Vent d'Ouest")
    allow(other)
    cpu = cpu_resource(CLUSTER)
    gpu = cpu_resource(f"{CLUSTER}-gpu", kind="gpu")
    gpu.slurm_cluster = CLUSTER
    gpu.save()
    houle = project(organisation, acronym="HOULE", account="houle", logins=["alice"])
    grant(houle, cpu, "0.1")
    vent = project(other, acronym="VENT", account="vent", logins=["bob", "carol"])
    grant(vent, cpu, 1)
    grant(vent, gpu, "1.5")
    return {"allowed": organisation, "other": other, "houle": houle, "vent": vent}


def plans_by_account(**kwargs) -> dict:
    return {plan.account: plan for plan in slurm_plan(cluster=CLUSTER, **kwargs)}


def test_projects_of_allowed_organisations_keep_their_limits(two_organisations):
    plans = plans_by_account()
    assert (plans["houle"].cpu_minutes, plans["houle"].blocked_reasons) == (6, [])
    assert (plans["vent"].cpu_minutes, plans["vent"].gpu_minutes) == (60, 90)
    assert not plans["vent"].blocked


def test_lapsed_membership_holds_the_projects_at_zero_with_the_reason(two_organisations):
    lapse(two_organisations["other"])
    plans = plans_by_account()
    vent = plans["vent"]
    assert (vent.cpu_minutes, vent.gpu_minutes) == (0, 0)
    assert [reason.code for reason in vent.blocked_reasons] == ["membership_lapsed"]
    assert vent.blocked_detail() == [
        {"code": "membership_lapsed", "message": f"The {YEAR} membership lapsed unpaid."}]
    # Its account and users stay: Slurm holds the jobs rather than refusing them.
    assert vent.users == ["bob", "carol"]
    assert plans["houle"].cpu_minutes == 6 and not plans["houle"].blocked


def test_unpaid_membership_and_no_agreement_are_both_given(two_organisations):
    other = two_organisations["other"]
    Membership.objects.filter(organisation=other).update(status=Membership.Status.PENDING,
                                                         paid_on=None)
    Agreement.objects.filter(organisation=other).update(status=Agreement.Status.EXPIRED)
    vent = plans_by_account()["vent"]
    assert vent.cpu_minutes == 0
    assert [reason.code for reason in vent.blocked_reasons] == [
        "membership_unpaid", "no_active_agreement"]


def test_organisation_without_membership_is_held_at_zero(two_organisations):
    Membership.objects.filter(organisation=two_organisations["other"]).delete()
    vent = plans_by_account()["vent"]
    assert vent.cpu_minutes == 0
    assert [reason.code for reason in vent.blocked_reasons] == ["no_membership"]


def test_an_expiring_agreement_is_a_warning_not_a_hold(two_organisations):
    Agreement.objects.filter(organisation=two_organisations["other"]).update(
        ends_on=timezone.localdate() + dt.timedelta(days=10))
    vent = plans_by_account()["vent"]
    assert (vent.cpu_minutes, vent.blocked_reasons) == (60, [])


def test_the_plan_holds_exactly_the_organisations_the_access_rule_refuses(two_organisations):
    """The plan and :func:`organisation_access_status` (the function every other check
    calls) agree, whatever makes an organisation lose access."""
    other = two_organisations["other"]
    for change in (lambda: None, lambda: lapse(other),
                   lambda: Agreement.objects.filter(organisation=other).update(
                       status=Agreement.Status.TERMINATED)):
        change()
        plans = plans_by_account()
        for key, organisation in (("houle", two_organisations["allowed"]), ("vent", other)):
            status = organisation_access_status(organisation=organisation)
            assert plans[key].blocked is not status.allowed
            assert plans[key].blocked_reasons == status.blocking_reasons


def test_access_is_that_of_the_day_given(two_organisations):
    lapse(two_organisations["other"])
    assert plans_by_account()["vent"].blocked
    # Next year's membership paid: on its first day the organisation has access again.
    next_year = timezone.localdate().replace(year=YEAR + 1, month=1, day=1)
    Membership.objects.create(organisation=two_organisations["other"], year=YEAR + 1,
                              fee=250, status=Membership.Status.PAID, paid_on=next_year,
                              payment_reference="VIR-2")
    Agreement.objects.filter(organisation=two_organisations["other"]).update(
        ends_on=next_year + dt.timedelta(days=365))
    assert not plans_by_account(year=YEAR, on_date=next_year)["vent"].blocked


def test_export_says_why_an_account_is_held_at_zero(two_organisations):
    lapse(two_organisations["other"])
    out = StringIO()
    call_command("slurm_export", "--cluster", CLUSTER, stdout=out)
    lines = out.getvalue().splitlines()
    comment = f"# vent: access refused — The {YEAR} membership lapsed unpaid."
    assert lines[lines.index(comment) + 1].startswith("sacctmgr -i add account vent ")
    assert "sacctmgr -i modify account where name=vent cluster=pozi "\
           "set GrpTRESMins=cpu=0,gres/gpu=0" in lines
    assert [line for line in lines if line.startswith("#")] == [comment]
    flat = StringIO()
    call_command("slurm_export", "--cluster", CLUSTER, "--format=flat", stdout=flat)
    lines = flat.getvalue().splitlines()
    assert lines[lines.index(comment) + 1] == (
        "Account - 'vent':Description='VENT':Organization='Vent dOuest'"
        ":GrpTRESMins=cpu=0,gres/gpu=0")


def test_export_of_allowed_organisations_has_no_comment(two_organisations):
    out = StringIO()
    call_command("slurm_export", "--cluster", CLUSTER, stdout=out)
    assert not [line for line in out.getvalue().splitlines() if line.startswith("#")]


def test_deactivated_user_is_not_in_the_plan(two_organisations):
    bob = ProjectMember.objects.get(project=two_organisations["vent"],
                                    user__cluster_login="bob").user
    bob.is_active = False
    bob.save()
    assert plans_by_account()["vent"].users == ["carol"]


def test_deleted_user_is_not_in_the_plan(two_organisations):
    carol = ProjectMember.objects.get(project=two_organisations["vent"],
                                      user__cluster_login="carol").user
    user_delete_account(user=carol)
    assert carol.cluster_login == "carol"  # the login is kept for the records, not in Slurm
    assert plans_by_account()["vent"].users == ["bob"]


def test_removed_project_member_is_not_in_the_plan(two_organisations):
    ProjectMember.objects.filter(project=two_organisations["vent"],
                                 user__cluster_login="carol").delete()
    assert plans_by_account()["vent"].users == ["bob"]


def plan_queries(count: int, *, blocked: bool) -> int:
    """The queries of one plan with ``count`` projects, each of its own organisation."""
    cpu = cpu_resource(f"c{count}")
    for number in range(count):
        organisation = OrganisationFactory()
        allow(organisation)
        if blocked and number % 2:
            lapse(organisation)
        made = project(organisation, acronym=f"P{count}X{number}",
                       account=f"p{count}x{number}", logins=[f"u{count}x{number}"])
        grant(made, cpu, 1)
    with CaptureQueriesContext(connection) as queries:
        plans = slurm_plan(cluster=f"c{count}", active_projects=True)
    mine = [plan for plan in plans if plan.account.startswith(f"p{count}x")]
    assert len(mine) == count
    assert sum(plan.blocked for plan in mine) == (count // 2 if blocked else 0)
    return len(queries)


@pytest.mark.parametrize("blocked", [False, True])
def test_plan_queries_do_not_grow_with_the_number_of_projects(db, blocked):
    # Seven for the portal's own plan (one of them for the extended allocations of earlier
    # years, none here), one for the registered extra users (training).
    assert plan_queries(2, blocked=blocked) == plan_queries(20, blocked=blocked) <= 8


def emergency_grant(project, allocation, hours, *, ends_on: dt.date):
    """An approved emergency request of ``project`` granting ``hours`` to ``allocation``
    until ``ends_on`` (as staff's override would)."""
    request = ResourceRequestFactory(
        project=project, kind=ResourceRequest.Kind.EMERGENCY,
        status=ResourceRequest.Status.APPROVED, emergency_ends_on=ends_on)
    AllocationGrantFactory(allocation=allocation, request=request, amount=Decimal(hours))
    allocation.amount += Decimal(hours)
    allocation.save()


def test_emergency_grant_in_force_counts_despite_the_refusal_until_its_end(
        two_organisations):
    vent = two_organisations["vent"]
    cpu = vent.allocations.get(resource__kind="cpu")
    today = timezone.localdate()
    emergency_grant(vent, cpu, "0.5", ends_on=today)
    lapse(two_organisations["other"])
    plan = plans_by_account()["vent"]
    # 60 core-minutes granted earlier stay at zero; the 30 of the emergency grant count.
    assert (plan.cpu_minutes, plan.gpu_minutes, plan.emergency_until) == (30, 0, today)
    assert plan.blocked
    assert plan.blocked_text() == (f"The {YEAR} membership lapsed unpaid. Only the emergency "
                                   f"grant counts, until {today.isoformat()}.")
    # The day after its end, nothing counts.
    later = plans_by_account(year=YEAR, on_date=today + dt.timedelta(days=1))["vent"]
    assert (later.cpu_minutes, later.emergency_until) == (0, None)


def test_emergency_grant_of_an_allowed_organisation_counts_once(two_organisations):
    vent = two_organisations["vent"]
    emergency_grant(vent, vent.allocations.get(resource__kind="cpu"), "0.5",
                    ends_on=timezone.localdate())
    plan = plans_by_account()["vent"]
    assert (plan.cpu_minutes, plan.emergency_until) == (90, None)


@pytest.mark.parametrize("day", [10, 200])
def test_the_plan_and_the_access_rule_agree_early_in_the_year(two_organisations, day):
    """Last year paid, this year's dues open: on day 10 and day 200 of the year the plan
    holds the organisation exactly when :func:`organisation_access_status` refuses it
    (whatever grace period that function grants)."""
    other = two_organisations["other"]
    Membership.objects.create(organisation=other, year=YEAR - 1, fee=250,
                              status=Membership.Status.PAID, paid_on=dt.date(YEAR - 1, 3, 1),
                              payment_reference="VIR-0")
    Membership.objects.filter(organisation=other, year=YEAR).update(
        status=Membership.Status.PENDING, paid_on=None, payment_reference="")
    Agreement.objects.filter(organisation=other).update(starts_on=dt.date(YEAR - 1, 1, 1))
    on = dt.date(YEAR, 1, 1) + dt.timedelta(days=day - 1)
    status = organisation_access_status(organisation=other, on_date=on)
    vent = plans_by_account(year=YEAR, on_date=on)["vent"]
    assert vent.blocked is not status.allowed
    assert vent.blocked_reasons == status.blocking_reasons
    assert vent.cpu_minutes == (60 if status.allowed else 0)


# --- Allocations extended past 31 December --------------------------------------------

def extended_from_last_year(project_, resource, hours, *, ends_on: dt.date):
    """An allocation of ``hours`` of last year, active, whose end date staff moved to
    ``ends_on`` (this year); the organisation's agreement then runs since last year."""
    from ..factories import AllocationFactory

    Agreement.objects.filter(organisation=project_.organisation).update(
        starts_on=dt.date(YEAR - 1, 1, 1))

    return AllocationFactory(
        project=project_, resource=resource, year=YEAR - 1, amount=Decimal(hours),
        starts_on=dt.date(YEAR - 1, 1, 1), ends_on=ends_on)


def test_an_allocation_extended_into_this_year_counts_for_the_hours_it_has_left(
        two_organisations):
    from resources.models import Resource

    from .usage_helpers import summary

    houle = two_organisations["houle"]
    cpu = Resource.objects.get(slurm_cluster=CLUSTER, kind="cpu")
    cpu.slurm_partition = "cpu"
    cpu.save()
    extended = extended_from_last_year(houle, cpu, "1", ends_on=dt.date(YEAR, 3, 31))
    # 0.25 of last year's hour was used, on its own cluster and partition.
    summary(account="houle", year=YEAR - 1, month=6, cluster=CLUSTER, partition="cpu",
            core_hours=0.25)
    on = dt.date(YEAR, 2, 15)
    plan = plans_by_account(year=YEAR, on_date=on)["houle"]
    # 6 core-minutes of this year's grant, and 45 left of last year's hour.
    assert plan.cpu_minutes == 6 + 45
    assert plan.carried == [extended]
    lines = "\n".join(call_export(on))
    assert (f"# houle: includes the hours left of {cpu.name} {YEAR - 1}, extended to "
            f"{YEAR}-03-31") in lines
    # The day after its new end date, only this year's grant counts.
    after = plans_by_account(year=YEAR, on_date=dt.date(YEAR, 4, 1))["houle"]
    assert (after.cpu_minutes, after.carried) == (6, [])
    # Not extended (it ends on 31 December last year): nothing carried.
    extended.ends_on = dt.date(YEAR - 1, 12, 31)
    extended.save()
    assert plans_by_account(year=YEAR, on_date=on)["houle"].cpu_minutes == 6


def test_carried_hours_are_held_at_zero_with_the_rest_when_access_is_refused(
        two_organisations):
    vent = two_organisations["vent"]
    cpu = vent.allocations.get(resource__kind="cpu").resource
    extended_from_last_year(vent, cpu, "2", ends_on=dt.date(YEAR, 6, 30))
    on = dt.date(YEAR, 2, 15)
    assert plans_by_account(year=YEAR, on_date=on)["vent"].cpu_minutes == 60 + 120
    lapse(two_organisations["other"])
    plan = plans_by_account(year=YEAR, on_date=on)["vent"]
    assert (plan.cpu_minutes, plan.gpu_minutes, plan.blocked) == (0, 0, True)


def call_export(on: dt.date) -> list[str]:
    """The lines of the plan's ``sacctmgr`` commands on ``on`` for the test cluster."""
    from projects.services.slurm import render_commands

    return render_commands(slurm_plan(year=YEAR, cluster=CLUSTER, on_date=on))
