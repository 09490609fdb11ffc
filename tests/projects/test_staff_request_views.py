"""Staff pages of resource requests: the queue, the review page, decisions (partial approval,
limits, stale versions, rejection), comments, and suspending allocations."""

import datetime as dt
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from algoric.notifications.models import Notification
from members.models import OrganisationKind
from projects.models import Allocation, Project, RequestComment, ResourceRequest
from projects.selectors.requests import request_table
from projects.services import request_review as review_services
from projects.services import requests as services

from ..factories import (
    OrganisationFactory,
    OrganisationMemberFactory,
    ProjectFactory,
    StaffFactory,
    allow,
)
from . import test_request_views as applicant
from .test_request_views import en, text

pytestmark = pytest.mark.django_db
Status = ResourceRequest.Status
D = Decimal

# The applicant tests' fixtures: the catalogue (CPU, GPU, disk with power figures and
# prices), a three-year project of an SME, its PI and a draft request.
catalogue = applicant.catalogue
project = applicant.project
pi = applicant.pi
draft = applicant.draft


def three_year_table(catalogue, year) -> dict:
    """CPU 100 000 / 150 000 / 50 000 core-hours, GPU 1 000 / 2 000 / 500 GPU-hours,
    disk 2 TB the first year."""
    cpu, gpu, disk = catalogue["cpu"].pk, catalogue["gpu"].pk, catalogue["disk"].pk
    return {(cpu, year): D("100000"), (cpu, year + 1): D("150000"), (cpu, year + 2): D("50000"),
            (gpu, year): D("1000"), (gpu, year + 1): D("2000"), (gpu, year + 2): D("500"),
            (disk, year): D("2")}


def submit(resource_request, catalogue, actor, *, table=None):
    year = resource_request.project.starts_on.year
    project = resource_request.project
    if not project.organisation.agreements.filter(status="active").exists():
        allow(project.organisation)
    resource_request = services.request_save(
        request=resource_request, table=table or three_year_table(catalogue, year),
        justification="Trois ans de simulations.",
        row_justifications={catalogue["cpu"].pk: "Runs de houle."}, actor=actor)
    submitted = services.request_submit(request=resource_request, actor=actor)
    submitted.project = project
    return submitted


@pytest.fixture
def submitted(draft, catalogue, pi):
    return submit(draft, catalogue, pi)


def granted_post(resource_request, catalogue, *, version=None, note="Accordé.", **changes):
    """The decision form pre-filled with what was asked, with ``changes`` applied."""
    data = {f"granted-{rid}-{year}": str(amount)
            for (rid, year), amount in request_table(resource_request).items()}
    data.update(changes)
    data["version"] = str(version if version is not None else resource_request.version)
    data["note"] = note
    return data


# --- Queue ----------------------------------------------------------------------------------

def test_queue_puts_emergencies_first_then_the_oldest(client, staff_with_mfa, submitted,
                                                      catalogue):
    town = OrganisationFactory(kind=OrganisationKind.PUBLIC_BODY, name="Mairie d'Auray")
    town.representative = OrganisationMemberFactory(organisation=town,
                                                    role="representative").user
    town_project = ProjectFactory(organisation=town, acronym="CrueLoch",
                                  pi=town.representative, manager=True, member=True)
    later = services.request_create(project=submitted.project, kind="new",
                                    actor=submitted.project.organisation.representative)
    later = submit(later, catalogue, submitted.project.organisation.representative)
    emergency = services.request_create(project=town_project, kind="emergency",
                                        actor=town.representative)
    emergency = submit(emergency, catalogue, town.representative)
    client.force_login(staff_with_mfa)
    response = client.get(en("projects:staff_request_queue"))
    assert response.status_code == HTTPStatus.OK
    assert [item.pk for item in response.context["queue"]] == [emergency.pk, submitted.pk,
                                                               later.pk]
    page = text(response)
    assert "emergency" in page and "badge text-bg-danger" in page
    assert page.index("CrueLoch") < page.index("HouleGolfe")


def test_queue_is_for_staff_only(client, submitted, staff):
    client.force_login(submitted.project.organisation.representative)
    assert client.get(reverse("projects:staff_request_queue")).status_code == \
        HTTPStatus.FORBIDDEN
    client.force_login(staff)  # staff without two-factor authentication
    response = client.get(reverse("projects:staff_request_queue"))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("mfa_activate_totp")


