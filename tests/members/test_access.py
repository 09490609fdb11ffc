"""The access rule's membership grace period and its reminders (members.services.access,
members.services.memberships)."""

import datetime as dt

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from algoric.notifications.models import Notification
from members import services
from members.models import Membership

from ..factories import AgreementFactory, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
YEAR = 2027
#: Day 90 of 2027 (1 January is day 1) and day 91.
DAY_90 = dt.date(YEAR, 3, 31)
DAY_91 = dt.date(YEAR, 4, 1)


def membership(organisation, year, status):
    paid = ({"paid_on": dt.date(year, 2, 1), "payment_reference": "VIR-1"}
            if status == "paid" else {})
    return MembershipFactory(organisation=organisation, year=year, status=status, **paid)


def member_last_year(organisation, *, status="paid", this_year=None):
    """``organisation`` with its 2026 membership in ``status``, an agreement in force over
    2027 and, when ``this_year`` is a status, its 2027 membership in it."""
    membership(organisation, YEAR - 1, status)
    AgreementFactory(organisation=organisation, active=True, starts_on=dt.date(YEAR - 1, 6, 1),
                     ends_on=dt.date(YEAR + 1, 5, 31))
    if this_year:
        membership(organisation, YEAR, this_year)
    return organisation


def access(organisation, on_date):
    return services.organisation_access_status(organisation=organisation, on_date=on_date)


@pytest.mark.parametrize("this_year", [None, "pending"])
def test_grace_keeps_access_until_its_last_day_with_a_warning(organisation, this_year):
    member_last_year(organisation, this_year=this_year)
    for day in (dt.date(YEAR, 1, 1), DAY_90):
        status = access(organisation, day)
        assert status.allowed
        assert [r.code for r in status.reasons] == ["membership_grace"]
        assert not status.reasons[0].blocking
    assert "2027" in status.reasons[0].message and "31" in status.reasons[0].message


@pytest.mark.parametrize(("this_year", "code"), [(None, "no_membership"),
                                                 ("pending", "membership_unpaid")])
def test_grace_is_over_the_day_after_its_last_day(organisation, this_year, code):
    member_last_year(organisation, this_year=this_year)
    status = access(organisation, DAY_91)
    assert not status.allowed
    assert [r.code for r in status.blocking_reasons] == [code]
    assert "membership_grace" not in {r.code for r in status.reasons}


def test_waived_last_year_gives_the_same_grace(organisation):
    member_last_year(organisation, status="waived")
    assert access(organisation, DAY_90).allowed
    assert not access(organisation, DAY_91).allowed


@pytest.mark.parametrize("last_year", ["pending", "lapsed"])
def test_no_grace_without_last_year_paid(organisation, last_year):
    member_last_year(organisation, status=last_year, this_year="pending")
    status = access(organisation, dt.date(YEAR, 1, 2))
    assert not status.allowed
    assert [r.code for r in status.blocking_reasons] == ["membership_unpaid"]


def test_no_grace_without_any_membership_last_year(organisation):
    AgreementFactory(organisation=organisation, active=True, starts_on=dt.date(YEAR, 1, 1),
                     ends_on=dt.date(YEAR, 12, 31))
    assert [r.code for r in access(organisation, dt.date(YEAR, 1, 2)).reasons] == [
        "no_membership"]


def test_lapsed_this_year_is_never_graced(organisation):
    member_last_year(organisation, this_year="lapsed")
    status = access(organisation, dt.date(YEAR, 1, 2))
    assert not status.allowed
    assert [r.code for r in status.blocking_reasons] == ["membership_lapsed"]


def test_lapsing_on_new_year_leaves_the_new_membership_in_grace(organisation):
    """The daily lapse marks last year's unpaid memberships; this year's pending one is
    not touched, so an organisation that paid last year stays in grace."""
    member_last_year(organisation, this_year="pending")
    unpaid = member_last_year(OrganisationFactory(), status="pending", this_year="pending")
    assert services.memberships_lapse(today=dt.date(YEAR, 1, 1)) == 1
    assert Membership.objects.get(organisation=unpaid, year=YEAR - 1).status == "lapsed"
    assert Membership.objects.get(organisation=organisation, year=YEAR).status == "pending"
    assert access(organisation, dt.date(YEAR, 1, 1)).allowed
    assert not access(unpaid, dt.date(YEAR, 1, 1)).allowed


def test_grace_length_follows_the_setting(organisation):
    member_last_year(organisation)
    with override_settings(MEMBERSHIP_GRACE_DAYS=10):
        assert access(organisation, dt.date(YEAR, 1, 10)).allowed
        assert not access(organisation, dt.date(YEAR, 1, 11)).allowed
    with override_settings(MEMBERSHIP_GRACE_DAYS=0):
        assert not access(organisation, dt.date(YEAR, 1, 1)).allowed


def test_paid_this_year_needs_no_grace(organisation):
    member_last_year(organisation, this_year="paid")
    assert access(organisation, DAY_91).reasons == []
    assert access(organisation, dt.date(YEAR, 1, 2)).reasons == []


def test_access_status_keeps_two_queries_and_the_list_agrees(organisation):
    member_last_year(organisation)
    with CaptureQueriesContext(connection) as queries:
        access(organisation, DAY_90)
    assert len(queries) == 2
    many = services.organisation_access_statuses(organisations=[organisation], on_date=DAY_90)
    assert many[organisation.pk].allowed
    assert [r.code for r in many[organisation.pk].reasons] == ["membership_grace"]
    assert not services.organisation_access_statuses(
        organisations=[organisation], on_date=DAY_91)[organisation.pk].allowed


def test_grace_reminders_at_the_start_and_15_days_before_the_end_each_once(organisation):
    member_last_year(organisation, this_year="pending")
    paid_this_year = member_last_year(OrganisationFactory(), this_year="paid")
    not_paid_last_year = member_last_year(OrganisationFactory(), status="lapsed")
    days = [dt.date(YEAR - 1, 12, 31), dt.date(YEAR, 1, 1), dt.date(YEAR, 1, 2),
            DAY_90 - dt.timedelta(days=16), DAY_90 - dt.timedelta(days=15),
            DAY_90 - dt.timedelta(days=3), DAY_90, DAY_91]
    counts = [services.memberships_send_grace_reminders(today=day) for day in days]
    assert counts == [0, 1, 0, 0, 1, 0, 0, 0]
    sent = Notification.objects.filter(event="membership_grace")
    assert {n.recipient for n in sent} == {organisation.representative}
    assert not sent.filter(recipient__organisation_memberships__organisation__in=[
        paid_this_year, not_paid_last_year]).exists()
    start, ending = sent.order_by("pk")
    assert "31" in start.body and "15" in ending.body


def test_daily_membership_reminders_include_the_grace(organisation):
    member_last_year(organisation)
    assert services.memberships_send_reminders(today=dt.date(YEAR, 1, 1)) == 1
    assert services.memberships_send_reminders(today=dt.date(YEAR, 1, 1)) == 0
    assert Notification.objects.get(event="membership_grace").recipient == (
        organisation.representative)
