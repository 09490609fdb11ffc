"""Notifications at 80 % and 100 % of a year's CPU or GPU grant, once each."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail

from algoric.notifications.models import Notification
from projects.models import AccountAlias, Allocation, ProjectMember
from projects.services.usage import usage_check_thresholds
from projects.tasks import check_usage_thresholds

from .usage_helpers import (
    CLUSTER,
    YEAR,
    add_member,
    allocate,
    summary,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(YEAR, 6, 15)


@pytest.fixture
def leads(project):
    """The PI and a manager (told) and a plain member (not told)."""
    manager = add_member(project, role=ProjectMember.Role.MANAGER)
    add_member(project)
    return [project.pi, manager]


def threshold_notifications():
    return Notification.objects.filter(event="usage_threshold").order_by("pk")


def check(django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return usage_check_thresholds(today=TODAY)


def test_nothing_below_80_percent(project, resources, leads, django_capture_on_commit_callbacks):
    cpu, _gpu = resources
    allocate(project, cpu, 1000)
    summary(core_hours=799)
    assert check(django_capture_on_commit_callbacks) == 0
    assert not threshold_notifications().exists()


def test_80_then_100_percent_each_told_once(project, resources, leads,
                                            django_capture_on_commit_callbacks):
    cpu, _gpu = resources
    allocation = allocate(project, cpu, 1000)
    summary(month=2, core_hours=500)
    summary(month=5, core_hours=300, user="bob")

    assert check(django_capture_on_commit_callbacks) == 2
    assert check(django_capture_on_commit_callbacks) == 0
    sent = list(threshold_notifications())
    assert {n.recipient for n in sent} == set(leads)
    assert {n.dedupe_key for n in sent} == {
        f"usage_threshold:{allocation.pk}:80:{user.pk}" for user in leads}
    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    assert message.subject.startswith(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX)
    assert "HOULE" in message.subject and "80" in message.subject
    assert "800" in message.body and "1000" in message.body.replace("\xa0", "")
    assert f"/projects/{project.pk}/usage/" in message.body

    summary(month=6, core_hours=250)  # 1050 of 1000
    assert check(django_capture_on_commit_callbacks) == 2
    assert check(django_capture_on_commit_callbacks) == 0
    assert {n.dedupe_key for n in threshold_notifications()} == {
        f"usage_threshold:{allocation.pk}:{threshold}:{user.pk}"
        for threshold in (80, 100) for user in leads}
    assert len(mail.outbox) == 4


def test_a_grant_crossed_at_once_gives_the_100_percent_message_only(
        project, resources, leads, django_capture_on_commit_callbacks):
    _cpu, gpu = resources
    allocation = allocate(project, gpu, 100)
    summary(partition="gpu", gpu_hours=130, core_hours=500)
    assert check(django_capture_on_commit_callbacks) == 2
    assert {n.dedupe_key.split(":")[2] for n in threshold_notifications()} == {"100"}
    assert all(str(allocation.pk) in n.dedupe_key for n in threshold_notifications())
    assert check(django_capture_on_commit_callbacks) == 0


def test_gpu_grant_counts_gpu_hours_only(project, resources, leads,
                                        django_capture_on_commit_callbacks):
    _cpu, gpu = resources
    allocate(project, gpu, 100)
    summary(partition="gpu", gpu_hours=10, core_hours=5000)
    summary(partition="cpu", core_hours=5000)
    assert check(django_capture_on_commit_callbacks) == 0


def test_alias_usage_counts_toward_the_grant(project, resources, leads,
                                             django_capture_on_commit_callbacks):
    cpu, _gpu = resources
    allocate(project, cpu, 1000)
    summary(core_hours=500)
    summary(account="grp-3", core_hours=400)
    assert check(django_capture_on_commit_callbacks) == 0
    AccountAlias.objects.create(cluster=CLUSTER, account="grp-3", project=project)
    assert check(django_capture_on_commit_callbacks) == 2


@pytest.mark.parametrize("status", [Allocation.Status.EXPIRED, Allocation.Status.SUSPENDED])
def test_expired_and_suspended_allocations_are_not_checked(
        project, resources, leads, status, django_capture_on_commit_callbacks):
    cpu, _gpu = resources
    allocate(project, cpu, 1000, status=status)
    summary(core_hours=2000)
    assert check(django_capture_on_commit_callbacks) == 0
    assert not threshold_notifications().exists()


def test_other_years_and_other_kinds_are_not_checked(
        project, resources, leads, django_capture_on_commit_callbacks):
    from decimal import Decimal

    from resources.models import Resource

    cpu, _gpu = resources
    allocate(project, cpu, 1000, year=YEAR - 1)
    summary(core_hours=2000, year=YEAR - 1)
    disk = Resource.objects.create(name="Disque", kind="disk", capacity_per_year=Decimal(100),
                                   slurm_cluster=CLUSTER, slurm_partition="cpu")
    allocate(project, disk, 1)
    summary(core_hours=2000, month=3)
    assert check(django_capture_on_commit_callbacks) == 0


def test_the_hourly_task_runs_the_check(project, resources, leads,
                                        django_capture_on_commit_callbacks):
    cpu, _gpu = resources
    allocate(project, cpu, 10)
    summary(core_hours=9, month=1)
    with django_capture_on_commit_callbacks(execute=True):
        created = check_usage_thresholds.delay().get()
    assert created == 2
    assert "projects.tasks.check_usage_thresholds" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
