"""A portal fixture for the Slurm tests: an organisation allowed to compute (paid
membership, active agreement), a CPU resource on a Slurm cluster, and projects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from members.models import Agreement, Membership, TermsTemplate
from projects.models import Allocation, Project, ProjectMember
from resources.models import Cluster, Resource

YEAR = timezone.localdate().year


def allow(organisation) -> None:
    """Give ``organisation`` a paid membership and an active agreement for this year."""
    today = timezone.localdate()
    Membership.objects.update_or_create(
        organisation=organisation, year=today.year,
        defaults={"fee": 250, "status": "paid", "paid_on": today, "payment_reference": "VIR-1"})
    Agreement.objects.create(
        number=f"AG-{today.year}-8{organisation.pk:03d}", organisation=organisation,
        kind=organisation.kind, terms=TermsTemplate.objects.filter(kind=organisation.kind).first(),
        status="active", starts_on=today, ends_on=today + dt.timedelta(days=364))


def cpu_resource(cluster: str, *, kind: str = "cpu", partition: str = "") -> Resource:
    """A CPU (or GPU) resource on ``cluster``, and the registered cluster itself."""
    Cluster.objects.get_or_create(name=cluster)
    return Resource.objects.create(
        name=f"{cluster} {kind}", kind=kind, capacity_per_year=Decimal(1_000_000),
        slurm_cluster=cluster, slurm_partition=partition, order=1 if kind == "cpu" else 2)


def project(organisation, *, acronym: str, account: str, logins=(),
            status=Project.Status.ACTIVE) -> Project:
    """A project of ``organisation`` whose PI and members have ``logins`` as cluster logins."""
    from ..factories import UserFactory

    made = Project.objects.create(
        title=f"Project {acronym}", acronym=acronym, summary="Summary.", field="earth",
        organisation=organisation, starts_on=dt.date(YEAR, 1, 1),
        ends_on=dt.date(YEAR, 12, 31), slurm_account=account, status=status)
    for index, login in enumerate(logins):
        user = UserFactory(cluster_login=login)
        ProjectMember.objects.create(
            project=made, user=user,
            role=ProjectMember.Role.PI if index == 0 else ProjectMember.Role.MEMBER)
    return made


def grant(project: Project, resource: Resource, core_hours, *,
          status=Allocation.Status.ACTIVE) -> Allocation:
    """An allocation of ``core_hours`` (or GPU-hours) of ``resource`` for this year."""
    return Allocation.objects.create(
        project=project, resource=resource, year=YEAR, amount=Decimal(core_hours),
        starts_on=dt.date(YEAR, 1, 1), ends_on=dt.date(YEAR, 12, 31), status=status,
        suspended_reason="budget" if status == Allocation.Status.SUSPENDED else "")
