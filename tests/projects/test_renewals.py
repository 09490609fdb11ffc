"""Renewals: a new request prefilled from the last granted table moved to the next years,
the use of the past year beside each cell (from the usage summaries), the activity report
without which it is not submitted, and what staff see of it."""

from decimal import Decimal
from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from algoric.core.workflow import TransitionError
from projects.models import ActivityReport, ResourceRequest
from projects.selectors.lifecycle import renewal_past_use, renewal_shift
from projects.selectors.requests import request_table
from projects.services import renewals
from projects.services import request_review as review_services
from projects.services import requests as services

from ..factories import ResearchOutputFactory, StaffFactory, UserFactory, allow
from .test_request_views import en, message_texts, text
from .usage_helpers import YEAR, add_member, make_resources, summary

pytestmark = pytest.mark.django_db
Status = ResourceRequest.Status
Kind = ResourceRequest.Kind
D = Decimal
REPORT = {"work": "Trois campagnes de houle.", "results": "Deux articles.",
          "problems": "Aucun."}


@pytest.fixture
def cpu_gpu(db):
    return make_resources()


@pytest.fixture
def staff():
    return StaffFactory(mfa=True, language="en")


def granted_request(project, table, staff, *, granted=None, kind="new"):
    """A request of ``kind`` for ``table`` submitted by the PI and granted by ``staff``
    (``granted``: the granted table, default all)."""
    if not project.organisation.agreements.filter(status="active").exists():
        allow(project.organisation)
    pi = project.pi
    request = services.request_create(project=project, kind=kind, actor=pi)
    request = services.request_save(request=request, table=table, justification="Houle.",
                                    row_justifications={rid: "Runs." for rid, _y in table},
                                    actor=pi)
    request = services.request_submit(request=request, actor=pi)
    return review_services.request_decide(request=request, granted=granted or table, note="",
                                          actor=staff, version=request.version)


@pytest.fixture
def granted(project, cpu_gpu, staff):
    cpu, gpu = cpu_gpu
    return granted_request(project, {(cpu.pk, YEAR): D("100000"), (gpu.pk, YEAR): D("2000")},
                           staff, granted={(cpu.pk, YEAR): D("80000"),
                                           (gpu.pk, YEAR): D("2000")})


# --- Opening a renewal ----------------------------------------------------------------------

def test_a_renewal_starts_from_the_granted_table_moved_to_the_next_year(project, granted,
                                                                         cpu_gpu):
    cpu, gpu = cpu_gpu
    renewal = renewals.request_renew(project=project, actor=project.pi)
    assert renewal.kind == Kind.RENEWAL and renewal.status == Status.DRAFT
    assert renewal.renews == granted
    # the GRANTED amounts (80 000, not the 100 000 asked), one year later
    assert request_table(renewal) == {(cpu.pk, YEAR + 1): D("80000"),
                                      (gpu.pk, YEAR + 1): D("2000")}
    assert {row.justification for row in renewal.rows.all()} == {"Runs."}
    assert renewal.justification == "Houle."
    report = renewal.activity_report
    assert (report.period_start.year, report.period_end.year) == (YEAR, YEAR)
    assert report.missing  # empty until written
    # The event's note is written in the language of the one who opened the renewal.
    assert renewal.events.get().note.startswith(("Renewal of request", "Renouvellement de la"))


def test_a_two_year_grant_is_moved_by_two_years_and_cells_past_the_project_dropped(
        project, cpu_gpu, staff):
    cpu, _gpu = cpu_gpu
    project.ends_on = project.ends_on.replace(year=YEAR + 2)
    project.save()
    request = granted_request(project, {(cpu.pk, YEAR): D("10"), (cpu.pk, YEAR + 1): D("20")},
                              staff)
    assert renewal_shift(request) == 2
    renewal = renewals.request_renew(project=project, actor=project.pi)
    # YEAR → YEAR + 2 is in the project; YEAR + 1 → YEAR + 3 is not
    assert request_table(renewal) == {(cpu.pk, YEAR + 2): D("10")}


@pytest.mark.usefixtures("english")
def test_renewal_refusals(project, cpu_gpu, staff):
    with pytest.raises(ValidationError, match="Nothing was granted"):
        renewals.request_renew(project=project, actor=project.pi)
    cpu, _gpu = cpu_gpu
    granted_request(project, {(cpu.pk, YEAR + 1): D("10")}, staff)
    with pytest.raises(ValidationError, match="no later year to renew"):
        renewals.request_renew(project=project, actor=project.pi)
    granted_request(project, {(cpu.pk, YEAR): D("10")}, staff)
    first = renewals.request_renew(project=project, actor=project.pi)
    with pytest.raises(ValidationError, match=f"Renewal #{first.pk} .* already open"):
        renewals.request_renew(project=project, actor=project.pi)
    with pytest.raises(PermissionDenied):
        renewals.request_renew(project=project, actor=add_member(project))
    assert project.requests.filter(kind=Kind.RENEWAL).count() == 1


