"""The staff lists of all projects and all allocations: search, filters, sorting, the CSV
export and its guard against formulas, who may see them, and a number of queries that does
not grow with the number of projects."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from members.models import Organisation, OrganisationKind
from projects.models import Allocation, Project
from projects.views.staff.lists import csv_cell
from resources.models import UsageSummary

from ..factories import (
    AgreementFactory,
    MembershipFactory,
    OrganisationFactory,
    ProjectFactory,
    TermsTemplateFactory,
    UsageSummaryFactory,
    UserFactory,
)
from .usage_helpers import CLUSTER, YEAR, allocate, make_project, make_resources, summary


def en(name, *args):
    """The English URL of ``name`` (the page then answers in English)."""
    with translation.override("en"):
        return reverse(name, args=args)


def with_access(organisation):
    """``organisation`` may use the centre today: this year's membership paid, an
    agreement active."""
    MembershipFactory(organisation=organisation, paid=True)
    AgreementFactory(organisation=organisation, active=True,
                     terms=TermsTemplateFactory(kind=organisation.kind))
    return organisation


@pytest.fixture
def centre(db):
    """Three projects and their allocations of this year (and one of last year):

    - HOULE (SME "Calcul Marin", access allowed, PI houle.pi@…): 1 000 core-hours, 850 used
      (85 %, near the grant);
    - CRUE (lab "Laboratoire des Crues", no membership: access refused): 1 000 core-hours,
      1 200 used (past the grant), and 500 GPU-hours last year;
    - VENT (the same SME, draft): no allocation.
    """
    cpu, gpu = make_resources()
    marin = with_access(OrganisationFactory(name="Calcul Marin", kind=OrganisationKind.SME))
    crues = OrganisationFactory(name="Laboratoire des Crues", kind=OrganisationKind.LAB)
    houle = make_project(marin, acronym="HOULE", slurm_account="houle",
                         pi=UserFactory(email="houle.pi@example.org"))
    crue = make_project(crues, acronym="CRUE", slurm_account="crue",
                        pi=UserFactory(email="crue.pi@example.org"))
    vent = make_project(marin, acronym="VENT", slurm_account="vent",
                        pi=UserFactory(email="vent.pi@example.org"),
                        status=Project.Status.DRAFT)
    houle_cpu = allocate(houle, cpu, 1000)
    crue_cpu = allocate(crue, cpu, 1000)
    crue_gpu = allocate(crue, gpu, 500, year=YEAR - 1, status=Allocation.Status.EXPIRED)
    summary(account="houle", core_hours=850.0)
    summary(account="crue", core_hours=1200.0)
    return {"cpu": cpu, "gpu": gpu, "houle": houle, "crue": crue, "vent": vent,
            "houle_cpu": houle_cpu, "crue_cpu": crue_cpu, "crue_gpu": crue_gpu}


def project_rows(response) -> list[str]:
    """The acronyms of the projects on the page, in their order."""
    assert response.status_code == HTTPStatus.OK
    return [row.record.acronym for row in response.context["table"].page.object_list]


def allocation_rows(response) -> list[tuple[str, str, int]]:
    """``(project acronym, resource name, year)`` of the allocations on the page."""
    assert response.status_code == HTTPStatus.OK
    return [(row.record.project.acronym, row.record.resource.name, row.record.year)
            for row in response.context["table"].page.object_list]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.content.decode())))


# --- Who may see them ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["projects:staff_project_list",
                                  "projects:staff_allocation_list"])
def test_staff_lists_refuse_non_staff_and_send_staff_without_totp_to_enrol(
        client, member, staff, name):
    client.force_login(member)
    assert client.get(reverse(name)).status_code == HTTPStatus.FORBIDDEN
    assert client.get(reverse(name), {"export": "csv"}).status_code == HTTPStatus.FORBIDDEN
    client.force_login(staff)
    response = client.get(reverse(name))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("mfa_activate_totp")


def test_staff_nav_and_dashboard_link_to_both_lists(staff_client):
    page = staff_client.get(en("members:staff_dashboard")).content.decode()
    assert en("projects:staff_project_list") in page
    assert en("projects:staff_allocation_list") in page


# --- All projects ----------------------------------------------------------------------

def test_project_list_shows_each_project_with_links_access_and_cpu_use(staff_client, centre):
    response = staff_client.get(en("projects:staff_project_list"))
    assert project_rows(response) == ["CRUE", "HOULE", "VENT"]
    page = response.content.decode()
    houle = centre["houle"]
    assert en("projects:project_detail", houle.pk) in page
    assert en("projects:project_usage", houle.pk) in page
    assert "houle.pi@example.org" in page
    assert "Laboratoire des Crues" in page
    assert "85 %" in page and "120 %" in page
    assert "badge text-bg-danger" in page and "No membership for" in page  # CRUE refused


@pytest.mark.parametrize(("query", "expected"), [
    ("houl", ["HOULE"]),                       # acronym
    ("Project CRUE", ["CRUE"]),                # title
    ("calcul marin", ["HOULE", "VENT"]),       # organisation name, any case
    ("crue.pi@", ["CRUE"]),                    # the PI's email
    ("nothing-like-it", []),
])
def test_project_list_search_matches_acronym_title_organisation_and_pi_email(
        staff_client, centre, query, expected):
    response = staff_client.get(en("projects:staff_project_list"), {"q": query})
    assert project_rows(response) == expected


@pytest.mark.parametrize(("params", "expected"), [
    ({"status": "draft"}, ["VENT"]),
    ({"status": "active"}, ["CRUE", "HOULE"]),
    ({"kind": "lab"}, ["CRUE"]),
    ({"kind": "sme"}, ["HOULE", "VENT"]),
    ({"year": YEAR}, ["CRUE", "HOULE"]),
    ({"year": YEAR - 1}, ["CRUE"]),
    ({"access": "allowed"}, ["HOULE", "VENT"]),
    ({"access": "refused"}, ["CRUE"]),
    ({"usage": "near"}, ["HOULE"]),
    ({"usage": "over"}, ["CRUE"]),
    ({"status": "active", "access": "allowed"}, ["HOULE"]),
])
def test_project_list_filters_narrow_as_they_say(staff_client, centre, params, expected):
    response = staff_client.get(en("projects:staff_project_list"), params)
    assert project_rows(response) == expected


def test_project_list_resource_filter_with_a_year_asks_one_allocation_of_both(
        staff_client, centre):
    gpu = centre["gpu"].pk
    url = en("projects:staff_project_list")
    assert project_rows(staff_client.get(url, {"resource": gpu})) == ["CRUE"]
    assert project_rows(staff_client.get(url, {"resource": gpu, "year": YEAR - 1})) == ["CRUE"]
    assert project_rows(staff_client.get(url, {"resource": gpu, "year": YEAR})) == []


def test_project_list_sorts_by_a_column(staff_client, centre):
    url = en("projects:staff_project_list")
    assert project_rows(staff_client.get(url, {"sort": "-acronym"})) == ["VENT", "HOULE", "CRUE"]
    by_organisation = project_rows(staff_client.get(url, {"sort": "organisation"}))
    assert set(by_organisation[:2]) == {"HOULE", "VENT"} and by_organisation[2] == "CRUE"
    assert project_rows(staff_client.get(url, {"sort": "-organisation"}))[0] == "CRUE"


def test_project_list_csv_has_the_filtered_rows_with_plain_values(staff_client, centre):
    response = staff_client.get(en("projects:staff_project_list"),
                                {"status": "active", "export": "csv"})
    rows = csv_rows(response)
    assert rows[0] == ["Acronym", "Title", "Organisation", "Kind", "Status", "PI",
                       "CPU granted (core-hours)", "CPU used (core-hours)",
                       "% used", "Access today"]
    assert rows[1:] == [
        ["CRUE", "Project CRUE", "Laboratoire des Crues", "lab", "active",
         "crue.pi@example.org", "1000.00", "1200.00", "120.00", "refused"],
        ["HOULE", "Project HOULE", "Calcul Marin", "sme", "active",
         "houle.pi@example.org", "1000.00", "850.00", "85.00", "allowed"],
    ]


def test_project_list_csv_neutralises_formulas(staff_client, centre):
    Project.objects.filter(pk=centre["houle"].pk).update(title='=HYPERLINK("http://x")')
    OrganisationFactory(name="@SUM(A1)")
    Organisation.objects.filter(pk=centre["crue"].organisation_id).update(name="+33 lab")
    rows = csv_rows(staff_client.get(en("projects:staff_project_list"), {"export": "csv"}))
    by_acronym = {row[0]: row for row in rows[1:]}
    assert by_acronym["HOULE"][1] == '\'=HYPERLINK("http://x")'
    assert by_acronym["CRUE"][2] == "'+33 lab"


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\tx", "'\tx"),
    ("plain", "plain"), (None, ""), (dt.date(2026, 3, 1), "2026-03-01"),
    (Decimal("1234.5"), "1234.50"), (-3.0, "-3.00"),
])
def test_csv_cells_are_plain_and_never_formulas(value, expected):
    assert csv_cell(value) == expected


# --- All allocations -------------------------------------------------------------------

def test_allocation_list_shows_granted_used_percent_and_end(staff_client, centre):
    response = staff_client.get(en("projects:staff_allocation_list"))
    assert allocation_rows(response) == [("CRUE", "Bigoudène CPU", YEAR),
                                         ("HOULE", "Bigoudène CPU", YEAR),
                                         ("CRUE", "Bigoudène GPU", YEAR - 1)]
    page = response.content.decode()
    assert en("projects:project_detail", centre["houle"].pk) in page
    assert "85 %" in page and "120 %" in page


@pytest.mark.parametrize(("params", "expected"), [
    ({"q": "houle"}, ["HOULE"]),
    ({"q": "crues"}, ["CRUE", "CRUE"]),
    ({"status": "expired"}, ["CRUE"]),
    ({"kind": "sme"}, ["HOULE"]),
    ({"year": YEAR - 1}, ["CRUE"]),
    ({"access": "allowed"}, ["HOULE"]),
    ({"access": "refused"}, ["CRUE", "CRUE"]),
    ({"usage": "near"}, ["HOULE"]),
    ({"usage": "over"}, ["CRUE"]),
])
def test_allocation_list_filters_narrow_as_they_say(staff_client, centre, params, expected):
    response = staff_client.get(en("projects:staff_allocation_list"), params)
    assert [acronym for acronym, _resource, _year in allocation_rows(response)] == expected


def test_allocation_list_filters_by_resource_and_sorts(staff_client, centre):
    url = en("projects:staff_allocation_list")
    assert allocation_rows(staff_client.get(url, {"resource": centre["gpu"].pk})) == [
        ("CRUE", "Bigoudène GPU", YEAR - 1)]
    assert [row[0] for row in allocation_rows(staff_client.get(url, {"sort": "-project"}))
            ][:1] == ["HOULE"]
    assert [row[2] for row in allocation_rows(staff_client.get(url, {"sort": "year"}))] == [
        YEAR - 1, YEAR, YEAR]


def test_allocation_use_is_read_in_the_allocations_own_year(staff_client, centre):
    summary(account="crue", partition="gpu", year=YEAR - 1, gpu_hours=450.0)
    rows = csv_rows(staff_client.get(en("projects:staff_allocation_list"),
                                     {"resource": centre["gpu"].pk, "export": "csv"}))
    assert rows[1][5:8] == ["500.00", "450.00", "90.00"]


def test_allocation_list_csv_has_iso_dates_and_dot_decimals(staff_client, centre):
    rows = csv_rows(staff_client.get(en("projects:staff_allocation_list"),
                                     {"q": "houle", "export": "csv"}))
    assert rows == [
        ["Resource", "Year", "Project", "Organisation", "Status", "Granted", "Used",
         "% used", "Ends on", "Access today"],
        ["Bigoudène CPU", str(YEAR), "HOULE", "Calcul Marin", "active", "1000.00", "850.00",
         "85.00", f"{YEAR}-12-31", "allowed"],
    ]


# --- A bounded number of queries -------------------------------------------------------

def build_centre(count: int, cpu) -> None:
    """``count`` more organisations (half with access), each with an active project, a CPU
    allocation of this year of 1 000 core-hours and a usage summary (85 %, 120 % or 10 %
    of it, in turn) — in bulk."""
    terms = TermsTemplateFactory()
    organisations = Organisation.objects.bulk_create(
        [OrganisationFactory.build() for _ in range(count)])
    MembershipFactory._meta.model.objects.bulk_create(
        [MembershipFactory.build(organisation=organisation, paid=True)
         for organisation in organisations[::2]])
    AgreementFactory._meta.model.objects.bulk_create(
        [AgreementFactory.build(organisation=organisation, terms=terms, active=True)
         for organisation in organisations[::2]])
    projects = Project.objects.bulk_create([
        ProjectFactory.build(organisation=organisation, created_by=None, pi_member=None,
                             status=Project.Status.ACTIVE) for organisation in organisations])
    Allocation.objects.bulk_create([
        Allocation(project=project, resource=cpu, year=YEAR, amount=Decimal(1000),
                   starts_on=dt.date(YEAR, 1, 1), ends_on=dt.date(YEAR, 12, 31))
        for project in projects])
    UsageSummary.objects.bulk_create([
        UsageSummaryFactory.build(cluster=CLUSTER, account=project.slurm_account,
                                  partition="cpu", core_hours=(850.0, 1200.0, 100.0)[index % 3])
        for index, project in enumerate(projects)])


def count_queries(client, url, params) -> int:
    """The queries of one GET of ``url`` (the page, or its CSV, is not empty)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == HTTPStatus.OK
    if "table" in (response.context or {}):
        assert response.context["table"].page.object_list
    else:
        assert len(csv_rows(response)) > 1
    return len(queries)


