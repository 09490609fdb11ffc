"""``slurm_sync`` against a fake ``sacctmgr``/``sacct``: the differences, dry run,
idempotence, accounts with jobs kept at zero, and missing, failing or slow commands."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from algoric.audit.models import AuditEvent
from members.models import Membership, User
from members.services import user_delete_account
from projects.models import Allocation, Project, ProjectMember, ResourceRequest
from projects.services.projects import project_member_remove
from projects.services.slurm_sync import parse_tres, slurm_sync
from resources.models import Cluster
from resources.selectors.clusters import cluster_failures

from ..factories import AllocationGrantFactory, ResourceRequestFactory, allow
from .helpers import YEAR, cpu_resource, grant, project

pytestmark = pytest.mark.django_db
CLUSTER = "pozi"

#: What ``slurm_sync --dry-run`` prints for :func:`portal` and :func:`slurm_before`.
EXPECTED_DRY_RUN = [
    "pozi: 8 changes to apply (dry run, nothing applied):",
    "sacctmgr -i modify account where name=gone cluster=pozi set GrpTRESMins=cpu=0",
    "sacctmgr -i modify account where name=grant cluster=pozi set GrpTRESMins=cpu=6",
    "sacctmgr -i add user bob Account=grant Cluster=pozi",
    "sacctmgr -i remove user where name=eve account=grant cluster=pozi",
    "sacctmgr -i add account none Cluster=pozi Description=NONE "
    "'Organization=Bigouden Labs' GrpTRESMins=cpu=0",
    "sacctmgr -i add user carol Account=none Cluster=pozi",
    "sacctmgr -i remove account where name=old cluster=pozi",
    "sacctmgr -i modify account where name=susp cluster=pozi set GrpTRESMins=cpu=0",
]


@pytest.fixture
def portal(organisation):
    """GRANT (6 core-minutes, alice and bob), NONE (active, no grant, carol), SUSP
    (suspended grant, dave), OLD and GONE (closed, no grant)."""
    organisation.name = "Bigouden Labs"
    organisation.save()
    allow(organisation)
    cpu = cpu_resource(CLUSTER)
    granted = project(organisation, acronym="GRANT", account="grant", logins=["alice", "bob"])
    grant(granted, cpu, "0.1")
    project(organisation, acronym="NONE", account="none", logins=["carol"])
    suspended = project(organisation, acronym="SUSP", account="susp", logins=["dave"])
    grant(suspended, cpu, 10, status=Allocation.Status.SUSPENDED)
    project(organisation, acronym="OLD", account="old", status=Project.Status.CLOSED)
    project(organisation, acronym="GONE", account="gone", status=Project.Status.CLOSED)
    return {"cpu": cpu, "granted": granted}


@pytest.fixture
def slurm_before(fake_slurm):
    """Slurm as it stands: a site account the portal does not manage, GRANT with the
    wrong limit and a user too many, SUSP still at its old limit, OLD without jobs and
    GONE with jobs this year."""
    fake_slurm.update(assoc={
        "site": {"limits": "cpu=99", "users": ["admin"]},
        "grant": {"limits": "cpu=600", "users": ["alice", "eve"]},
        "susp": {"limits": "cpu=600", "users": ["dave"]},
        "old": {"limits": "cpu=10", "users": []},
        "gone": {"limits": "cpu=10", "users": ["frank"]},
    }, jobs=["gone"])
    return fake_slurm


def sync(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("slurm_sync", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dry_run_prints_exactly_the_differences_and_changes_nothing(portal, slurm_before):
    out, _err = sync("--cluster", CLUSTER, "--dry-run")
    assert out.splitlines() == EXPECTED_DRY_RUN
    assert slurm_before.writes() == []
    assert not AuditEvent.objects.filter(action__startswith="slurm.").exists()
    assert Cluster.objects.get(name=CLUSTER).last_sync_at is None


def test_sync_applies_the_differences_then_finds_none(portal, slurm_before):
    out, _err = sync("--cluster", CLUSTER)
    assert out.splitlines()[0] == "pozi: 8 changes applied:"
    assoc = slurm_before.state["assoc"]
    assert assoc["site"] == {"limits": "cpu=99", "users": ["admin"]}  # not the portal's
    assert assoc["grant"] == {"limits": "cpu=6", "users": ["alice", "bob"]}
    assert assoc["none"] == {"limits": "cpu=0", "users": ["carol"]}
    assert assoc["susp"]["limits"] == "cpu=0"
    assert assoc["gone"]["limits"] == "cpu=0"  # jobs this year: kept, at zero
    assert "old" not in assoc
    events = AuditEvent.objects.filter(action__startswith="slurm.")
    assert events.count() == 8
    assert set(events.values_list("category", flat=True)) == {AuditEvent.Category.SYSTEM}
    removal = events.get(action="slurm.account_remove")
    assert removal.detail["account"] == "old"
    assert removal.target_type == "resources.cluster"
    cluster = Cluster.objects.get(name=CLUSTER)
    assert (cluster.last_sync_ok, cluster.last_sync_changes, cluster.last_sync_error) == (
        True, 8, "")

    writes = len(slurm_before.writes())
    out, _err = sync("--cluster", CLUSTER)
    assert out.splitlines() == ["pozi: Slurm matches the portal, nothing to change."]
    assert len(slurm_before.writes()) == writes
    out, _err = sync("--cluster", CLUSTER, "--dry-run")
    assert out.splitlines() == ["pozi: Slurm matches the portal, nothing to change."]
    assert AuditEvent.objects.filter(action__startswith="slurm.").count() == 8


def test_every_sacctmgr_call_is_an_argument_list_in_utc(portal, slurm_before):
    sync("--cluster", CLUSTER)
    calls = slurm_before.calls
    assert calls and all(call["tz"] == "UTC" for call in calls)
    add = next(call["args"] for call in calls if call["args"][:3] == ["-i", "add", "account"])
    # The organisation name with its space is one argument: no shell in between.
    assert "Organization=Bigouden Labs" in add


def test_account_with_jobs_recorded_in_the_portal_is_not_removed(portal, slurm_before):
    from django.utils import timezone

    from resources.models import JobRecord

    slurm_before.update(jobs=[])
    now = timezone.now()
    JobRecord.objects.create(
        cluster=CLUSTER, job_id="7", job_id_raw="7", account="old", submit_time=now,
        end_time=now, elapsed_seconds=60, cpus=1, state="COMPLETED", core_hours=1 / 60)
    out, _err = sync("--cluster", CLUSTER, "--dry-run")
    assert "sacctmgr -i modify account where name=old cluster=pozi set GrpTRESMins=cpu=0" in out
    assert "remove account where name=old" not in out
    assert "remove account where name=gone" in out


def test_suspending_a_grant_sets_its_limit_to_zero(portal, fake_slurm):
    sync("--cluster", CLUSTER)
    assert fake_slurm.state["assoc"]["grant"]["limits"] == "cpu=6"
    Allocation.objects.filter(project=portal["granted"]).update(
        status=Allocation.Status.SUSPENDED, suspended_reason="budget")
    out, _err = sync("--cluster", CLUSTER)
    assert "set GrpTRESMins=cpu=0" in out
    assert fake_slurm.state["assoc"]["grant"]["limits"] == "cpu=0"
    event = AuditEvent.objects.filter(action="slurm.limits_set").latest("pk")
    assert (event.detail["before"], event.detail["after"]) == ("cpu=6", "cpu=0")


def test_gpu_grant_is_set_as_gres_gpu_minutes(organisation, fake_slurm):
    allow(organisation)
    fake_slurm.update(tres=["cpu", "mem", "gres/gpu"])
    gpu = cpu_resource(CLUSTER, kind="gpu", partition="gpu")
    made = project(organisation, acronym="VISION", account="vision", logins=["alice"])
    grant(made, gpu, "2.5")
    sync("--cluster", CLUSTER)
    assert parse_tres(fake_slurm.state["assoc"]["vision"]["limits"]) == {
        "cpu": 0, "gres/gpu": 150}


def test_gpu_grant_without_gres_gpu_accounting_is_a_failure(organisation, fake_slurm):
    allow(organisation)
    gpu = cpu_resource(CLUSTER, kind="gpu", partition="gpu")
    grant(project(organisation, acronym="VISION", account="vision"), gpu, 2)
    with pytest.raises(CommandError):
        out, err = sync("--cluster", CLUSTER)
    cluster = Cluster.objects.get(name=CLUSTER)
    assert cluster.last_sync_ok is False
    assert "gres/gpu" in cluster.last_sync_error
    # The CPU side is still applied.
    assert fake_slurm.state["assoc"]["vision"]["limits"] == "cpu=0"


def test_invalid_cluster_login_saved_earlier_is_left_out(portal, fake_slurm):
    project(portal["granted"].organisation, acronym="ODD", account="odd",
            logins=["ok_login", "Bad Login;rm"])
    out, _err = sync("--cluster", CLUSTER, "--dry-run")
    assert "add user ok_login Account=odd" in out
    assert "Bad" not in out


def test_unknown_cluster_is_refused(portal, fake_slurm):
    with pytest.raises(CommandError, match="Unknown cluster"):
        sync("--cluster", "nowhere")


@pytest.mark.parametrize(("fault", "reason"), [
    ({"fail": True}, "failed (exit status 1): sacctmgr: error: Problem talking to the database"),
    ({"sleep": 3}, "did not answer within 0.5 s"),
])
def test_failing_or_slow_sacctmgr_changes_nothing_and_is_shown(
        portal, slurm_before, settings, fault, reason, staff_with_mfa, client):
    settings.SLURM_COMMAND_TIMEOUT = 0.5
    slurm_before.update(**fault)
    before = slurm_before.state["assoc"]
    err = StringIO()
    with pytest.raises(CommandError, match="Slurm synchronisation failed for: pozi"):
        call_command("slurm_sync", "--cluster", CLUSTER, stdout=StringIO(), stderr=err)
    assert reason in err.getvalue()
    assert slurm_before.state["assoc"] == before
    assert slurm_before.writes() == []
    assert not AuditEvent.objects.filter(action__startswith="slurm.").exists()
    cluster = Cluster.objects.get(name=CLUSTER)
    assert cluster.last_sync_ok is False and reason in cluster.last_sync_error
    [failure] = cluster_failures()
    assert (failure.cluster, failure.work, failure.overdue) == (CLUSTER, "sync", False)
    # Staff see it on their dashboard.
    from tests.conftest import totp_code  # noqa: F401 (MFA is handled by the login helper)

    client.force_login(staff_with_mfa)
    page = client.get(reverse("members:staff_dashboard"))
    assert "Problem talking to the database" in page.text or "did not answer" in page.text


def test_missing_sacctmgr_is_a_clear_failure(portal, settings):
    settings.SLURM_SACCTMGR = "/nonexistent/sacctmgr"
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("slurm_sync", "--cluster", CLUSTER, stdout=StringIO(), stderr=err)
    assert "sacctmgr was not found" in err.getvalue()
    assert "SLURM_SACCTMGR" in err.getvalue()
    assert Cluster.objects.get(name=CLUSTER).last_sync_ok is False


def test_failure_while_applying_keeps_what_was_applied_and_stops(portal, slurm_before):
    slurm_before.update(fail_on="add user bob")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("slurm_sync", "--cluster", CLUSTER, stdout=StringIO(), stderr=err)
    assert "2 changes were applied before the failure" in err.getvalue()
    assert AuditEvent.objects.filter(action__startswith="slurm.").count() == 2
    cluster = Cluster.objects.get(name=CLUSTER)
    assert (cluster.last_sync_ok, cluster.last_sync_changes) == (False, 2)
    slurm_before.update(fail_on="")
    out, _err = sync("--cluster", CLUSTER)
    assert out.splitlines()[0] == "pozi: 6 changes applied:"


def test_dry_run_does_not_record_a_failure(portal, fake_slurm):
    fake_slurm.update(fail=True)
    with pytest.raises(CommandError):
        sync("--cluster", CLUSTER, "--dry-run")
    assert Cluster.objects.get(name=CLUSTER).last_sync_at is None


def test_beat_task_does_nothing_unless_enabled(portal, fake_slurm, settings):
    from projects.tasks import sync_slurm_clusters

    settings.SLURM_SYNC = False
    assert sync_slurm_clusters() == {}
    assert fake_slurm.calls == []
    settings.SLURM_SYNC = True
    assert sync_slurm_clusters() == {CLUSTER: 7}
    assert sync_slurm_clusters() == {CLUSTER: 0}
    fake_slurm.update(fail=True)
    assert "failed" in sync_slurm_clusters()[CLUSTER]


def test_overdue_sync_is_a_failure_when_enabled(portal, settings):
    settings.SLURM_SYNC = True
    [failure] = cluster_failures()
    assert failure.overdue and failure.at is None
    settings.SLURM_SYNC = False
    assert cluster_failures() == []


def test_slurm_slice_of_the_audit_trail(portal, fake_slurm, staff):
    result = slurm_sync(cluster=Cluster.objects.get(name=CLUSTER), actor=staff)
    assert result.applied == 7
    assert set(AuditEvent.objects.filter(action__startswith="slurm.")
               .values_list("category", flat=True)) == {AuditEvent.Category.STAFF}


def lapse(organisation) -> None:
    Membership.objects.filter(organisation=organisation, year=YEAR).update(
        status=Membership.Status.LAPSED, paid_on=None)


def test_organisation_without_access_is_held_at_zero_then_restored_once_paid(portal,
                                                                              fake_slurm):
    sync("--cluster", CLUSTER)
    assert fake_slurm.state["assoc"]["grant"] == {"limits": "cpu=6", "users": ["alice", "bob"]}
    organisation = portal["granted"].organisation
    lapse(organisation)
    comment = f"# grant: access refused — The {YEAR} membership lapsed unpaid."
    out, _err = sync("--cluster", CLUSTER, "--dry-run")
    assert out.splitlines() == [
        "pozi: 1 changes to apply (dry run, nothing applied):",
        comment,
        "sacctmgr -i modify account where name=grant cluster=pozi set GrpTRESMins=cpu=0"]
    out, _err = sync("--cluster", CLUSTER)
    assert out.splitlines() == ["pozi: 1 changes applied:", *out.splitlines()[1:]]
    assert out.splitlines()[1] == comment
    # Only the limits change: the account and its users stay, so Slurm holds the jobs.
    assert fake_slurm.state["assoc"]["grant"] == {"limits": "cpu=0", "users": ["alice", "bob"]}
    event = AuditEvent.objects.filter(action="slurm.limits_set").latest("pk")
    assert (event.detail["before"], event.detail["after"]) == ("cpu=6", "cpu=0")
    assert event.detail["access_refused"] == [
        {"code": "membership_lapsed", "message": f"The {YEAR} membership lapsed unpaid."}]

    Membership.objects.filter(organisation=organisation, year=YEAR).update(
        status=Membership.Status.PAID, paid_on=timezone.localdate(), payment_reference="VIR-2")
    out, _err = sync("--cluster", CLUSTER)
    assert out.splitlines() == [
        "pozi: 1 changes applied:",
        "sacctmgr -i modify account where name=grant cluster=pozi set GrpTRESMins=cpu=6"]
    event = AuditEvent.objects.filter(action="slurm.limits_set").latest("pk")
    assert event.detail["after"] == "cpu=6" and "access_refused" not in event.detail


def test_new_account_of_an_organisation_without_access_is_created_at_zero_with_reasons(
        organisation, fake_slurm):
    allow(organisation)
    lapse(organisation)
    grant(project(organisation, acronym="HOULE", account="houle", logins=["alice"]),
          cpu_resource(CLUSTER), 10)
    out, _err = sync("--cluster", CLUSTER)
    assert out.splitlines()[1] == f"# houle: access refused — The {YEAR} membership lapsed unpaid."
    assert fake_slurm.state["assoc"]["houle"] == {"limits": "cpu=0", "users": ["alice"]}
    added = AuditEvent.objects.get(action="slurm.account_add")
    assert [reason["code"] for reason in added.detail["access_refused"]] == ["membership_lapsed"]
    assert "access_refused" not in AuditEvent.objects.get(action="slurm.user_add").detail


def user_of(login: str):
    return User.objects.get(cluster_login=login)


@pytest.mark.parametrize("leave", [
    pytest.param(lambda bob, _project: User.objects.filter(pk=bob.pk).update(is_active=False),
                 id="deactivated"),
    pytest.param(lambda bob, _project: user_delete_account(user=bob), id="deleted"),
    pytest.param(lambda bob, project: project_member_remove(
        member=ProjectMember.objects.get(project=project, user=bob), actor=project.pi),
        id="removed-from-the-project"),
])
def test_user_who_left_loses_the_association_and_nothing_else_changes(portal, fake_slurm,
                                                                      leave):
    sync("--cluster", CLUSTER)
    before = fake_slurm.state["assoc"]
    assert before["grant"]["users"] == ["alice", "bob"]
    leave(user_of("bob"), portal["granted"])
    out, _err = sync("--cluster", CLUSTER)
    assert out.splitlines() == [
        "pozi: 1 changes applied:",
        "sacctmgr -i remove user where name=bob account=grant cluster=pozi"]
    after = fake_slurm.state["assoc"]
    assert after["grant"] == {"limits": "cpu=6", "users": ["alice"]}
    assert {k: v for k, v in after.items() if k != "grant"} == {
        k: v for k, v in before.items() if k != "grant"}
    assert AuditEvent.objects.filter(action="slurm.user_remove").get().detail["user"] == "bob"


def test_emergency_grant_of_an_organisation_without_access_is_applied_and_recorded(
        portal, fake_slurm):
    granted = portal["granted"]
    allocation = granted.allocations.get()
    today = timezone.localdate()
    request = ResourceRequestFactory(project=granted, kind=ResourceRequest.Kind.EMERGENCY,
                                     status=ResourceRequest.Status.APPROVED,
                                     emergency_ends_on=today)
    AllocationGrantFactory(allocation=allocation, request=request, amount=Decimal("0.05"))
    allocation.amount += Decimal("0.05")
    allocation.save()
    lapse(granted.organisation)
    out, _err = sync("--cluster", CLUSTER)
    assert f"# grant: access refused — The {YEAR} membership lapsed unpaid. Only the emergency "\
           f"grant counts, until {today.isoformat()}." in out.splitlines()
    assert fake_slurm.state["assoc"]["grant"]["limits"] == "cpu=3"
    added = AuditEvent.objects.get(action="slurm.account_add", detail__account="grant")
    assert added.detail["emergency_until"] == today.isoformat()
