"""Make a Slurm cluster's accounts, users and limits match the portal (``slurm_sync``).

Reads what Slurm holds (``sacctmgr -n -P show assoc``), compares it with what the
portal says should exist (:func:`projects.services.slurm.slurm_plan` with every
active project: accounts, their members' cluster logins, ``GrpTRESMins``) and
applies only the differences with ``sacctmgr -i``, one command per change, each
written to the audit trail. Running it twice changes nothing the second time.

Only accounts named like one of the portal's projects are managed: any other
account (``root``, a site's own accounts) is never touched. A project account that
should no longer exist is removed, unless it has jobs recorded this year (in Slurm
or in the portal); its limits are then set to zero instead, so its history stays
attached to it.

A project whose organisation may not use the centre today is planned at zero
(:func:`projects.services.slurm.slurm_plan`, the access rule): the result lists those
accounts (``blocked``), the command prints why above their changes, and the audit event
of a limit change on such an account carries the reasons (``access_refused``).

Units (sacctmgr(1), "GrpTRESMins"): ``cpu`` in CPU-minutes (granted core-hours ×
60), ``gres/gpu`` in GPU-minutes (granted GPU-hours × 60). ``gres/gpu`` is set only
when the cluster accounts for it (``AccountingStorageTRES=gres/gpu``); a GPU grant on
a cluster that does not is reported as a problem, since Slurm could not enforce it.
"""

from __future__ import annotations

import datetime
import re
import shlex
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.audit.models import AuditEvent
from algoric.audit.services import audit_record
from resources.models import Cluster
from resources.selectors.clusters import cluster_accounts_with_jobs
from resources.services.clusters import cluster_sync_record
from resources.slurm_cli import SlurmCommandError, run_slurm

from ..models import Project
from .slurm import SlurmAccountPlan, blocked_comment, slurm_plan

#: The trackable resources the portal sets limits on (Slurm TRES names).
CPU_TRES = "cpu"
GPU_TRES = "gres/gpu"

#: Order of the changes on one account: create it before adding users, remove users
#: before removing the account.
ACTIONS = ("account_add", "limits_set", "user_add", "user_remove", "account_zero",
           "account_remove")
#: The changes that set an account's limits (their audit event says why an account is at
#: zero when the access rule holds it).
LIMIT_ACTIONS = ("account_add", "limits_set")


class SlurmSyncError(Exception):
    """Reading or changing Slurm failed; ``applied``: changes applied before it stopped."""

    def __init__(self, message: str, *, applied: int = 0):
        super().__init__(message)
        self.applied = applied


@dataclass(frozen=True)
class SlurmChange:
    """One difference between Slurm and the portal, and the ``sacctmgr`` arguments that
    remove it (without the executable). ``before``/``after``: the limits, for
    ``limits_set`` and ``account_zero`` (``GrpTRESMins`` values)."""

    action: str
    account: str
    arguments: tuple[str, ...]
    user: str = ""
    before: str = ""
    after: str = ""

    @property
    def command(self) -> str:
        """The change as a shell-quoted ``sacctmgr`` command line (for display)."""
        return shlex.join(["sacctmgr", *self.arguments])


@dataclass
class SlurmAssociations:
    """What Slurm holds for one cluster: ``limits[account]`` (``GrpTRESMins`` as
    ``{tres: minutes}``) for every account, ``users[account]`` its users."""

    limits: dict[str, dict[str, int]] = field(default_factory=dict)
    users: dict[str, set[str]] = field(default_factory=dict)


@dataclass
class SlurmSyncResult:
    """A synchronisation of ``cluster``: the ``changes`` found (in the order applied),
    how many were ``applied`` (0 for a dry run), and ``problems`` Slurm cannot
    enforce (a GPU grant on a cluster without ``gres/gpu`` accounting); ``blocked``: the
    plans of the accounts the access rule holds at zero, by account name."""

    cluster: str
    changes: list[SlurmChange]
    applied: int = 0
    dry_run: bool = False
    problems: list[str] = field(default_factory=list)
    blocked: dict[str, SlurmAccountPlan] = field(default_factory=dict)

    def comment(self, account: str) -> str:
        """The line saying why ``account`` is held at zero, or ``""``."""
        plan = self.blocked.get(account)
        return blocked_comment(plan) if plan else ""


def parse_tres(text: str) -> dict[str, int]:
    """``"cpu=100,gres/gpu=0"`` → ``{"cpu": 100, "gres/gpu": 0}``; ``""`` → ``{}``.

    Raises ``ValueError`` on a malformed value.
    """
    limits = {}
    for item in filter(None, text.strip().split(",")):
        name, _sep, value = item.partition("=")
        limits[name.strip()] = int(value)
    return limits


def slurm_tres_read(*, cluster: str) -> set[str]:
    """The TRES Slurm accounts for (``sacctmgr -n -P show tres``): ``{"cpu", "gres/gpu", …}``.

    Raises ``SlurmCommandError`` (see :func:`resources.slurm_cli.run_slurm`).
    """
    output = run_slurm("sacctmgr", ["-n", "-P", "show", "tres", "format=type,name"])
    names = set()
    for line in output.splitlines():
        kind, _sep, name = line.strip().partition("|")
        if kind:
            names.add(f"{kind}/{name}" if name else kind)
    return names