@pytest.mark.parametrize("name", ["projects:staff_project_list",
                                  "projects:staff_allocation_list"])
def test_staff_lists_answer_in_the_same_number_of_queries_for_10_and_300_projects(
        staff_client, name, settings):
    # Rendering is measured: no page is served from the signed-in page cache.
    settings.SIGNED_IN_PAGE_CACHE_SECONDS = 0
    cpu, _gpu = make_resources()
    url = en(name)
    filters = {"access": "allowed", "usage": "near", "q": "a", "resource": cpu.pk,
               "year": YEAR, "sort": "-year"}
    cases = [{}, {"export": "csv"}, filters, {**filters, "export": "csv"}]
    build_centre(10, cpu)
    small = [count_queries(staff_client, url, params) for params in cases]
    build_centre(290, cpu)
    large = [count_queries(staff_client, url, params) for params in cases]
    assert small == large
    assert max(large) <= 25, large
    page = staff_client.get(url)
    assert page.context["table"].paginator.count == 300
    assert len(page.context["table"].page.object_list) == 50
    export = csv_rows(staff_client.get(url, {"export": "csv"}))
    assert len(export) == 301


def test_every_page_shows_the_figures_of_its_own_rows_and_reads_only_those(staff_client):
    """Figures are read for the 50 rows of the page, so page 2's rows have theirs too, and
    a filter on access or use still sees every row."""
    cpu, _gpu = make_resources()
    build_centre(60, cpu)
    url = en("projects:staff_project_list")
    for page_number in (1, 2):
        response = staff_client.get(url, {"page": page_number})
        table = response.context["table"]
        shown = [row.record for row in table.page.object_list]
        assert shown
        assert set(table.figures.access) == {project.organisation_id for project in shown}
        assert set(table.figures.cpu_granted) == {project.pk for project in shown}
        for project in shown:
            expected = {"850": 85, "1200": 120, "100": 10}
            used = table.figures.cpu_used[project.pk]
            assert table.figures.cpu_percent(project.pk) == pytest.approx(
                expected[f"{used:.0f}"])
            assert table.figures.access_allowed(project.organisation_id) is not None
    # A filter on use needs every row's figure: 20 of the 60 projects are past their grant.
    over = staff_client.get(url, {"usage": "over"}).context["table"]
    assert over.paginator.count == 20
    allocations = staff_client.get(en("projects:staff_allocation_list"), {"page": 2})
    table = allocations.context["table"]
    for row in table.page.object_list:
        assert table.figures.allocation_percent(row.record) in (
            pytest.approx(85), pytest.approx(120), pytest.approx(10))
