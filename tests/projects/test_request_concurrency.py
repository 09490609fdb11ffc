"""Two staff members deciding the same resource request at once, on two connections."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from algoric.notifications.models import Notification
from projects.models import Allocation, AllocationGrant, RequestEvent, ResourceRequest
from projects.selectors.requests import request_table
from projects.services import projects as project_services
from projects.services import request_review as review_services
from projects.services import requests as services
from resources.models import Resource

from ..factories import (
    FeeScheduleFactory,
    OrganisationFactory,
    OrganisationMemberFactory,
    StaffFactory,
    TermsTemplateFactory,
    allow,
)
from ..members.test_concurrency import run_at_once


@pytest.fixture
def submitted(transactional_db):
    TermsTemplateFactory()
    FeeScheduleFactory()
    organisation = OrganisationFactory()
    rep = OrganisationMemberFactory(organisation=organisation, role="representative").user
    cpu = Resource.objects.create(name="CPU", kind="cpu", capacity_per_year=10**6,
                                  watts_per_core=Decimal(10))
    year = timezone.localdate().year
    project = project_services.project_create(
        organisation=organisation, actor=rep,
        data={"title": "Deux décisions", "acronym": "Duo", "summary": "s", "field": "other",
              "starts_on": dt.date(year, 1, 1), "ends_on": dt.date(year, 12, 31)})
    allow(organisation)
    request = services.request_create(project=project, kind="new", actor=rep)
    services.request_save(request=request, table={(cpu.pk, year): Decimal(1000)},
                          justification="j", row_justifications={}, actor=rep)
    return services.request_submit(request=ResourceRequest.objects.get(pk=request.pk), actor=rep)


def test_two_staff_deciding_a_request_at_once_give_one_decision(submitted):
    first, second = StaffFactory(mfa=True), StaffFactory(mfa=True)
    table = request_table(submitted)
    results = run_at_once(
        lambda: review_services.request_decide(request=submitted, granted=table, note="",
                                               actor=first, version=submitted.version),
        lambda: review_services.request_decide(request=submitted, granted=table, note="",
                                               actor=second, version=submitted.version),
    )
    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    assert RequestEvent.objects.filter(request=submitted, to_status="approved").count() == 1
    assert Allocation.objects.get().amount == Decimal(1000)
    assert AllocationGrant.objects.count() == 1
    assert Notification.objects.filter(event="request_decided").count() == 1
