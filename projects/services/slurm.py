"""What Slurm should hold for the portal's projects: accounts, users and limits.

``slurm_plan`` computes it from the database; ``render_commands`` and
``render_flat`` print it for ``sacctmgr``. Limits are ``GrpTRESMins`` (Slurm
accounting, sacctmgr(1)): CPU in core-minutes (granted core-hours × 60) and GPU as
``gres/gpu`` minutes (granted GPU-hours × 60), from the year's allocations and the
hours left of earlier years' allocations extended into it; a suspended or expired
allocation counts zero, so its account is stopped.

The access rule (PRODUCT.md) is enforced here too: a project whose organisation may not
use the centre today (:func:`members.services.organisation_access_status`: membership
of the year not paid, no agreement in force, …) gets limits of zero whatever its grants,
and its plan carries the reasons (``blocked_reasons``), which ``slurm_export`` prints and
``slurm_sync`` shows and records. Its account and users stay: Slurm holds its jobs
(``AssocGrpCPUMinutesLimit``) until the organisation has access again and the next sync
restores the limits.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.core.registries import slurm_extra_members
from members.services import AccessReason, organisation_access_statuses
from resources.models import ResourceKind

from ..models import Allocation, AllocationGrant, Project, ProjectMember, ResourceRequest
from ..selectors.usage import allocation_use


@dataclass
class SlurmAccountPlan:
    """One Slurm account of a project on one cluster, its users and its limits (minutes)."""

    cluster: str
    account: str
    description: str
    organisation: str
    users: list[str] = field(default_factory=list)
    cpu_minutes: int = 0
    gpu_minutes: int = 0
    #: Why the organisation may not use the centre today (blocking reasons of its access
    #: status); not empty means the limits are zero whatever the grants.
    blocked_reasons: list[AccessReason] = field(default_factory=list)
    #: For a blocked account: the last day of the emergency grants still counted (granted
    #: by staff through the access override, time-boxed), or ``None``.
    emergency_until: dt.date | None = None
    #: Allocations of earlier years extended into this one whose unused hours count here.
    carried: list[Allocation] = field(default_factory=list)

    def add_minutes(self, kind: str, minutes: int) -> None:
        """Add ``minutes`` to the CPU limit (``kind`` ``cpu``) or to the GPU limit."""
        if kind == ResourceKind.CPU:
            self.cpu_minutes += minutes
        else:
            self.gpu_minutes += minutes

    @property
    def blocked(self) -> bool:
        """Whether the access rule holds this account at zero."""
        return bool(self.blocked_reasons)

    def blocked_text(self) -> str:
        """The reasons in one line (empty when not blocked), for comments and output; with
        the emergency grants still counted, until when."""
        text = " ".join(str(reason.message) for reason in self.blocked_reasons)
        if self.blocked and self.emergency_until:
            text += " " + _("Only the emergency grant counts, until %(date)s.") % {
                "date": self.emergency_until.isoformat()}
        return text

    def blocked_detail(self) -> list[dict[str, str]]:
        """The reasons as ``[{"code": …, "message": …}]`` (JSON, for the audit trail)."""
        return [{"code": reason.code, "message": str(reason.message)}
                for reason in self.blocked_reasons]


#: A user or account name Slurm accepts from the portal: a POSIX user name (lower-case
#: letters, digits, ``_`` and ``-``, not starting with a digit or ``-``, at most 32
#: characters). Cluster logins are checked against it where they are entered.
SLURM_NAME_RE = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")


def _minutes(hours: Decimal) -> int:
    return int((hours * 60).to_integral_value(rounding=ROUND_FLOOR))


def slurm_plan(*, year: int | None = None, cluster: str | None = None,
               active_projects: bool = False, on_date: dt.date | None = None
               ) -> list[SlurmAccountPlan]:
    """Accounts to create and limits to set for ``year`` (default: this year).

    Every project with a CPU or GPU allocation for ``year`` on a resource mapped to
    a Slurm cluster gets an account on that cluster (named by its Slurm account),
    with its members' cluster logins as users. Only ``active`` allocations of an
    ``active`` project count towards the limits; anything else gives zero.
    With ``cluster`` (matched case-insensitively, as Slurm lowercases cluster names)
    and ``active_projects``, every ``active`` project without such an allocation
    also gets an account there, with zero limits: its members' jobs are then held
    by Slurm (``AssocGrpCPUMinutesLimit``) rather than refused, and they are
    attributed to the project. Sorted by cluster then account, users sorted: the
    output is stable.

    The access rule: a project whose organisation may not use the centre on
    ``on_date`` (default today, whatever ``year``) gets zero CPU and GPU minutes and
    ``blocked_reasons`` (the blocking reasons of
    :func:`members.services.organisation_access_statuses`, computed once for all the
    organisations). Its emergency grants still in force (an emergency request whose
    ``emergency_ends_on`` is ``on_date`` or later: the staff's override, time-boxed by
    ``EMERGENCY_GRANT_MAX_DAYS``) are the one exception: they count, and
    ``emergency_until`` says until when. Users: the cluster logins of the project's
    members whose account is active (not deactivated, not deleted); a login Slurm would
    not take is left out; plus the logins the apps above register for ``on_date``
    (:func:`algoric.core.registries.slurm_extra_members`: a training session's attendees
    and course logins during its access window).
    Allocations of earlier years whose end date was extended into ``on_date``'s year
    count, in the plan of that year, for the hours they have left
    (:func:`_carry_extended_allocations`).
    A bounded number of queries whatever the number of projects (seven at most, four
    more per earlier year with an extended allocation, and one for the training
    sessions).
    """
    today = on_date or timezone.localdate()
    year = year or today.year
    allocations = (Allocation.objects.filter(
        year=year, resource__kind__in=[ResourceKind.CPU, ResourceKind.GPU])
        .exclude(resource__slurm_cluster="")
        .select_related("project__organisation", "resource"))
    if cluster:
        allocations = allocations.filter(resource__slurm_cluster__iexact=cluster)
    plans: dict[tuple[str, str], SlurmAccountPlan] = {}
    organisations = {}
    counting: list[tuple[tuple[str, str], Allocation]] = []
    for allocation in allocations:
        project = allocation.project
        key, plan = _plan_of(plans, organisations, allocation, cluster=cluster)
        counts = (allocation.status == Allocation.Status.ACTIVE
                  and project.status == Project.Status.ACTIVE)
        if counts:
            counting.append((key, allocation))
        plan.add_minutes(allocation.resource.kind,
                         _minutes(allocation.amount) if counts else 0)
    if year == today.year:
        _carry_extended_allocations(plans, organisations, today=today, cluster=cluster)
    if cluster and active_projects:
        granted = {account for _cluster, account in plans}
        for project in (Project.objects.filter(status=Project.Status.ACTIVE)
                        .exclude(slurm_account__in=granted).select_related("organisation")):
            plans[(cluster, project.slurm_account)] = SlurmAccountPlan(
                cluster=cluster, account=project.slurm_account, description=project.acronym,
                organisation=project.organisation.name)
            organisations[(cluster, project.slurm_account)] = project.organisation
    statuses = organisation_access_statuses(
        organisations={organisation.pk: organisation
                       for organisation in organisations.values()}.values(),
        on_date=today)
    blocked = set()
    for key, organisation in organisations.items():
        status = statuses[organisation.pk]
        if not status.allowed:
            blocked.add(key)
            plan = plans[key]
            plan.blocked_reasons = status.blocking_reasons
            plan.cpu_minutes = plan.gpu_minutes = 0
    _count_emergency_grants(plans, [(key, allocation) for key, allocation in counting
                                    if key in blocked], today=today)
    logins = {}
    for member in ProjectMember.objects.filter(
        project__slurm_account__in={account for _cluster, account in plans},
        user__is_active=True, user__deleted_at__isnull=True,
    ).exclude(user__cluster_login="").select_related("project", "user"):
        login = member.user.cluster_login
        if SLURM_NAME_RE.match(login):  # a login saved before it was checked is left out
            logins.setdefault(member.project.slurm_account, set()).add(login)
    # Users the apps above add for ``today`` (a training session's attendees and course
    # logins, during its access window): registries, since this app cannot import them.
    for account, extra in slurm_extra_members(
            accounts={account for _cluster, account in plans}, on_date=today).items():
        logins.setdefault(account, set()).update(
            login for login in extra if SLURM_NAME_RE.match(login))
    result = []
    for key in sorted(plans):
        plan = plans[key]
        plan.users = sorted(logins.get(plan.account, set()))
        result.append(plan)
    return result


def _plan_of(plans: dict[tuple[str, str], SlurmAccountPlan], organisations: dict,
             allocation: Allocation, *, cluster: str | None
             ) -> tuple[tuple[str, str], SlurmAccountPlan]:
    """The ``(cluster, account)`` key of ``allocation``'s project and its plan, made (and
    its organisation noted in ``organisations``) on first sight. No query: the allocation
    comes with its project, organisation and resource."""
    project = allocation.project
    key = (cluster or allocation.resource.slurm_cluster, project.slurm_account)
    plan = plans.get(key)
    if plan is None:
        plan = plans[key] = SlurmAccountPlan(
            cluster=key[0], account=key[1], description=project.acronym,
            organisation=project.organisation.name)
        organisations[key] = project.organisation
    return key, plan


def _carry_extended_allocations(plans: dict[tuple[str, str], SlurmAccountPlan],
                                organisations: dict, *, today: dt.date,
                                cluster: str | None) -> None:
    """Add to ``plans`` the allocations of earlier years whose end date was extended past
    31 December and that are still in force on ``today`` (active, of an active project):
    what is left of each, its amount minus its use in its own year, counts this year.

    Slurm's usage of an association is reset every year (``PriorityUsageResetPeriod=
    YEARLY``, docs/connecting-your-cluster.md), so an extension into the new year gives
    back only the hours not used yet. Two queries, four more per year that has such
    allocations (the use, from the usage summaries); none of them otherwise.
    """
    carried = (Allocation.objects.filter(
        year__lt=today.year, status=Allocation.Status.ACTIVE, ends_on__gte=today,
        starts_on__lte=today, project__status=Project.Status.ACTIVE,
        resource__kind__in=[ResourceKind.CPU, ResourceKind.GPU])
        .exclude(resource__slurm_cluster="")
        .select_related("project__organisation", "resource"))
    if cluster:
        carried = carried.filter(resource__slurm_cluster__iexact=cluster)
    carried = list(carried)
    if not carried:
        return
    used: dict[tuple[int, int, int], float] = {}
    for year in sorted({allocation.year for allocation in carried}):
        projects = {allocation.project_id for allocation in carried
                    if allocation.year == year}
        for (project_id, resource_id), hours in allocation_use(
                year=year, project_ids=projects).items():
            used[(project_id, resource_id, year)] = hours
    for allocation in carried:
        _key, plan = _plan_of(plans, organisations, allocation, cluster=cluster)
        spent = Decimal(str(used.get(
            (allocation.project_id, allocation.resource_id, allocation.year), 0.0)))
        plan.add_minutes(allocation.resource.kind,
                         _minutes(max(allocation.amount - spent, Decimal(0))))
        plan.carried.append(allocation)


def _count_emergency_grants(plans: dict[tuple[str, str], SlurmAccountPlan],
                            held: list[tuple[tuple[str, str], Allocation]], *,
                            today: dt.date) -> None:
    """Add to the blocked ``plans`` the emergency grants in force on ``today`` of their
    ``held`` allocations (at most each allocation's amount). One query, none without
    ``held``."""
    if not held:
        return
    rows = {row["allocation_id"]: row for row in AllocationGrant.objects.filter(
        allocation__in=[allocation.pk for _key, allocation in held],
        request__kind=ResourceRequest.Kind.EMERGENCY,
        request__emergency_ends_on__gte=today,
    ).values("allocation_id").annotate(amount=Sum("amount"),
                                       until=Max("request__emergency_ends_on"))}
    for key, allocation in held:
        row = rows.get(allocation.pk)
        if row is None:
            continue
        plan = plans[key]
        plan.add_minutes(allocation.resource.kind,
                         _minutes(min(row["amount"], allocation.amount)))
        plan.emergency_until = max(filter(None, (plan.emergency_until, row["until"])))


def tres_mins(plan: SlurmAccountPlan) -> str:
    """The ``GrpTRESMins`` value of a plan: ``cpu=N,gres/gpu=M``."""
    return f"cpu={plan.cpu_minutes},gres/gpu={plan.gpu_minutes}"


def blocked_comment(plan: SlurmAccountPlan) -> str:
    """The comment line saying why ``plan`` is held at zero (``# ACCOUNT: access refused —
    reasons``), or ``""`` when the access rule does not hold it. One line, so a shell
    and ``sacctmgr load`` both read it as a comment."""
    if not plan.blocked:
        return ""
    text = _("%(account)s: access refused — %(reasons)s") % {
        "account": plan.account, "reasons": plan.blocked_text()}
    return "# " + " ".join(text.split())


def carried_comment(plan: SlurmAccountPlan) -> str:
    """The comment line naming the allocations of earlier years extended into this one
    whose unused hours the limits include (``""`` when none), one line."""
    if not plan.carried:
        return ""
    items = "; ".join(_("%(resource)s %(year)s, extended to %(date)s") % {
        "resource": allocation.resource.name, "year": allocation.year,
        "date": allocation.ends_on.isoformat()} for allocation in plan.carried)
    text = _("%(account)s: includes the hours left of %(items)s") % {
        "account": plan.account, "items": items}
    return "# " + " ".join(text.split())


def _comments(plan: SlurmAccountPlan) -> list[str]:
    return [line for line in (blocked_comment(plan), carried_comment(plan)) if line]


def render_commands(plans: list[SlurmAccountPlan]) -> list[str]:
    """``sacctmgr -i`` command lines that create the accounts and users and set the limits.

    Adding an account or user that exists only prints a notice in sacctmgr, so the
    lines can be run again; the ``modify`` line sets the limits to the plan. An account
    held at zero by the access rule is preceded by a comment saying why
    (:func:`blocked_comment`), one whose limits include hours carried from an extended
    allocation of an earlier year by one naming it (:func:`carried_comment`).
    """
    lines = []
    for plan in plans:
        cluster, account = shlex.quote(plan.cluster), shlex.quote(plan.account)
        lines.extend(_comments(plan))
        lines.append(
            f"sacctmgr -i add account {account} Cluster={cluster} "
            f"Description={shlex.quote(plan.description)} "
            f"Organization={shlex.quote(plan.organisation)}")
        lines.extend(f"sacctmgr -i add user {shlex.quote(login)} Account={account} "
                     f"Cluster={cluster}" for login in plan.users)
        lines.append(f"sacctmgr -i modify account where name={account} cluster={cluster} "
                     f"set GrpTRESMins={tres_mins(plan)}")
    return lines


def _flat_value(text: str) -> str:
    return "'" + text.replace("'", "").replace(":", " ").replace("\n", " ") + "'"


def render_flat(plans: list[SlurmAccountPlan]) -> list[str]:
    """A ``sacctmgr load`` flat file (one block per cluster), same content as the commands,
    comments included (``#`` lines, which ``sacctmgr load`` skips)."""
    lines = []
    current = None
    for plan in plans:
        if plan.cluster != current:
            current = plan.cluster
            lines.append(f"Cluster - {_flat_value(plan.cluster)}")
            lines.append("Parent - 'root'")
        lines.extend(_comments(plan))
        lines.append(
            f"Account - {_flat_value(plan.account)}:Description={_flat_value(plan.description)}"
            f":Organization={_flat_value(plan.organisation)}:GrpTRESMins={tres_mins(plan)}")
        if plan.users:
            lines.append(f"Parent - {_flat_value(plan.account)}")
            lines.extend(f"User - {_flat_value(login)}:DefaultAccount={_flat_value(plan.account)}"
                         for login in plan.users)
            lines.append("Parent - 'root'")
    return lines
