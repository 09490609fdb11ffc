"""End to end against a real one-node Slurm cluster (munge, MariaDB, slurmdbd, slurmctld,
slurmd started by ``.ci/slurm-setup``): grants set by ``slurm_sync`` are enforced by
Slurm, and ``collect_accounting`` brings the real ``sacct`` output back into the portal;
an organisation that loses access (membership lapsed, no grace) has its jobs held by Slurm
after the next sync, and they start once it has paid and the sync has run again; a
training session's course login computes under its training account during the session's
window and is refused after it.

Skipped, with the reason, where Slurm is not installed or cannot be started (not root);
.ci/run installs and starts it, so it always runs in CI. Every wait is bounded.
"""

from __future__ import annotations

import datetime as dt
import getpass
import secrets
import subprocess
import time
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from members.models import Membership
from projects.models import Allocation
from resources.models import Cluster, JobRecord
from training.services.course_logins import course_logins_create, course_logins_expire
from training.services.courses import session_course_account_open

from ..factories import CourseFactory, SessionFactory, StaffFactory, allow
from .helpers import YEAR, cpu_resource, grant, project

pytestmark = [pytest.mark.slurm, pytest.mark.django_db]

#: The reason Slurm gives to a job held by its account's GrpTRESMins on CPU.
HELD = "AssocGrpCPUMinutesLimit"


def run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=timeout,
                          check=False, cwd="/tmp")


