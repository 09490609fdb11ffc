"""A portal fixture for the Slurm tests: an organisation allowed to compute (paid
membership, active agreement: ``allow`` in tests/factories.py), a CPU resource on a Slurm
cluster, and projects, all plain rows made by the factories."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from projects.models import Allocation, Project
from resources.models import Resource

from ..factories import (
    AllocationFactory,
    ClusterFactory,
    ProjectFactory,
    ProjectMemberFactory,
    ResourceFactory,
    UserFactory,
)

YEAR = timezone.localdate().year


def cpu_resource(cluster: str, *, kind: str = "cpu", partition: str = "") -> Resource:
    """A CPU (or GPU) resource on ``cluster``, without power figures, and the registered
    cluster itself."""
    ClusterFactory(name=cluster)
    return ResourceFactory(
        name=f"{cluster} {kind}", kind=kind, capacity_per_year=Decimal(1_000_000),
        slurm_cluster=cluster, slurm_partition=partition, watts_per_core=None,
        memory_gb_per_core=None, order=1 if kind == "cpu" else 2)


def project(organisation, *, acronym: str, account: str, logins=(),
            status=Project.Status.ACTIVE) -> Project:
    """A project of ``organisation`` over this year whose PI and members have ``logins`` as
    cluster logins: the first login is the PI's; without logins, the project has no one."""
    first, *others = logins or [None]
    people = ({"pi": UserFactory(cluster_login=first)} if first
              else {"created_by": None, "pi_member": None})
    made = ProjectFactory(
        title=f"Project {acronym}", acronym=acronym, summary="Summary.", field="earth",
        organisation=organisation, starts_on=dt.date(YEAR, 1, 1),
        ends_on=dt.date(YEAR, 12, 31), slurm_account=account, status=status, **people)
    for login in others:
        ProjectMemberFactory(project=made, user__cluster_login=login)
    return made


def grant(project: Project, resource: Resource, core_hours, *,
          status=Allocation.Status.ACTIVE) -> Allocation:
    """An allocation of ``core_hours`` (or GPU-hours) of ``resource`` for this year."""
    return AllocationFactory(
        project=project, resource=resource, year=YEAR, amount=Decimal(core_hours),
        starts_on=dt.date(YEAR, 1, 1), ends_on=dt.date(YEAR, 12, 31), status=status,
        suspended_reason="budget" if status == Allocation.Status.SUSPENDED else "")