def slurm_associations_read(*, cluster: str) -> SlurmAssociations:
    """The accounts, users and ``GrpTRESMins`` of ``cluster`` (``sacctmgr -n -P show assoc``).

    Raises ``SlurmCommandError`` when ``sacctmgr`` fails or prints something that is
    not three ``|``-separated fields per line.
    """
    output = run_slurm("sacctmgr", ["-n", "-P", "show", "assoc", "where", f"cluster={cluster}",
                                    "format=account,user,grptresmins"])
    current = SlurmAssociations()
    for number, line in enumerate(output.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("|")
        if len(fields) != 3:
            raise SlurmCommandError(_("sacctmgr show assoc printed an unexpected line %(n)d: "
                                      "“%(line)s”") % {"n": number, "line": line[:200]})
        account, user, limits = (value.strip() for value in fields)
        if not user:
            try:
                current.limits[account] = parse_tres(limits)
            except ValueError:
                raise SlurmCommandError(
                    _("sacctmgr show assoc printed unreadable limits for %(account)s: "
                      "“%(limits)s”") % {"account": account, "limits": limits}) from None
            current.users.setdefault(account, set())
        else:
            current.users.setdefault(account, set()).add(user)
    return current


def _slurm_text(text: str) -> str:
    """A description or organisation as sacctmgr takes it: no quotes, no separators."""
    return re.sub(r"[^\w .()-]+", " ", text).strip()[:60] or "-"


def _tres_text(limits: dict[str, int]) -> str:
    return ",".join(f"{name}={value}" for name, value in limits.items())


def _wanted_limits(plan: SlurmAccountPlan, tres: set[str]) -> dict[str, int]:
    limits = {CPU_TRES: plan.cpu_minutes}
    if GPU_TRES in tres:
        limits[GPU_TRES] = plan.gpu_minutes
    return limits


def _differs(current: dict[str, int], wanted: dict[str, int]) -> bool:
    """Whether a limit the portal sets differs (limits on other TRES are left alone)."""
    return any(current.get(name) != value for name, value in wanted.items())


def slurm_changes(*, cluster: str, plans: list[SlurmAccountPlan], current: SlurmAssociations,
                  tres: set[str], managed: set[str], with_jobs: set[str]
                  ) -> tuple[list[SlurmChange], list[str]]:
    """The changes that make ``current`` match ``plans``, and the problems found.

    Args:
        cluster: the cluster's name, as Slurm knows it.
        plans: what should exist (:func:`slurm_plan` for this cluster).
        current: what Slurm holds (:func:`slurm_associations_read`).
        tres: the TRES Slurm accounts for (:func:`slurm_tres_read`).
        managed: the portal's project account names: only these may be removed.
        with_jobs: managed accounts with jobs this year; they are set to zero rather
            than removed.

    Pure (no command is run): the result is sorted by account, then by
    :data:`ACTIONS`.
    """
    changes: list[SlurmChange] = []
    problems: list[str] = []
    wanted_accounts = set()
    for plan in plans:
        account = plan.account
        wanted_accounts.add(account)
        wanted = _wanted_limits(plan, tres)
        if plan.gpu_minutes and GPU_TRES not in tres:
            problems.append(_(
                "%(account)s has %(minutes)d GPU-minutes granted, but cluster %(cluster)s does "
                "not account for gres/gpu (AccountingStorageTRES): Slurm cannot enforce it.")
                % {"account": account, "minutes": plan.gpu_minutes, "cluster": cluster})
        if account not in current.limits:
            changes.append(SlurmChange(
                action="account_add", account=account, after=_tres_text(wanted),
                arguments=("-i", "add", "account", account, f"Cluster={cluster}",
                           f"Description={_slurm_text(plan.description)}",
                           f"Organization={_slurm_text(plan.organisation)}",
                           f"GrpTRESMins={_tres_text(wanted)}")))
        elif _differs(current.limits[account], wanted):
            changes.append(SlurmChange(
                action="limits_set", account=account,
                before=_tres_text(current.limits[account]), after=_tres_text(wanted),
                arguments=("-i", "modify", "account", "where", f"name={account}",
                           f"cluster={cluster}", "set", f"GrpTRESMins={_tres_text(wanted)}")))
        present = current.users.get(account, set())
        for login in sorted(set(plan.users) - present):
            changes.append(SlurmChange(
                action="user_add", account=account, user=login,
                arguments=("-i", "add", "user", login, f"Account={account}",
                           f"Cluster={cluster}")))
        for login in sorted(present - set(plan.users)):
            changes.append(SlurmChange(
                action="user_remove", account=account, user=login,
                arguments=("-i", "remove", "user", "where", f"name={login}",
                           f"account={account}", f"cluster={cluster}")))
    for account in sorted((set(current.limits) & managed) - wanted_accounts):
        if account in with_jobs:
            zero = {CPU_TRES: 0, **({GPU_TRES: 0} if GPU_TRES in tres else {})}
            if _differs(current.limits[account], zero):
                changes.append(SlurmChange(
                    action="account_zero", account=account,
                    before=_tres_text(current.limits[account]), after=_tres_text(zero),
                    arguments=("-i", "modify", "account", "where", f"name={account}",
                               f"cluster={cluster}", "set", f"GrpTRESMins={_tres_text(zero)}")))
        else:
            changes.append(SlurmChange(
                action="account_remove", account=account,
                arguments=("-i", "remove", "account", "where", f"name={account}",
                           f"cluster={cluster}")))
    changes.sort(key=lambda change: (change.account, ACTIONS.index(change.action), change.user))
    return changes, problems


def slurm_accounts_with_jobs(*, cluster: str, accounts: set[str], year: int) -> set[str]:
    """Those of ``accounts`` with a job recorded in ``year``, in the portal or in Slurm.

    The portal's job records are read first; the others are asked of ``sacct``
    (any state, from the 1st of January, UTC). Raises ``SlurmCommandError``.
    """
    if not accounts:
        return set()
    since = datetime.datetime(year, 1, 1, tzinfo=datetime.UTC)
    found = cluster_accounts_with_jobs(cluster=cluster, accounts=accounts, since=since)
    for account in sorted(accounts - found):
        output = run_slurm("sacct", [
            "--allusers", "--parsable2", "--noheader", "--allocations", "--clusters", cluster,
            "--accounts", account, "--starttime", f"{year}-01-01T00:00:00", "--endtime", "now",
            "--format", "jobidraw"])
        if output.strip():
            found.add(account)
    return found


def slurm_sync(*, cluster: Cluster, dry_run: bool = False, actor=None,
               year: int | None = None) -> SlurmSyncResult:
    """Make ``cluster``'s Slurm associations match the portal; or, with ``dry_run``, list
    the changes without applying them.

    Args:
        cluster: a registered cluster; its name is the one Slurm knows.
        dry_run: only compute the changes (nothing is run but reads, nothing recorded).
        actor: the staff user who asked (audit category ``staff``), or ``None`` for the
            beat task or the command line (category ``system``).
        year: the grants' year (default: this year).

    Each applied change is written to the audit trail (``slurm.<action>``, target the
    cluster, detail with the account, user, limits and command; for the limits of an
    account the access rule holds at zero, ``access_refused``: ``[{"code", "message"}]``).
    The outcome is recorded on the cluster (``last_sync_*``) unless ``dry_run``.

    Raises:
        SlurmSyncError: ``sacctmgr`` or ``sacct`` is missing, fails or times out. When
            reading, nothing was changed; when applying, the changes before the
            failing one stay applied (and audited) and the rest are not tried.
    """
    year = year or timezone.localdate().year
    try:
        result = _sync(cluster=cluster, dry_run=dry_run, actor=actor, year=year)
    except SlurmSyncError as exc:
        if not dry_run:
            cluster_sync_record(cluster=cluster, ok=False, error=str(exc), changes=exc.applied)
        raise
    if not dry_run:
        cluster_sync_record(cluster=cluster, ok=not result.problems,
                            error="\n".join(result.problems), changes=result.applied)
    return result


def _sync(*, cluster: Cluster, dry_run: bool, actor, year: int) -> SlurmSyncResult:
    name = cluster.name
    try:
        tres = slurm_tres_read(cluster=name)
        current = slurm_associations_read(cluster=name)
        plans = slurm_plan(year=year, cluster=name, active_projects=True)
        managed = set(Project.objects.values_list("slurm_account", flat=True))
        wanted = {plan.account for plan in plans}
        leaving = (set(current.limits) & managed) - wanted
        with_jobs = slurm_accounts_with_jobs(cluster=name, accounts=leaving, year=year)
    except SlurmCommandError as exc:
        raise SlurmSyncError(str(exc)) from exc
    changes, problems = slurm_changes(cluster=name, plans=plans, current=current, tres=tres,
                                      managed=managed, with_jobs=with_jobs)
    result = SlurmSyncResult(cluster=name, changes=changes, dry_run=dry_run, problems=problems,
                             blocked={plan.account: plan for plan in plans if plan.blocked})
    if dry_run:
        return result
    category = AuditEvent.Category.SYSTEM if actor is None else AuditEvent.Category.STAFF
    for change in changes:
        try:
            run_slurm("sacctmgr", list(change.arguments))
        except SlurmCommandError as exc:
            raise SlurmSyncError(str(exc), applied=result.applied) from exc
        result.applied += 1
        detail = {"cluster": name, "account": change.account, "user": change.user,
                  "before": change.before, "after": change.after, "command": change.command}
        blocked = result.blocked.get(change.account)
        if blocked and change.action in LIMIT_ACTIONS:
            detail["access_refused"] = blocked.blocked_detail()
            if blocked.emergency_until:
                detail["emergency_until"] = blocked.emergency_until.isoformat()
        audit_record(action=f"slurm.{change.action}", category=category, actor=actor,
                     target=cluster, detail=detail)
    return result