def wait_until(what: str, check, *, seconds: float = 60, every: float = 0.5):
    """Call ``check()`` until it returns something true, at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(every)


def submit(account: str) -> subprocess.CompletedProcess:
    return run("sbatch", "-A", account, "-n", "1", "-t", "1", "-o", "/dev/null",
               "--wrap", "sleep 1")


def submit_known(account: str) -> str:
    """Submit a job under ``account``; retried while slurmctld has not yet received the
    association from slurmdbd (at most 20 s). Returns the job id."""
    def attempt():
        done = submit(account)
        if done.returncode == 0:
            return done.stdout.split()[-1]
        assert "Invalid account" in done.stderr, done.stderr
        return None

    return wait_until(f"slurmctld to know account {account}", attempt, seconds=20, every=1)


def job_state(job_id: str) -> tuple[str, str]:
    """``(state, reason)`` of a job from squeue, or from sacct once it has left the queue."""
    queued = run("squeue", "-h", "-j", job_id, "-o", "%T|%r")
    if queued.returncode == 0 and queued.stdout.strip():
        state, _sep, reason = queued.stdout.strip().partition("|")
        return state, reason
    done = run("sacct", "-n", "-P", "-X", "-j", job_id, "-o", "state")
    return (done.stdout.strip().splitlines() or ["UNKNOWN"])[0], ""


def sync(*args: str) -> list[str]:
    out = StringIO()
    call_command("slurm_sync", "--cluster", "algoric", *args, stdout=out, stderr=StringIO())
    return out.getvalue().splitlines()


def collect() -> str:
    out = StringIO()
    call_command("collect_accounting", "--cluster", "algoric", stdout=out, stderr=StringIO())
    return out.getvalue()


def sacct_jobs(accounts: list[str]) -> dict[str, float]:
    """Finished jobs of ``accounts`` as sacct reports them: ``{raw job id: core-hours}``
    (elapsed seconds × allocated CPUs / 3600)."""
    done = run("sacct", "--allusers", "--parsable2", "--noheader", "--allocations",
               "--duplicates", "--clusters", "algoric", "--accounts", ",".join(accounts),
               "--starttime", f"{dt.date.today().year}-01-01", "--endtime", "now",
               "--format", "jobidraw,state,elapsedraw,ncpus,end")
    assert done.returncode == 0, done.stderr
    jobs = {}
    for line in done.stdout.splitlines():
        raw, state, elapsed, ncpus, end = line.split("|")
        if state not in ("PENDING", "RUNNING", "REQUEUED", "SUSPENDED") and end != "Unknown":
            jobs[raw] = int(elapsed) * int(ncpus) / 3600
    return jobs


def test_grants_are_enforced_by_slurm_and_its_accounting_comes_back(slurm_cluster,
                                                                     organisation):
    timings = slurm_cluster["timings"]
    timings.step("portal's test database ready (pytest-django)")
    suffix = secrets.token_hex(3)
    granted_account, none_account = f"e2e{suffix}g", f"e2e{suffix}n"
    login = getpass.getuser()

    organisation.name = "E2E Labs"
    organisation.save()
    allow(organisation)
    cpu = cpu_resource("algoric")
    granted = project(organisation, acronym="GRANT", account=granted_account, logins=[login])
    allocation = grant(granted, cpu, "0.1")  # 6 core-minutes
    project(organisation, acronym="NONE", account=none_account, logins=[login])
    timings.step("portal: organisation, agreement, membership, two projects")
    try:
        dry_run = sync("--dry-run")
        print("\n".join(dry_run))
        assert dry_run == [
            "algoric: 4 changes to apply (dry run, nothing applied):",
            f"sacctmgr -i add account {granted_account} Cluster=algoric Description=GRANT "
            "'Organization=E2E Labs' GrpTRESMins=cpu=6",
            f"sacctmgr -i add user {login} Account={granted_account} Cluster=algoric",
            f"sacctmgr -i add account {none_account} Cluster=algoric Description=NONE "
            "'Organization=E2E Labs' GrpTRESMins=cpu=0",
            f"sacctmgr -i add user {login} Account={none_account} Cluster=algoric",
        ]
        timings.step("slurm_sync --dry-run")
        assert sync()[0] == "algoric: 4 changes applied:"
        timings.step("slurm_sync")
        assert sync("--dry-run") == ["algoric: Slurm matches the portal, nothing to change."]
        timings.step("slurm_sync --dry-run after the sync: nothing")
        assert Cluster.objects.get(name="algoric").last_sync_ok is True

        ran = submit_known(granted_account)
        held = submit_known(none_account)
        refused = submit(f"e2e{suffix}x")
        assert refused.returncode != 0
        assert "Invalid account" in refused.stderr
        timings.step("sbatch under the granted, the ungranted and an unknown account")
        assert wait_until("the granted job to complete",
                          lambda: job_state(ran)[0] == "COMPLETED", seconds=90)
        state, reason = wait_until(
            "the ungranted job to be held",
            lambda: (job_state(held)[1] == HELD) and job_state(held), seconds=30)
        assert state == "PENDING"
        timings.step(f"granted job completed; ungranted job held ({HELD})")
        run("scancel", held)
        wait_until("the held job to be cancelled",
                   lambda: job_state(held)[0].startswith("CANCELLED"), seconds=30)
        # slurmdbd may record the end of a job a moment after the queue forgets it.
        expected = wait_until("sacct to report both jobs finished",
                              lambda: (lambda jobs: ran in jobs and held in jobs and jobs)(
                                  sacct_jobs([granted_account, none_account])), seconds=30)
        timings.step("held job cancelled; sacct reports both")

        out = collect()
        print(out, end="")
        assert "jobs added" in out
        mine = JobRecord.objects.filter(cluster="algoric",
                                        account__in=[granted_account, none_account])
        assert set(mine.values_list("job_id_raw", flat=True)) == set(expected)
        assert sum(mine.values_list("core_hours", flat=True)) == pytest.approx(
            sum(expected.values()))
        assert mine.get(job_id_raw=ran).core_hours > 0
        timings.step("collect_accounting: job records and core-hours equal sacct's")
        count = JobRecord.objects.count()
        out = collect()
        assert "nothing new" in out or " 0 jobs added" in out, out
        assert JobRecord.objects.count() == count
        timings.step("second collect_accounting adds nothing")

        allocation.status = Allocation.Status.SUSPENDED
        allocation.suspended_reason = "budget"
        allocation.save()
        assert sync() == [
            "algoric: 1 changes applied:",
            f"sacctmgr -i modify account where name={granted_account} cluster=algoric "
            "set GrpTRESMins=cpu=0"]
        timings.step("allocation suspended; slurm_sync sets the limit to zero")
        stopped = submit_known(granted_account)
        assert wait_until("the suspended project's job to be held",
                          lambda: job_state(stopped)[1] == HELD, seconds=30)
        run("scancel", stopped)
        timings.step(f"new job of the suspended project held ({HELD})")
    finally:
        for account in (granted_account, none_account):
            run("scancel", "-A", account)
            run("sacctmgr", "-i", "remove", "account", "where", f"name={account}",
                "cluster=algoric")
        timings.step("test accounts removed from Slurm")


#: Slurm starts a job held by a limit once the limit is raised at its next scheduling pass
#: (``sched_interval``, 60 s by default; the backfill pass every 30 s): this wait at most.
RELEASED_WITHIN_SECONDS = 150


def test_organisation_without_access_is_held_by_slurm_until_it_pays(slurm_cluster,
                                                                     organisation):
    timings = slurm_cluster["timings"]
    account, login = f"e2e{secrets.token_hex(3)}a", getpass.getuser()
    organisation.name = "E2E Access"
    organisation.save()
    allow(organisation)
    grant(project(organisation, acronym="ACCESS", account=account, logins=[login]),
          cpu_resource("algoric"), 1)  # 60 core-minutes
    membership = Membership.objects.get(organisation=organisation, year=YEAR)
    timings.step("access loop: portal ready (organisation allowed, one project, 1 core-hour)")
    try:
        assert sync() == [
            "algoric: 2 changes applied:",
            f"sacctmgr -i add account {account} Cluster=algoric Description=ACCESS "
            "'Organization=E2E Access' GrpTRESMins=cpu=60",
            f"sacctmgr -i add user {login} Account={account} Cluster=algoric"]
        ran = submit_known(account)
        assert wait_until("the job of the allowed organisation to complete",
                          lambda: job_state(ran)[0] == "COMPLETED", seconds=90)
        timings.step("access loop: slurm_sync, a job of the allowed organisation ran")

        # The membership lapses, and last year's was not paid either: no grace period.
        membership.status, membership.paid_on, membership.payment_reference = (
            Membership.Status.LAPSED, None, "")
        membership.save()
        Membership.objects.create(organisation=organisation, year=YEAR - 1, fee=250,
                                  status=Membership.Status.LAPSED)
        assert sync() == [
            "algoric: 1 changes applied:",
            f"# {account}: access refused — The {YEAR} membership lapsed unpaid.",
            f"sacctmgr -i modify account where name={account} cluster=algoric "
            "set GrpTRESMins=cpu=0"]
        timings.step("access loop: membership lapsed; slurm_sync sets the limit to zero")
        held = submit_known(account)
        state, _reason = wait_until(
            "the job of the organisation without access to be held",
            lambda: job_state(held)[1] == HELD and job_state(held), seconds=60)
        assert state == "PENDING"
        timings.step(f"access loop: new job held ({HELD})")

        membership.status, membership.paid_on, membership.payment_reference = (
            Membership.Status.PAID, dt.date.today(), "VIR-E2E")
        membership.save()
        assert sync() == [
            "algoric: 1 changes applied:",
            f"sacctmgr -i modify account where name={account} cluster=algoric "
            "set GrpTRESMins=cpu=60"]
        timings.step("access loop: membership paid; slurm_sync restores the limit")
        assert wait_until("the held job to start once paid",
                          lambda: job_state(held)[0] in ("RUNNING", "COMPLETING", "COMPLETED"),
                          seconds=RELEASED_WITHIN_SECONDS, every=1)
        timings.step("access loop: the held job started")
    finally:
        run("scancel", "-A", account)
        run("sacctmgr", "-i", "remove", "account", "where", f"name={account}",
            "cluster=algoric")
        timings.step("access loop: test account removed from Slurm")


def submit_as(login: str, account: str) -> subprocess.CompletedProcess:
    """``sbatch`` run by the Unix user ``login`` (root becomes it with ``runuser``)."""
    return run("runuser", "-u", login, "--", "sbatch", "-A", account, "-n", "1", "-t", "1",
               "-o", "/dev/null", "--wrap", "sleep 1")


def test_course_login_computes_in_its_session_window_and_is_refused_after(
        slurm_cluster, organisation, settings):
    """A session's course account: its course login (a Unix user of this node, as the
    class's machines would have) runs a job under the training account while the session's
    window is open; after it, ``expire_course_logins`` deletes the login and ``slurm_sync``
    removes its association, so Slurm refuses its next job."""
    timings = slurm_cluster["timings"]
    settings.TRAINING_ACCESS_DAYS_AFTER = 1
    organisation.name = "E2E Training"
    organisation.save()
    allow(organisation)
    cpu = cpu_resource("algoric")
    now = timezone.now()
    session = SessionFactory(
        course=CourseFactory(slug=f"e2e{secrets.token_hex(2)}"), trainer=True, capacity=2,
        starts_at=now - dt.timedelta(minutes=30), ends_at=now + dt.timedelta(hours=2),
        registration_deadline=now - dt.timedelta(hours=1),
        core_hours_per_attendee=Decimal(1))
    account = session_course_account_open(session=session, organisation=organisation,
                                          resource=cpu, actor=StaffFactory(mfa=True)
                                          ).slurm_account
    login = course_logins_create(session=session, count=1, actor=session.trainer)[0]["login"]
    made = run("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", login)
    assert made.returncode == 0, made.stderr
    timings.step(f"training: session in progress, course account {account}, login {login}")
    try:
        applied = sync()
        assert f"sacctmgr -i add user {login} Account={account} Cluster=algoric" in applied
        timings.step("training: slurm_sync adds the course login to the training account")

        def attempt():
            done = submit_as(login, account)
            if done.returncode == 0:
                return done.stdout.split()[-1]
            assert "Invalid account" in done.stderr, done.stderr
            return None

        job = wait_until(f"slurmctld to know {login} in {account}", attempt, seconds=20,
                         every=1)
        assert wait_until("the course login's job to complete",
                          lambda: job_state(job)[0] == "COMPLETED", seconds=90)
        timings.step("training: the course login's job ran under the training account")

        # The session was five days ago: its window (end + 1 day) is closed.
        session.starts_at = now - dt.timedelta(days=5)
        session.ends_at = session.starts_at + dt.timedelta(hours=3)
        session.save(update_fields=["starts_at", "ends_at"])
        assert course_logins_expire() == 1
        applied = sync()
        assert any(line.startswith(f"sacctmgr -i remove user where name={login} "
                                   f"account={account}") for line in applied), applied

        def refused():
            done = submit_as(login, account)
            if done.returncode == 0:
                run("scancel", done.stdout.split()[-1])
                return None
            return done

        done = wait_until("slurmctld to refuse the expired course login", refused,
                          seconds=30, every=1)
        assert "Invalid account" in done.stderr, done.stderr
        timings.step("training: after the window the association is gone, sbatch refused")
    finally:
        run("scancel", "-A", account)
        run("sacctmgr", "-i", "remove", "account", "where", f"name={account}",
            "cluster=algoric")
        run("userdel", login)
        timings.step("training: account and Unix user removed")
