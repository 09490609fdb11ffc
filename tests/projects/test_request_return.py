"""Staff return a request for changes: the service (the table, the note, the version, the
notifications, the audit trail, nothing written on refusal), the pages of staff and of the
applicants (edit and submit again), and the queue listing returned requests apart."""

from decimal import Decimal
from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from algoric.audit.models import AuditEvent
from algoric.core.workflow import TransitionError
from algoric.notifications.models import Notification
from projects.models import RequestEvent, ResourceRequest
from projects.reports.centre import _requests_section
from projects.selectors.requests import request_queue, request_table, requests_returned
from projects.services import request_review as review_services
from projects.services import requests as services
from projects.services.requests import ALLOWED

from ..factories import StaffFactory, UserFactory
from . import test_request_views as applicant
from .test_request_views import en, message_texts, table_post, text
from .test_staff_request_views import submit

pytestmark = pytest.mark.django_db
Status = ResourceRequest.Status
D = Decimal
NOTE = "Précisez le besoin GPU de la deuxième année."

catalogue = applicant.catalogue
project = applicant.project
pi = applicant.pi
draft = applicant.draft


@pytest.fixture
def submitted(draft, catalogue, pi):
    return submit(draft, catalogue, pi)


@pytest.fixture
def staff():
    """A staff member who may act and reads English (the messages' texts are checked)."""
    return StaffFactory(mfa=True, language="en")


def returned_to(request, staff, note=NOTE):
    return review_services.request_return_for_changes(request=request, note=note, actor=staff,
                                                      version=request.version)


def writes(request) -> tuple:
    """What a refused return must leave alone: the status, the version, the events, the
    notifications and the audit rows."""
    request = ResourceRequest.objects.get(pk=request.pk)
    return (request.status, request.version, RequestEvent.objects.count(),
            Notification.objects.count(), AuditEvent.objects.count())


# --- The workflow table ---------------------------------------------------------------------

def test_the_table_returns_only_open_requests_and_takes_them_back_to_submitted_or_withdrawn():
    returnable = {status for status, targets in ALLOWED.items()
                  if Status.CHANGES_REQUESTED in targets}
    assert returnable == {Status.SUBMITTED, Status.UNDER_REVIEW}
    assert ALLOWED[Status.CHANGES_REQUESTED] == {Status.SUBMITTED, Status.WITHDRAWN}


# --- The service ----------------------------------------------------------------------------

@pytest.mark.parametrize("under_review", [False, True])
def test_staff_return_a_request_with_a_note_kept_on_the_event(submitted, staff, under_review):
    if under_review:
        submitted = review_services.request_start_review(request=submitted, actor=staff)
    returned = returned_to(submitted, staff)
    assert returned.status == Status.CHANGES_REQUESTED
    assert returned.version == submitted.version + 1
    event = RequestEvent.objects.filter(request=returned).last()
    assert (event.to_status, event.note, event.actor) == (Status.CHANGES_REQUESTED, NOTE, staff)


def test_the_pi_and_managers_are_notified_and_the_return_is_audited(submitted, staff, pi):
    returned_to(submitted, staff)
    notes = Notification.objects.filter(event="request_returned")
    assert {n.recipient for n in notes} == {pi, submitted.project.manager}
    assert all(NOTE in n.body for n in notes)
    assert all(submitted.project.acronym in n.subject for n in notes)
    audit = AuditEvent.objects.get(action="request.returned")
    assert audit.actor == staff and audit.detail["note"] == NOTE


@pytest.mark.parametrize("note", ["", "   "])
def test_a_return_without_a_note_is_refused_and_writes_nothing(submitted, staff, note):
    before = writes(submitted)
    with pytest.raises(ValidationError):
        returned_to(submitted, staff, note=note)
    assert writes(submitted) == before


def test_a_return_on_a_stale_version_is_refused_and_writes_nothing(submitted, staff, pi):
    seen = submitted.version
    services.request_comment(request=submitted, body="Une question ?", actor=staff)
    review_services.request_start_review(request=submitted, actor=staff)
    before = writes(submitted)
    with pytest.raises(TransitionError):
        review_services.request_return_for_changes(request=submitted, note=NOTE, actor=staff,
                                                   version=seen)
    assert writes(submitted) == before


def test_only_verified_staff_return_a_request(submitted, pi):
    before = writes(submitted)
    for actor in (pi, StaffFactory(), UserFactory()):
        with pytest.raises(PermissionDenied):
            returned_to(submitted, actor)
    assert writes(submitted) == before


@pytest.mark.parametrize("status", [Status.DRAFT, Status.APPROVED, Status.REJECTED,
                                    Status.WITHDRAWN, Status.CHANGES_REQUESTED])
def test_a_request_that_is_not_open_cannot_be_returned(submitted, staff, status):
    ResourceRequest.objects.filter(pk=submitted.pk).update(status=status)
    submitted.refresh_from_db()
    before = writes(submitted)
    with pytest.raises(TransitionError):
        returned_to(submitted, staff)
    assert writes(submitted) == before


def test_the_applicant_edits_a_returned_request_and_submits_it_again(submitted, staff, pi,
                                                                    catalogue):
    returned = returned_to(submitted, staff)
    year = submitted.project.starts_on.year
    table = {(catalogue["cpu"].pk, year): D("80000"), (catalogue["gpu"].pk, year + 1): D("1500")}
    services.request_save(request=returned, table=table, justification="Besoin GPU précisé.",
                          row_justifications={catalogue["gpu"].pk: "Runs couplés."}, actor=pi)
    again = services.request_submit(request=ResourceRequest.objects.get(pk=returned.pk),
                                    actor=pi)
    assert again.status == Status.SUBMITTED
    assert request_table(again) == table
    # ``staff`` joined after the first submission: this is the resubmission's message.
    staff_note = Notification.objects.get(event="request_submitted", recipient=staff)
    assert "submitted again" in staff_note.body