def test_plain_users_cannot_decide(client, submitted, catalogue):
    client.force_login(submitted.project.organisation.representative)
    response = client.post(reverse("projects:staff_request_decide", args=[submitted.pk]),
                           granted_post(submitted, catalogue))
    assert response.status_code == HTTPStatus.FORBIDDEN
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


# --- Review page ----------------------------------------------------------------------------

def test_review_page_shows_the_fiche_the_table_and_a_prefilled_decision(
        client, staff_with_mfa, submitted, catalogue):
    client.force_login(staff_with_mfa)
    response = client.get(en("projects:staff_request_review", submitted.pk))
    assert response.status_code == HTTPStatus.OK
    page = text(response)
    year = submitted.project.starts_on.year
    assert "Houle et submersion du golfe" in page and "Access allowed" in page
    assert "Runs de houle." in page and "Trois ans de simulations." in page
    assert f'name="granted-{catalogue["cpu"].pk}-{year}" value="100000"' in page
    assert f'name="granted-{catalogue["disk"].pk}-{year + 1}"' not in page  # not asked
    assert f'name="version" value="{submitted.version}"' in page
    assert "Start review" in page and "emergency_ends_on" not in page
    assert "51.28" in page  # the energy constants


def test_start_review(client, staff_with_mfa, submitted):
    client.force_login(staff_with_mfa)
    response = client.post(reverse("projects:staff_request_start_review", args=[submitted.pk]))
    assert response.status_code == HTTPStatus.FOUND
    submitted.refresh_from_db()
    assert submitted.status == Status.UNDER_REVIEW


# --- Decisions ------------------------------------------------------------------------------

def test_lowering_one_cell_gives_partial_approval_and_allocations(
        client, staff_with_mfa, submitted, catalogue, django_capture_on_commit_callbacks):
    project = submitted.project
    year = project.starts_on.year
    cpu, gpu = catalogue["cpu"].pk, catalogue["gpu"].pk
    client.force_login(staff_with_mfa)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:staff_request_decide", args=[submitted.pk]),
            granted_post(submitted, catalogue, note="GPU limité en deuxième année.",
                         **{f"granted-{gpu}-{year + 1}": "1 200"}))
    assert response.status_code == HTTPStatus.FOUND
    submitted.refresh_from_db()
    assert submitted.status == Status.PARTIALLY_APPROVED
    assert submitted.decided_by == staff_with_mfa
    assert submitted.decision_note == "GPU limité en deuxième année."
    allocations = {(a.resource_id, a.year): a for a in Allocation.objects.filter(project=project)}
    assert len(allocations) == 7
    assert allocations[(gpu, year + 1)].amount == D("1200")
    assert allocations[(cpu, year)].amount == D("100000")
    # Dates: each calendar year clipped to the project (1 March → 30 June two years on).
    assert allocations[(cpu, year)].starts_on == dt.date(year, 3, 1)
    assert allocations[(cpu, year)].ends_on == dt.date(year, 12, 31)
    assert allocations[(cpu, year + 1)].starts_on == dt.date(year + 1, 1, 1)
    assert allocations[(cpu, year + 2)].ends_on == dt.date(year + 2, 6, 30)
    assert all(a.status == Allocation.Status.ACTIVE for a in allocations.values())
    assert Project.objects.get(pk=project.pk).status == Project.Status.ACTIVE
    pi = project.organisation.representative
    assert Notification.objects.filter(recipient=pi, event="request_decided").exists()
    assert any(pi.email in message.to for message in mail.outbox)

    # The applicant sees the lowered cell highlighted.
    client.force_login(pi)
    response = client.get(en("projects:request_detail", submitted.pk))
    page = text(response)
    assert "Partially approved" in page or "partially approved" in page
    assert "table-warning" in page and "asked 2,000" in page
    assert "GPU limité en deuxième année." in page
    assert "#allocations" in page


def test_granting_everything_approves(client, staff_with_mfa, submitted, catalogue):
    client.force_login(staff_with_mfa)
    client.post(reverse("projects:staff_request_decide", args=[submitted.pk]),
                granted_post(submitted, catalogue))
    submitted.refresh_from_db()
    assert submitted.status == Status.APPROVED


def test_granting_more_than_asked_is_refused(client, staff_with_mfa, submitted, catalogue):
    year = submitted.project.starts_on.year
    client.force_login(staff_with_mfa)
    response = client.post(
        en("projects:staff_request_decide", submitted.pk),
        granted_post(submitted, catalogue, **{f"granted-{catalogue['cpu'].pk}-{year}": "100001"}))
    assert response.status_code == HTTPStatus.OK
    assert "Nothing was changed" in text(response)
    assert 'value="100001"' in text(response)  # what was typed is kept
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert not Allocation.objects.exists()


