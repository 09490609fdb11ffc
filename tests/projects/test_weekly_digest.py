"""A busy week for a PI who chose the weekly digest: one email (issue 14, item 3).

The week's events go through the real services: staff comment on the PI's request and
decide it, the allocation's end is near, the grant reaches 80 %, the project's report is
ready. The PI receives nothing during the week and exactly one email on Monday.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from algoric.notifications.models import Notification
from algoric.notifications.services import notification_preferences_set
from algoric.notifications.tasks import send_weekly_digests
from projects.models import Allocation
from projects.reports.services import usage_report_notify
from projects.selectors.requests import request_table
from projects.services import request_review
from projects.services import requests as request_services
from projects.services.allocations import allocations_send_expiry_reminders
from projects.services.usage import usage_check_thresholds

from ..factories import ResourcePriceFactory, StaffFactory, UsageReportFactory, allow
from .usage_helpers import YEAR, allocate, summary

pytestmark = pytest.mark.django_db
WEEKLY = {"requests": "weekly", "allocations": "weekly", "reports": "weekly",
          "membership": "weekly"}


def emails_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def busy_week(project, resources, capture):
    """Every event of the week, each after its commit (as a worker would see it)."""
    cpu, _gpu = resources
    pi = project.pi
    staff = StaffFactory(mfa=True)
    allow(project.organisation)
    ResourcePriceFactory(resource=cpu, organisation_kind=project.organisation.kind,
                         price_per_unit=Decimal("0.01"))
    with capture(execute=True):
        request = request_services.request_create(project=project, kind="new",
                                                   actor=pi)
        request = request_services.request_save(
            request=request, table={(cpu.pk, YEAR): Decimal("500")},
            justification="Des runs de plus.", row_justifications={}, actor=pi)
        request = request_services.request_submit(request=request, actor=pi)  # to staff
    with capture(execute=True):
        request_services.request_comment(request=request, body="Pourquoi 500 ?", actor=staff)
    with capture(execute=True):
        request_review.request_decide(request=request, granted=request_table(request),
                                      note="", actor=staff, version=request.version)
    allocation = Allocation.objects.get(project=project, resource=cpu, year=YEAR)  # granted
    with capture(execute=True):
        allocations_send_expiry_reminders(today=allocation.ends_on - dt.timedelta(days=30))
    summary(month=2, core_hours=450)  # 90 % of 500
    with capture(execute=True):
        usage_check_thresholds(today=dt.date(YEAR, 6, 15))
    report = UsageReportFactory(project=project, year=YEAR - 1, status="done")
    with capture(execute=True):
        usage_report_notify(report=report)
    return staff


def test_a_busy_week_with_the_weekly_digest_sends_the_pi_exactly_one_email(
        project, resources, django_capture_on_commit_callbacks):
    pi = project.pi
    notification_preferences_set(user=pi, choices=WEEKLY, actor=pi)
    staff = busy_week(project, resources, django_capture_on_commit_callbacks)

    week = Notification.objects.filter(recipient=pi).exclude(
        event__in=["welcome", "notification_digest"])
    assert set(week.values_list("event", flat=True)) == {
        "request_comment", "request_decided", "allocation_expiring", "usage_threshold",
        "usage_report_ready"}
    assert set(week.values_list("status", flat=True)) == {Notification.Status.HELD}
    assert emails_to(pi) == []  # nothing during the week…
    assert emails_to(staff)  # …while staff, who chose nothing, got the submission at once

    send_weekly_digests()
    [digest] = emails_to(pi)
    for subject in week.values_list("subject", flat=True):
        assert subject.removeprefix("[Algoric] ") in digest.body
    assert f"/projects/{project.pk}/usage/" in digest.body  # the messages' links
    send_weekly_digests()  # a second run (a retry, a second worker): nothing more
    assert len(emails_to(pi)) == 1
    assert set(week.values_list("status", flat=True)) == {Notification.Status.DIGESTED}


def test_the_same_week_as_it_comes_sends_each_message(project, resources,
                                                      django_capture_on_commit_callbacks):
    pi = project.pi
    busy_week(project, resources, django_capture_on_commit_callbacks)
    events = Notification.objects.filter(recipient=pi).exclude(event="welcome")
    assert events.count() == 5
    assert len(emails_to(pi)) == 5
    assert send_weekly_digests() == 0
    assert len(emails_to(pi)) == 5


def test_a_suspension_reaches_a_pi_with_the_weekly_digest_at_once(
        project, resources, django_capture_on_commit_callbacks):
    from projects.services.allocations import allocation_suspend

    pi = project.pi
    notification_preferences_set(user=pi, choices=WEEKLY, actor=pi)
    allocation = allocate(project, resources[0], 1000)
    with django_capture_on_commit_callbacks(execute=True):
        allocation_suspend(allocation=allocation, reason="Budget", actor=StaffFactory(mfa=True))
    assert len(emails_to(pi)) == 1
