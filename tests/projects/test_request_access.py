"""The access rule at the staff's decision: a request of an organisation that may not use
the centre is not approved, except an emergency through an explicit override with a
reason (projects.services.request_review.request_decide and the review page)."""

import datetime as dt
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from algoric.audit.models import AuditEvent
from algoric.notifications.models import Notification
from members.models import Membership, OrganisationKind
from members.services import organisation_access_status
from projects.models import Allocation, RequestEvent, ResourceRequest
from projects.selectors.requests import request_table
from projects.services import request_review as review_services
from projects.services import requests as services

from ..factories import OrganisationFactory, OrganisationMemberFactory, ProjectFactory, StaffFactory
from . import test_request_views as applicant
from .test_request_views import en, text
from .test_staff_request_views import granted_post, submit

pytestmark = pytest.mark.django_db
Status = ResourceRequest.Status
D = Decimal

catalogue = applicant.catalogue
project = applicant.project
pi = applicant.pi
draft = applicant.draft


@pytest.fixture
def submitted(draft, catalogue, pi):
    return submit(draft, catalogue, pi)


@pytest.fixture
def emergency(catalogue):
    """A submitted emergency request of a town hall (public body) for 20 000 CPU hours."""
    town = OrganisationFactory(kind=OrganisationKind.PUBLIC_BODY, name="Mairie d'Auray")
    town.representative = OrganisationMemberFactory(organisation=town,
                                                    role="representative").user
    project = ProjectFactory(organisation=town, acronym="CrueLoch", pi=town.representative)
    request = services.request_create(project=project, kind="emergency",
                                      actor=town.representative)
    return submit(request, catalogue, town.representative,
                  table={(catalogue["cpu"].pk, project.starts_on.year): D("20000")})


def make_unpaid(organisation):
    """The organisation's membership of this year goes back to unpaid: no access today."""
    Membership.objects.filter(organisation=organisation).update(
        status="pending", paid_on=None, payment_reference="")
    assert not organisation_access_status(organisation=organisation).allowed


def unpaid_message(organisation) -> str:
    return str(organisation_access_status(organisation=organisation).blocking_reasons[0].message)


def decide(request, staff, **extra):
    return review_services.request_decide(request=request, granted=request_table(request),
                                          note="", actor=staff, version=request.version,
                                          **extra)


def nothing_written(request):
    fresh = ResourceRequest.objects.get(pk=request.pk)
    assert fresh.status == Status.SUBMITTED and fresh.version == request.version
    assert not Allocation.objects.exists()
    assert not RequestEvent.objects.filter(request=request, to_status__in=[
        Status.APPROVED, Status.PARTIALLY_APPROVED]).exists()
    assert not AuditEvent.objects.filter(action__startswith="request.").exists()
    assert not Notification.objects.filter(event="request_decided").exists()


# --- The service -----------------------------------------------------------------------------

def test_approving_a_request_of_an_organisation_without_access_is_refused(submitted):
    organisation = submitted.project.organisation
    make_unpaid(organisation)
    staff = StaffFactory(mfa=True)
    with pytest.raises(ValidationError) as refused:
        decide(submitted, staff)
    assert unpaid_message(organisation) in refused.value.messages
    nothing_written(submitted)
    # an override is for emergencies only
    with pytest.raises(ValidationError):
        decide(submitted, staff, access_override=True, override_reason="Urgent.")
    nothing_written(submitted)


def test_partial_approval_is_refused_too_and_rejection_stays_possible(submitted, catalogue):
    make_unpaid(submitted.project.organisation)
    staff = StaffFactory(mfa=True)
    granted = request_table(submitted)
    granted[(catalogue["cpu"].pk, submitted.project.starts_on.year)] = D("1000")
    with pytest.raises(ValidationError):
        review_services.request_decide(request=submitted, granted=granted, note="",
                                       actor=staff, version=submitted.version)
    nothing_written(submitted)
    rejected = review_services.request_reject(request=submitted, note="Adhésion impayée.",
                                              actor=staff, version=submitted.version)
    assert rejected.status == Status.REJECTED


def test_emergency_without_access_needs_the_override_and_its_reason(emergency):
    organisation = emergency.project.organisation
    make_unpaid(organisation)
    staff = StaffFactory(mfa=True)
    with pytest.raises(ValidationError) as no_override:
        decide(emergency, staff)
    assert unpaid_message(organisation) in no_override.value.messages
    with pytest.raises(ValidationError):
        decide(emergency, staff, access_override=True, override_reason="  ")
    with pytest.raises(ValidationError):  # still time-boxed
        decide(emergency, staff, access_override=True, override_reason="Crue du Loch.",
               emergency_ends_on=timezone.localdate()
               + dt.timedelta(days=settings.EMERGENCY_GRANT_MAX_DAYS + 1))
    nothing_written(emergency)


def test_emergency_override_grants_time_boxed_and_is_audited(emergency):
    make_unpaid(emergency.project.organisation)
    staff = StaffFactory(mfa=True)
    decided = decide(emergency, staff, access_override=True, override_reason="Crue du Loch.")
    assert decided.status == Status.APPROVED
    allocation = Allocation.objects.get(project=emergency.project)
    limit = timezone.localdate() + dt.timedelta(days=settings.EMERGENCY_GRANT_MAX_DAYS)
    assert (allocation.starts_on, allocation.ends_on) == (timezone.localdate(), limit)
    override = AuditEvent.objects.get(action="request.access_override")
    assert override.actor == staff and override.target_id == str(emergency.pk)
    assert override.detail["override_reason"] == "Crue du Loch."
    assert set(override.detail["reasons"]) == {"membership_unpaid"}
    assert AuditEvent.objects.filter(action="request.granted").count() == 1