# --- The activity report --------------------------------------------------------------------

@pytest.mark.usefixtures("english")
def test_a_renewal_is_not_submitted_without_its_activity_report(project, granted):
    renewal = renewals.request_renew(project=project, actor=project.pi)
    with pytest.raises(ValidationError) as refused:
        services.request_submit(request=renewal, actor=project.pi)
    assert ("A renewal needs its activity report before it is submitted. Still to write: "
            "what was done, results, problems met.") in refused.value.messages
    renewals.activity_report_save(request=renewal, work="Trois campagnes.", results="",
                                  problems=" ", actor=project.pi)
    with pytest.raises(ValidationError, match="Still to write: results, problems met"):
        services.request_submit(request=renewal, actor=project.pi)
    assert ResourceRequest.objects.get(pk=renewal.pk).status == Status.DRAFT
    renewals.activity_report_save(request=renewal, actor=project.pi, **REPORT)
    submitted = services.request_submit(request=renewal, actor=project.pi)
    assert submitted.status == Status.SUBMITTED


@pytest.mark.usefixtures("english")
def test_the_activity_report_is_a_renewal_s_and_only_while_it_can_be_edited(project, granted,
                                                                             staff):
    with pytest.raises(ValidationError, match="Only a renewal"):
        renewals.activity_report_save(request=granted, actor=project.pi, **REPORT)
    renewal = renewals.request_renew(project=project, actor=project.pi)
    with pytest.raises(PermissionDenied):
        renewals.activity_report_save(request=renewal, actor=add_member(project), **REPORT)
    with pytest.raises(ValidationError, match="at most 8000"):
        renewals.activity_report_save(request=renewal, actor=project.pi,
                                      **{**REPORT, "work": "x" * 8001})
    renewals.activity_report_save(request=renewal, actor=project.pi, **REPORT)
    submitted = services.request_submit(request=renewal, actor=project.pi)
    with pytest.raises(TransitionError):
        renewals.activity_report_save(request=submitted, actor=project.pi, **REPORT)
    # returned for changes: the report may be changed again, and the renewal resubmitted
    returned = review_services.request_return_for_changes(
        request=submitted, note="Détaillez les résultats.", actor=staff,
        version=submitted.version)
    renewals.activity_report_save(request=returned, actor=project.pi,
                                  **{**REPORT, "results": "Deux articles, une thèse."})
    assert ActivityReport.objects.get(request=returned).results == "Deux articles, une thèse."
    assert services.request_submit(request=returned, actor=project.pi).status == \
        Status.SUBMITTED


# --- The use of the past year ---------------------------------------------------------------

def test_each_cell_shows_the_use_of_the_year_it_continues(project, granted, cpu_gpu):
    cpu, gpu = cpu_gpu
    summary(month=2, core_hours=30000.0)
    summary(month=3, core_hours=10000.0)
    summary(month=3, partition="gpu", gpu_hours=500.0)
    summary(account="other", month=3, core_hours=99999.0)  # another project's
    renewal = renewals.request_renew(project=project, actor=project.pi)
    renewal = ResourceRequest.objects.select_related("renews", "project").get(pk=renewal.pk)
    with CaptureQueriesContext(connection) as queries:
        past = renewal_past_use(renewal)
    assert len(queries) <= 6  # summaries, never a scan of job records
    assert all("jobrecord" not in query["sql"].lower() for query in queries.captured_queries)
    assert past[(cpu.pk, YEAR + 1)].year == YEAR
    assert past[(cpu.pk, YEAR + 1)].used == 40000.0
    assert past[(cpu.pk, YEAR + 1)].granted == D("80000")
    assert past[(cpu.pk, YEAR + 1)].percent == 50.0
    assert past[(gpu.pk, YEAR + 1)].used == 500.0
    assert renewal_past_use(renewal.renews) == {}  # not a renewal


def test_the_renewal_table_page_shows_the_past_use_beside_each_cell(client, project, granted,
                                                                    cpu_gpu):
    cpu, _gpu = cpu_gpu
    summary(month=2, core_hours=40000.0)
    client.force_login(project.pi)
    response = client.post(en("projects:request_renew", project.pk))
    renewal = project.requests.get(kind=Kind.RENEWAL)
    assert response.url == en("projects:request_edit", renewal.pk)
    page = text(client.get(response.url))
    assert f'id="past_amount-{cpu.pk}-{YEAR + 1}"' in page
    assert f"{YEAR}: used 40,000 of 80,000 (50 %)" in page
    assert 'value="80000"' in page  # prefilled
    assert en("projects:activity_report_edit", renewal.pk) in page


# --- Pages ----------------------------------------------------------------------------------

