"""Helpers of the usage tests: projects, resources, allocations and hand-made usage
summaries (the accounting import is not needed to test what is read from them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from projects.models import Allocation, Project, ProjectMember
from resources.models import Resource, UsageSummary

from ..factories import (
    AllocationFactory,
    OrganisationMemberFactory,
    ProjectFactory,
    ProjectMemberFactory,
    ResourceFactory,
    UsageSummaryFactory,
    UserFactory,
)

YEAR = timezone.localdate().year
CLUSTER = "pozidriv"


def make_project(organisation, *, acronym="HOULE", slurm_account="houle", pi=None,
                 status=Project.Status.ACTIVE) -> Project:
    """An active project of ``organisation`` over this year and the next, with its PI
    (``organisation.representative`` unless given), who also created it."""
    return ProjectFactory(
        title=f"Project {acronym}", acronym=acronym, summary="Summary.", field="earth",
        organisation=organisation, starts_on=dt.date(YEAR, 1, 1),
        ends_on=dt.date(YEAR + 1, 12, 31), slurm_account=slurm_account, status=status,
        pi=pi or organisation.representative)


def add_member(project: Project, role=ProjectMember.Role.MEMBER):
    """A new person in ``project`` (and in its organisation) with ``role``."""
    user = UserFactory()
    OrganisationMemberFactory(organisation=project.organisation, user=user, role="member")
    ProjectMemberFactory(project=project, user=user, role=role)
    return user


def make_resources() -> tuple[Resource, Resource]:
    """A CPU resource on partition ``cpu`` and a GPU resource on partition ``gpu`` of
    :data:`CLUSTER`."""
    cpu = ResourceFactory(
        name="Bigoudène CPU", kind="cpu", capacity_per_year=Decimal(1_000_000),
        slurm_cluster=CLUSTER, slurm_partition="cpu", watts_per_core=Decimal("12"),
        memory_gb_per_core=Decimal("4"), order=1)
    gpu = ResourceFactory(
        gpu=True, name="Bigoudène GPU", capacity_per_year=Decimal(20_000),
        slurm_cluster=CLUSTER, slurm_partition="gpu", watts_per_gpu=Decimal("300"), order=2)
    return cpu, gpu


def allocate(project: Project, resource: Resource, amount, *, year=YEAR,
             status=Allocation.Status.ACTIVE) -> Allocation:
    """An allocation of ``amount`` of ``resource`` to ``project`` for ``year``."""
    return AllocationFactory(
        project=project, resource=resource, year=year, amount=Decimal(amount),
        starts_on=dt.date(year, 1, 1), ends_on=dt.date(year, 12, 31), status=status,
        suspended_reason="budget" if status == Allocation.Status.SUSPENDED else "")


def summary(*, account="houle", month=1, year=YEAR, partition="cpu", user="alice",
            state="COMPLETED", cluster=CLUSTER, jobs=1, core_hours=0.0, gpu_hours=0.0,
            measured=0.0, estimated=0.0, wait=0) -> UsageSummary:
    """One usage summary row (the month's first day in ``year``)."""
    return UsageSummaryFactory(
        cluster=cluster, account=account, partition=partition, user=user,
        month=dt.date(year, month, 1), state=state, jobs=jobs, core_hours=core_hours,
        gpu_hours=gpu_hours, energy_kwh_measured=measured, energy_kwh_estimated=estimated,
        wait_seconds=wait)