def test_a_submitted_request_still_cannot_be_edited(submitted, pi, catalogue):
    with pytest.raises(TransitionError):
        services.request_save(request=submitted, table={}, justification="x",
                              row_justifications={}, actor=pi)


def test_a_returned_request_may_be_withdrawn(submitted, staff, pi):
    returned = returned_to(submitted, staff)
    assert services.request_withdraw(request=returned, actor=pi).status == Status.WITHDRAWN


# --- The queue ------------------------------------------------------------------------------

def test_the_queue_lists_returned_requests_apart(client, submitted, staff, draft, project, pi,
                                                 catalogue, staff_with_mfa):
    other = submit(services.request_create(project=project, kind="new", actor=pi),
                   catalogue, pi)
    returned_to(submitted, staff)
    assert list(request_queue()) == [other]
    assert requests_returned() == [submitted]
    client.force_login(staff_with_mfa)
    page = text(client.get(en("projects:staff_request_queue")))
    waiting, returned_part = page.split("Returned for changes", 1)
    review = reverse("projects:staff_request_review", args=[submitted.pk])
    assert review not in waiting and review in returned_part
    assert reverse("projects:staff_request_review", args=[other.pk]) in waiting


# --- The pages ------------------------------------------------------------------------------

def test_staff_return_a_request_from_the_review_page(client, submitted, staff_with_mfa, pi,
                                                     django_capture_on_commit_callbacks):
    client.force_login(staff_with_mfa)
    page = text(client.get(en("projects:staff_request_review", submitted.pk)))
    assert reverse("projects:staff_request_return", args=[submitted.pk]) in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(en("projects:staff_request_return", submitted.pk),
                               {"note": NOTE, "version": submitted.version})
    assert response.status_code == HTTPStatus.FOUND
    submitted.refresh_from_db()
    assert submitted.status == Status.CHANGES_REQUESTED
    assert Notification.objects.filter(event="request_returned", recipient=pi).exists()
    page = text(client.get(en("projects:staff_request_review", submitted.pk)))
    assert 'id="returned-note"' in page and "deuxième année" in page


def test_a_return_without_a_note_shows_the_form_again(client, submitted, staff_with_mfa):
    client.force_login(staff_with_mfa)
    response = client.post(en("projects:staff_request_return", submitted.pk),
                           {"note": " ", "version": submitted.version})
    assert response.status_code == HTTPStatus.OK
    assert ResourceRequest.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_a_stale_return_is_409(client, submitted, staff_with_mfa):
    client.force_login(staff_with_mfa)
    response = client.post(en("projects:staff_request_return", submitted.pk),
                           {"note": NOTE, "version": submitted.version - 1})
    assert response.status_code == HTTPStatus.CONFLICT
    assert ResourceRequest.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_the_pi_sees_the_note_edits_and_submits_again(client, submitted, staff, pi, catalogue,
                                                      django_capture_on_commit_callbacks):
    returned_to(submitted, staff)
    client.force_login(pi)
    page = text(client.get(en("projects:request_detail", submitted.pk)))
    assert 'id="returned-note"' in page and "deuxième année" in page
    assert reverse("projects:request_edit", args=[submitted.pk]) in page
    assert reverse("projects:request_submit", args=[submitted.pk]) in page
    edit = client.get(en("projects:request_edit", submitted.pk))
    assert edit.status_code == HTTPStatus.OK and "deuxième année" in text(edit)
    year = submitted.project.starts_on.year
    response = client.post(en("projects:request_edit", submitted.pk),
                           table_post(catalogue, year, save="1"))
    assert response.status_code == HTTPStatus.FOUND
    assert "Submit the request again" in message_texts(response)[0]
    assert request_table(submitted)[(catalogue["disk"].pk, year + 1)] == D("2.5")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(en("projects:request_submit", submitted.pk))
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert Notification.objects.filter(event="request_submitted", recipient=staff).count() == 1
    page = text(client.get(en("projects:request_detail", submitted.pk)))
    assert 'id="returned-note"' not in page


def test_a_member_without_the_role_cannot_edit_or_resubmit(client, submitted, staff, catalogue):
    returned_to(submitted, staff)
    member = submitted.project.member
    client.force_login(member)
    page = text(client.get(en("projects:request_detail", submitted.pk)))
    assert reverse("projects:request_submit", args=[submitted.pk]) not in page
    assert client.get(en("projects:request_edit", submitted.pk)).status_code == \
        HTTPStatus.FORBIDDEN
    client.post(en("projects:request_submit", submitted.pk))
    assert ResourceRequest.objects.get(pk=submitted.pk).status == Status.CHANGES_REQUESTED


def test_the_applicants_cannot_return_their_own_request(client, submitted, pi):
    client.force_login(pi)
    response = client.post(en("projects:staff_request_return", submitted.pk),
                           {"note": NOTE, "version": submitted.version})
    assert response.status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.FOUND, HTTPStatus.NOT_FOUND)
    assert ResourceRequest.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_the_centre_report_counts_a_returned_request_as_waiting(submitted, staff):
    returned_to(submitted, staff)
    year = submitted.submitted_at.year
    requests_table = _requests_section(year=year).tables[0]
    assert requests_table.total[-1] == 1  # "Waiting": no decision yet
