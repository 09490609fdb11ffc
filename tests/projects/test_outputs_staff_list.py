"""The staff's list of every research output: who may see it, filters, CSV export with its
formula guard, and a number of queries that does not grow with the number of outputs."""

from __future__ import annotations

import csv
import io
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.factories import ResearchOutputFactory, StaffFactory

from .usage_helpers import make_project


def en(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


URL = "projects:outputs:staff_list"


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def two_projects(organisation):
    houle = make_project(organisation)
    derive = make_project(organisation, acronym="DERIVE", slurm_account="derive")
    ResearchOutputFactory(title="Houle spectrale", year=2024, hal_id="hal-04512345",
                          projects=[houle, derive])
    ResearchOutputFactory(title="Drifter tracks", kind="dataset", year=2023,
                          open_access="closed", projects=[derive])
    ResearchOutputFactory(title="=HYPERLINK(\"http://x\")", kind="software", year=2022,
                          doi="", projects=[houle])
    return houle, derive


@pytest.mark.django_db
def test_only_verified_staff_see_the_list(client, two_projects):
    url = en(URL)
    assert client.get(url).status_code == HTTPStatus.FOUND  # to the login page
    client.force_login(two_projects[0].pi)
    assert client.get(url).status_code == HTTPStatus.FORBIDDEN
    client.force_login(StaffFactory())  # staff without TOTP
    assert client.get(url).status_code in {HTTPStatus.FORBIDDEN, HTTPStatus.FOUND}


@pytest.mark.django_db
@pytest.mark.parametrize(("params", "titles"), [
    ({}, {"Houle spectrale", "Drifter tracks", "'=HYPERLINK(\"http://x\")"}),
    ({"kind": "dataset"}, {"Drifter tracks"}),
    ({"year": "2024"}, {"Houle spectrale"}),
    ({"open_access": "closed"}, {"Drifter tracks"}),
    ({"hal": "yes"}, {"Houle spectrale"}),
    ({"hal": "no"}, {"Drifter tracks", "'=HYPERLINK(\"http://x\")"}),
    ({"project": "houle"}, {"Houle spectrale", "'=HYPERLINK(\"http://x\")"}),
    ({"q": "drifter"}, {"Drifter tracks"}),
])
def test_filters(staff_client, two_projects, params, titles):
    rows = csv_rows(staff_client.get(en(URL), {**params, "export": "csv"}))
    assert {row[0] for row in rows[1:]} == titles


@pytest.mark.django_db
def test_the_csv_has_plain_values_and_neutralises_formulas(staff_client, two_projects):
    rows = csv_rows(staff_client.get(en(URL), {"export": "csv", "sort": "year"}))
    header = rows[0]
    assert header[:3] == ["Title", "Kind", "Year"]
    first = dict(zip(header, rows[1], strict=True))
    assert first["Title"] == "'=HYPERLINK(\"http://x\")"
    assert first["Kind"] == "software" and first["Projects"] == "HOULE"
    last = dict(zip(header, rows[-1], strict=True))
    assert last["Projects"] == "HOULE DERIVE" or set(last["Projects"].split()) == {
        "HOULE", "DERIVE"}
    assert last["Open access"] == "open" and last["HAL id"] == "hal-04512345"


def count_queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(en(URL), params)
    assert response.status_code == HTTPStatus.OK
    return len(queries)


@pytest.mark.django_db
def test_the_list_answers_in_the_same_number_of_queries_for_10_and_300_outputs(
        staff_client, organisation, settings):
    # Rendering is measured: no page is served from the signed-in page cache.
    settings.SIGNED_IN_PAGE_CACHE_SECONDS = 0
    houle = make_project(organisation)
    derive = make_project(organisation, acronym="DERIVE", slurm_account="derive")
    cases = [{}, {"export": "csv"}, {"kind": "article", "hal": "no", "q": "houle"},
             {"project": "houle", "export": "csv", "sort": "-year"}]
    for _ in range(10):
        ResearchOutputFactory(projects=[houle, derive])
    small = [count_queries(staff_client, params) for params in cases]
    for _ in range(290):
        ResearchOutputFactory(projects=[houle])
    large = [count_queries(staff_client, params) for params in cases]
    assert small == large
    assert max(large) <= 15, large
    page = staff_client.get(en(URL))
    assert page.context["table"].paginator.count == 300
    assert len(csv_rows(staff_client.get(en(URL), {"export": "csv"}))) == 301