def test_no_override_is_recorded_when_the_organisation_has_access(emergency):
    staff = StaffFactory(mfa=True)
    decide(emergency, staff, access_override=True, override_reason="Par précaution.")
    assert not AuditEvent.objects.filter(action="request.access_override").exists()


# --- The review page ------------------------------------------------------------------------

def test_review_page_says_why_a_request_without_access_cannot_be_approved(
        client, staff_with_mfa, submitted):
    make_unpaid(submitted.project.organisation)
    client.force_login(staff_with_mfa)
    page = client.get(en("projects:staff_request_review", submitted.pk))
    with translation.override("en"):
        reason = unpaid_message(submitted.project.organisation)
    assert text(page).count(reason) >= 2  # in "Access today" and in the decision form
    assert 'id="approval-blocked"' in text(page)
    assert 'name="access_override"' not in text(page)


def test_posting_an_approval_without_access_shows_the_reasons(client, staff_with_mfa,
                                                              submitted, catalogue):
    make_unpaid(submitted.project.organisation)
    client.force_login(staff_with_mfa)
    response = client.post(en("projects:staff_request_decide", submitted.pk),
                           granted_post(submitted, catalogue))
    assert response.status_code == HTTPStatus.OK
    with translation.override("en"):
        assert unpaid_message(submitted.project.organisation) in text(response)
    nothing_written(submitted)


def test_review_page_offers_the_override_for_an_emergency_without_access(
        client, staff_with_mfa, emergency, catalogue):
    make_unpaid(emergency.project.organisation)
    client.force_login(staff_with_mfa)
    page = client.get(en("projects:staff_request_review", emergency.pk))
    assert 'name="access_override"' in text(page) and 'name="override_reason"' in text(page)
    assert 'id="approval-blocked"' not in text(page)
    url = en("projects:staff_request_decide", emergency.pk)
    no_reason = client.post(url, {**granted_post(emergency, catalogue), "access_override": "on"})
    assert no_reason.status_code == HTTPStatus.OK
    assert "Give the reason for overriding the access rule." in text(no_reason)
    nothing_written(emergency)
    granted = client.post(url, {**granted_post(emergency, catalogue), "access_override": "on",
                                "override_reason": "Crue du Loch en cours."})
    assert granted.status_code == HTTPStatus.FOUND
    assert AuditEvent.objects.get(action="request.access_override").detail[
        "override_reason"] == "Crue du Loch en cours."


def test_review_page_shows_the_membership_grace_warning(client, staff_with_mfa, submitted,
                                                       monkeypatch):
    """Seen on 5 January next year: this year's membership is paid, next year's not opened
    yet, so the organisation is in grace and the page shows the warning."""
    next_year_day = dt.date(timezone.localdate().year + 1, 1, 5)
    monkeypatch.setattr(
        "projects.views.staff.requests.organisation_access_status",
        lambda *, organisation: organisation_access_status(organisation=organisation,
                                                           on_date=next_year_day))
    client.force_login(staff_with_mfa)
    page = client.get(en("projects:staff_request_review", submitted.pk))
    with translation.override("en"):
        grace = organisation_access_status(organisation=submitted.project.organisation,
                                           on_date=next_year_day)
    assert grace.allowed and "membership_grace" in {r.code for r in grace.reasons}
    for reason in grace.reasons:
        assert str(reason.message) in text(page)
    assert 'id="approval-blocked"' not in text(page)


# --- Submission: the emergency fast track ---------------------------------------------------

def _saved(request, catalogue, actor, amount):
    return services.request_save(
        request=request, table={(catalogue["cpu"].pk, request.project.starts_on.year): amount},
        justification="Crue du Loch.", row_justifications={catalogue["cpu"].pk: "Modèle."},
        actor=actor)


def test_an_emergency_reaches_staff_without_access_an_ordinary_request_does_not(catalogue):
    town = OrganisationFactory(kind=OrganisationKind.PUBLIC_BODY, name="Mairie de Pluvigner")
    representative = OrganisationMemberFactory(organisation=town, role="representative").user
    project = ProjectFactory(organisation=town, acronym="CrueLoch", pi=representative)
    assert not organisation_access_status(organisation=town).allowed
    StaffFactory(mfa=True)

    ordinary = _saved(services.request_create(project=project, kind="new",
                                              actor=representative), catalogue,
                      representative, D("1000"))
    with pytest.raises(ValidationError):
        services.request_submit(request=ordinary, actor=representative)
    assert ResourceRequest.objects.get(pk=ordinary.pk).status == Status.DRAFT

    emergency = _saved(services.request_create(project=project, kind="emergency",
                                               actor=representative), catalogue,
                       representative, D("20000"))
    submitted = services.request_submit(request=emergency, actor=representative)
    assert submitted.status == Status.SUBMITTED
    assert Notification.objects.filter(event="request_emergency").exists()