def test_granting_a_cell_that_was_not_asked_is_refused(client, staff_with_mfa, submitted,
                                                       catalogue):
    year = submitted.project.starts_on.year
    client.force_login(staff_with_mfa)
    response = client.post(
        en("projects:staff_request_decide", submitted.pk),
        granted_post(submitted, catalogue,
                     **{f"granted-{catalogue['disk'].pk}-{year + 1}": "5"}))
    assert response.status_code == HTTPStatus.OK
    assert "not asked" in text(response)
    assert not Allocation.objects.exists()


@pytest.mark.parametrize("bad", ["beaucoup", "-1"])
def test_bad_granted_amount_is_refused(client, staff_with_mfa, submitted, catalogue, bad):
    year = submitted.project.starts_on.year
    client.force_login(staff_with_mfa)
    response = client.post(
        en("projects:staff_request_decide", submitted.pk),
        granted_post(submitted, catalogue, **{f"granted-{catalogue['gpu'].pk}-{year}": bad}))
    assert response.status_code == HTTPStatus.OK
    assert "is-invalid" in text(response)
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_stale_decision_is_refused(client, staff_with_mfa, submitted, catalogue):
    client.force_login(staff_with_mfa)
    page = client.get(reverse("projects:staff_request_review", args=[submitted.pk]))
    seen = page.context["decision_form"].initial["version"]
    # Meanwhile the request changes (another staff member starts the review).
    review_services.request_start_review(request=submitted, actor=StaffFactory(mfa=True))
    response = client.post(en("projects:staff_request_decide", submitted.pk),
                           granted_post(submitted, catalogue, version=seen))
    assert response.status_code == HTTPStatus.CONFLICT
    assert "changed since you opened it" in text(response)
    submitted.refresh_from_db()
    assert submitted.status == Status.UNDER_REVIEW
    assert not Allocation.objects.exists()
    # The page now carries the new version.
    assert response.context["decision_form"].initial["version"] == submitted.version


def test_reject_needs_a_note(client, staff_with_mfa, submitted, pi,
                             django_capture_on_commit_callbacks):
    client.force_login(staff_with_mfa)
    url = en("projects:staff_request_reject", submitted.pk)
    response = client.post(url, {"note": "  ", "version": submitted.version})
    assert response.status_code == HTTPStatus.OK
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"note": "Hors du périmètre de l'association.",
                                     "version": submitted.version})
    assert response.status_code == HTTPStatus.FOUND
    submitted.refresh_from_db()
    assert submitted.status == Status.REJECTED
    assert submitted.decision_note == "Hors du périmètre de l'association."
    assert not Allocation.objects.exists()
    assert any(pi.email in message.to for message in mail.outbox)


def test_decision_on_a_decided_request_is_409(client, staff_with_mfa, submitted, catalogue):
    client.force_login(staff_with_mfa)
    client.post(reverse("projects:staff_request_reject", args=[submitted.pk]),
                {"note": "Non.", "version": submitted.version})
    submitted.refresh_from_db()
    response = client.post(reverse("projects:staff_request_decide", args=[submitted.pk]),
                           granted_post(submitted, catalogue))
    assert response.status_code == HTTPStatus.CONFLICT
    submitted.refresh_from_db()
    assert submitted.status == Status.REJECTED


def test_emergency_grant_defaults_to_the_time_box(client, staff_with_mfa, catalogue):
    town = OrganisationFactory(kind=OrganisationKind.PUBLIC_BODY, name="Mairie d'Auray")
    town.representative = OrganisationMemberFactory(organisation=town,
                                                    role="representative").user
    project = ProjectFactory(organisation=town, acronym="CrueLoch", pi=town.representative,
                             manager=True, member=True)
    emergency = services.request_create(project=project, kind="emergency",
                                        actor=town.representative)
    year = project.starts_on.year
    emergency = submit(emergency, catalogue, town.representative,
                       table={(catalogue["cpu"].pk, year): D("20000")})
    client.force_login(staff_with_mfa)
    page = client.get(reverse("projects:staff_request_review", args=[emergency.pk]))
    limit = timezone.localdate() + dt.timedelta(days=settings.EMERGENCY_GRANT_MAX_DAYS)
    assert f'value="{limit.isoformat()}"' in text(page)
    too_late = (limit + dt.timedelta(days=1)).isoformat()
    response = client.post(reverse("projects:staff_request_decide", args=[emergency.pk]),
                           {**granted_post(emergency, catalogue), "emergency_ends_on": too_late})
    assert response.status_code == HTTPStatus.OK
    assert not Allocation.objects.exists()
    response = client.post(reverse("projects:staff_request_decide", args=[emergency.pk]),
                           {**granted_post(emergency, catalogue),
                            "emergency_ends_on": limit.isoformat()})
    assert response.status_code == HTTPStatus.FOUND
    allocation = Allocation.objects.get(project=project)
    assert allocation.starts_on == timezone.localdate() and allocation.ends_on == limit


