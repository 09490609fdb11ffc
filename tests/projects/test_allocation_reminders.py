"""The reminders that an allocation ends: 60, 30 and 7 days before, each once, to the
project's PI and managers (``projects.services.allocations``)."""

import datetime as dt
import re

import pytest

from algoric.notifications.models import Notification
from projects.services.allocations import (
    EXPIRY_REMINDER_DAYS,
    allocations_send_expiry_reminders,
)

from ..factories import AllocationFactory, ProjectFactory, ResearchOutputFactory, UserFactory

pytestmark = pytest.mark.django_db
END = dt.date(2031, 6, 30)


@pytest.fixture
def allocation():
    """An active allocation ending on :data:`END`, of a project with a PI and a manager."""
    project = ProjectFactory(pi=UserFactory(), manager=True, status="active",
                             starts_on=dt.date(2031, 1, 1), ends_on=dt.date(2032, 12, 31))
    return AllocationFactory(project=project, year=2031, ends_on=END)


def reminders(user=None):
    found = Notification.objects.filter(event="allocation_expiring")
    return found.filter(recipient=user) if user else found


def test_the_thresholds_are_60_30_and_7_days():
    assert EXPIRY_REMINDER_DAYS == (60, 30, 7)


def test_a_daily_run_over_70_days_reminds_each_lead_three_times_on_the_right_days(allocation):
    sent_on = {}
    for days_left in range(70, -1, -1):
        if allocations_send_expiry_reminders(today=END - dt.timedelta(days=days_left)):
            sent_on[days_left] = reminders().count()
    assert list(sent_on) == [60, 30, 7]
    for user in (allocation.project.pi, allocation.project.manager):
        assert reminders(user).count() == 3
    assert reminders().count() == 6


def test_a_run_that_missed_days_sends_only_the_reminder_due(allocation):
    # Nothing ran before 20 days left: the 30-day reminder is due, not the 60-day one too.
    assert allocations_send_expiry_reminders(today=END - dt.timedelta(days=20)) == 2
    assert allocations_send_expiry_reminders(today=END - dt.timedelta(days=19)) == 0
    assert allocations_send_expiry_reminders(today=END - dt.timedelta(days=3)) == 2
    assert reminders().count() == 4


def test_an_allocation_granted_20_days_before_its_end_gets_the_30_then_the_7_day_reminder(
        allocation):
    counts = [allocations_send_expiry_reminders(today=END - dt.timedelta(days=days_left))
              for days_left in range(20, -1, -1)]
    assert counts[0] == 2  # at once: the 30-day reminder, saying 20 days
    assert counts.index(2, 1) == 20 - 7  # then the 7-day one
    assert sum(counts) == 4


def test_the_email_says_how_many_days_remain(allocation):
    allocations_send_expiry_reminders(today=END - dt.timedelta(days=30))
    allocations_send_expiry_reminders(today=END - dt.timedelta(days=6))
    first, second = reminders(allocation.project.pi).order_by("pk")
    for message, days in ((first, 30), (second, 6)):  # in the recipient's language
        assert re.search(rf"\b{days} (days|jours)\b", message.subject)
        assert re.search(rf"\b{days} (days|jours)\b", message.body)


def test_an_end_date_moved_later_starts_the_reminders_afresh(allocation):
    allocations_send_expiry_reminders(today=END - dt.timedelta(days=7))
    allocation.ends_on = END + dt.timedelta(days=90)
    allocation.save()
    assert allocations_send_expiry_reminders(
        today=allocation.ends_on - dt.timedelta(days=60)) == 2


def test_suspended_or_ended_allocations_are_not_reminded(allocation):
    allocation.status, allocation.suspended_reason = "suspended", "Budget dépassé."
    allocation.save()
    assert allocations_send_expiry_reminders(today=END - dt.timedelta(days=30)) == 0
    allocation.status, allocation.suspended_reason = "active", ""
    allocation.save()
    assert allocations_send_expiry_reminders(today=END + dt.timedelta(days=1)) == 0


def test_the_reminder_asks_for_the_research_outputs_only_when_none_is_recorded(allocation):
    project = allocation.project
    allocations_send_expiry_reminders(today=END - dt.timedelta(days=60))
    first = list(reminders())
    assert len(first) == 2 and all("2031" in message.body and "BibTeX" in message.body
                                   for message in first)
    ResearchOutputFactory(projects=[project], year=2031)
    allocations_send_expiry_reminders(today=END - dt.timedelta(days=30))
    latest = reminders().exclude(pk__in=[message.pk for message in first])
    assert latest.count() == 2
    assert not any("BibTeX" in message.body for message in latest)