def test_the_project_page_offers_the_renewal_to_leads_only(client, project, granted):
    client.force_login(project.pi)
    assert 'id="renew-button"' in text(client.get(en("projects:project_detail", project.pk)))
    client.force_login(add_member(project))
    assert 'id="renew-button"' not in text(client.get(en("projects:project_detail",
                                                         project.pk)))
    assert client.post(en("projects:request_renew", project.pk)).status_code == \
        HTTPStatus.FORBIDDEN


def test_choosing_renewal_in_the_kind_list_opens_a_prefilled_renewal(client, project, granted,
                                                                     cpu_gpu):
    client.force_login(project.pi)
    client.post(en("projects:request_create", project.pk), {"kind": "renewal"})
    renewal = project.requests.get(kind=Kind.RENEWAL)
    assert renewal.renews == granted and request_table(renewal)


def test_renewal_refused_on_the_page_with_its_reason(client, project):
    client.force_login(project.pi)
    response = client.post(en("projects:request_renew", project.pk))
    assert response.url == en("projects:project_detail", project.pk)
    assert any("Nothing was granted" in m for m in message_texts(response))


def test_write_the_activity_report_then_submit(client, project, granted):
    client.force_login(project.pi)
    client.post(en("projects:request_renew", project.pk))
    renewal = project.requests.get(kind=Kind.RENEWAL)
    response = client.post(en("projects:request_submit", renewal.pk))
    assert any("needs its activity report" in m for m in message_texts(response))
    page = text(client.get(en("projects:request_detail", renewal.pk)))
    assert "Not written yet" in page
    response = client.post(en("projects:activity_report_edit", renewal.pk), REPORT)
    assert response.url == en("projects:request_detail", renewal.pk)
    page = text(client.get(response.url))
    assert "Trois campagnes de houle." in page and "Deux articles." in page
    client.post(en("projects:request_submit", renewal.pk))
    assert ResourceRequest.objects.get(pk=renewal.pk).status == Status.SUBMITTED
    # submitted: the report page sends back to the request
    response = client.get(en("projects:activity_report_edit", renewal.pk))
    assert response.status_code == HTTPStatus.FOUND


def test_the_activity_report_page_is_for_leads(client, project, granted):
    renewal = renewals.request_renew(project=project, actor=project.pi)
    client.force_login(add_member(project))
    assert client.get(en("projects:activity_report_edit", renewal.pk)).status_code == \
        HTTPStatus.FORBIDDEN
    client.force_login(UserFactory())
    assert client.get(en("projects:activity_report_edit", renewal.pk)).status_code == \
        HTTPStatus.NOT_FOUND


def test_staff_read_the_activity_report_and_the_past_use_on_the_review_page(
        client, project, granted, staff_with_mfa):
    summary(month=2, core_hours=20000.0)
    renewal = renewals.request_renew(project=project, actor=project.pi)
    renewals.activity_report_save(request=renewal, actor=project.pi, **REPORT)
    services.request_submit(request=renewal, actor=project.pi)
    client.force_login(staff_with_mfa)
    page = text(client.get(en("projects:staff_request_review", renewal.pk)))
    assert "Activity report" in page
    assert "Trois campagnes de houle." in page and "Aucun." in page
    assert f"Renews request #{granted.pk}" in page
    assert f"{YEAR}: used 20,000 of 80,000 (25 %)" in page


def test_the_activity_report_lists_the_research_outputs_of_its_period(
        client, project, granted, staff_with_mfa):
    renewal = renewals.request_renew(project=project, actor=project.pi)
    renewals.activity_report_save(request=renewal, actor=project.pi, **REPORT)
    report = ActivityReport.objects.get(request=renewal)
    ResearchOutputFactory(projects=[project], year=report.period_start.year,
                          title="Houle de Quiberon, une saison")
    ResearchOutputFactory(projects=[project], year=report.period_start.year - 3,
                          title="Avant la période")
    ResearchOutputFactory(year=report.period_start.year, title="Celle d'un autre projet")
    client.force_login(project.pi)
    for page in (text(client.get(en("projects:request_detail", renewal.pk))),
                 text(client.get(en("projects:activity_report_edit", renewal.pk)))):
        assert "Research outputs of the period" in page
        assert "Houle de Quiberon, une saison" in page
        assert "Avant la période" not in page and "Celle d'un autre projet" not in page
    services.request_submit(request=renewal, actor=project.pi)
    client.force_login(staff_with_mfa)
    page = text(client.get(en("projects:staff_request_review", renewal.pk)))
    assert "Houle de Quiberon, une saison" in page and "Avant la période" not in page


def test_an_activity_report_with_no_output_of_its_period_says_so(client, project, granted):
    renewal = renewals.request_renew(project=project, actor=project.pi)
    renewals.activity_report_save(request=renewal, actor=project.pi, **REPORT)
    client.force_login(project.pi)
    page = text(client.get(en("projects:request_detail", renewal.pk)))
    assert "No research output of these years is recorded on the project." in page