# --- Comments and allocations ---------------------------------------------------------------

def test_staff_comment_is_marked_and_notifies_the_pi(client, staff_with_mfa, submitted,
                                                     django_capture_on_commit_callbacks):
    client.force_login(staff_with_mfa)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("projects:staff_request_comment", args=[submitted.pk]),
                               {"body": "Pouvez-vous détailler le besoin GPU ?"})
    assert response.status_code == HTTPStatus.FOUND
    comment = RequestComment.objects.get(request=submitted)
    assert comment.from_staff
    pi = submitted.project.organisation.representative
    assert any(pi.email in message.to for message in mail.outbox)
    page = text(client.get(en("projects:staff_request_review", submitted.pk)))
    assert "Algoric staff" in page and "détailler le besoin GPU" in page


def test_suspend_and_resume_an_allocation(client, staff_with_mfa, submitted, catalogue,
                                          django_capture_on_commit_callbacks):
    client.force_login(staff_with_mfa)
    client.post(reverse("projects:staff_request_decide", args=[submitted.pk]),
                granted_post(submitted, catalogue))
    allocation = Allocation.objects.filter(project=submitted.project).first()
    review = reverse("projects:staff_request_review", args=[submitted.pk])
    response = client.post(reverse("projects:staff_allocation_suspend", args=[allocation.pk]),
                           {"reason": "", "next": review})
    assert response.status_code == HTTPStatus.FOUND
    allocation.refresh_from_db()
    assert allocation.status == Allocation.Status.ACTIVE  # a reason is needed
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:staff_allocation_suspend", args=[allocation.pk]),
            {"reason": "Usage hors convention.", "next": review + "#allocations"})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == review + "#allocations"
    allocation.refresh_from_db()
    assert allocation.status == Allocation.Status.SUSPENDED
    pi = submitted.project.organisation.representative
    assert Notification.objects.filter(recipient=pi, event="allocation_suspended").exists()
    assert any(pi.email in message.to for message in mail.outbox)
    page = text(client.get(en("projects:staff_request_review", submitted.pk)))
    assert "Usage hors convention." in page and "Resume" in page

    response = client.post(reverse("projects:staff_allocation_resume", args=[allocation.pk]),
                           {"next": "https://evil.example/"})
    assert response.status_code == HTTPStatus.FOUND
    # next= stays on the site: without a valid one, the allocation's own page
    assert response.url == reverse("projects:staff_allocation_detail", args=[allocation.pk])
    allocation.refresh_from_db()
    assert allocation.status == Allocation.Status.ACTIVE


def test_suspend_is_staff_only(client, submitted, catalogue, staff_with_mfa):
    review_services.request_decide(request=submitted, granted=request_table(submitted),
                                   note="", actor=staff_with_mfa, version=submitted.version)
    allocation = Allocation.objects.first()
    client.force_login(submitted.project.organisation.representative)
    response = client.post(reverse("projects:staff_allocation_suspend", args=[allocation.pk]),
                           {"reason": "x"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    allocation.refresh_from_db()
    assert allocation.status == Allocation.Status.ACTIVE


@pytest.mark.parametrize("name", ["request_start_review", "request_decide", "request_reject",
                                  "request_comment"])
def test_get_on_staff_action_urls_is_405(client, staff_with_mfa, submitted, name):
    client.force_login(staff_with_mfa)
    response = client.get(reverse(f"projects:staff_{name}", args=[submitted.pk]))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_get_on_allocation_actions_is_405(client, staff_with_mfa, submitted):
    review_services.request_decide(request=submitted, granted=request_table(submitted),
                                   note="", actor=staff_with_mfa, version=submitted.version)
    allocation = Allocation.objects.first()
    client.force_login(staff_with_mfa)
    for name in ("allocation_suspend", "allocation_resume"):
        response = client.get(reverse(f"projects:staff_{name}", args=[allocation.pk]))
        assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
