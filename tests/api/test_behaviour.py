"""How the API behaves: one error shape with the forms' field errors, nothing half
written, 409 when the status moved on, throttling with ``Retry-After``, ETag and
Last-Modified on usage and reports, pagination, filters and ordering, the numbers of the
usage page, and a bounded number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from projects.models import (
    Allocation,
    Project,
    ProjectMember,
    ResourceRequest,
    ResourceRequestCell,
    ResourceRequestRow,
)
from projects.selectors.usage import project_usage

from ..factories import UserFactory
from ..projects.usage_helpers import make_resources, summary
from .conftest import bearer


def post(client, name, body, token, **kwargs):
    return client.post(reverse(name, kwargs=kwargs), data=json.dumps(body),
                       content_type="application/json", **bearer(token))


def test_project_form_errors_come_back_field_by_field(client, world, token):
    given = token(world.pi, "write")
    response = post(client, "api:project_list", {
        "organisation": world.organisation.pk, "title": "Courants", "acronym": "COURANT",
        "summary": "Courants.", "field": "earth", "starts_on": "2027-01-01",
        "ends_on": "2026-12-31"}, given)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["ends_on"]  # the ProjectForm's own rule and message
    assert not Project.objects.filter(acronym="COURANT").exists()


def test_a_bad_table_creates_no_draft(client, world, token):
    given = token(world.pi, "write")
    before = ResourceRequest.objects.count()
    response = post(client, "api:project_request_create", {
        "kind": "supplement", "justification": "x", "rows": [
            {"resource": world.resource.pk, "amounts": [{"year": 2099, "amount": "10"},
                                                         {"year": world.project.starts_on.year,
                                                          "amount": "-4"}]}]},
        given, pk=world.project.pk)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["fields"]["__all__"]
    assert ResourceRequest.objects.count() == before


def test_draft_request_round_trip_create_then_submit(client, world, token):
    given = token(world.pi, "read", "write")
    year = world.project.starts_on.year
    created = post(client, "api:project_request_create", {
        "kind": "supplement", "justification": "Des runs de plus.", "rows": [
            {"resource": world.resource.pk, "justification": "Runs.",
             "amounts": [{"year": year, "amount": "2,5"}]}]}, given, pk=world.project.pk)
    assert created.status_code == HTTPStatus.CREATED, created.content
    body = created.json()
    assert body["status"] == "draft" and body["kind"] == "supplement"
    assert body["rows"][0]["cells"] == [{"year": year, "requested": "2.50", "granted": None}]
    submitted = post(client, "api:request_submit", {}, given, pk=body["id"])
    assert submitted.status_code == HTTPStatus.OK and submitted.json()["status"] == "submitted"
    again = post(client, "api:request_submit", {}, given, pk=body["id"])
    assert again.status_code == HTTPStatus.CONFLICT
    assert again.json()["error"]["code"] == "conflict"


def test_staff_decision_with_a_stale_version_is_refused_with_409(client, world, token):
    given = token(world.staff, "staff", "read")
    body = {"version": world.submitted.version + 5, "granted": [
        {"resource": world.resource.pk,
         "amounts": [{"year": world.project.starts_on.year, "amount": "1000"}]}]}
    response = post(client, "api:staff_request_decide", body, given, pk=world.submitted.pk)
    assert response.status_code in {HTTPStatus.CONFLICT, HTTPStatus.BAD_REQUEST}
    world.submitted.refresh_from_db()
    assert world.submitted.status == "submitted"
    assert not Allocation.objects.filter(grants__request=world.submitted).exists()


def test_staff_decision_creates_the_allocations(client, world, token):
    given = token(world.staff, "staff", "read")
    body = {"version": world.submitted.version, "note": "OK", "granted": [
        {"resource": world.resource.pk,
         "amounts": [{"year": world.project.starts_on.year, "amount": "600"}]}]}
    response = post(client, "api:staff_request_decide", body, given, pk=world.submitted.pk)
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["status"] == "partially_approved"
    assert world.project.allocations.filter(resource=world.resource,
                                            grants__request=world.submitted,
                                            grants__amount=Decimal(600)).exists()


def test_malformed_json_gets_the_error_shape(client, world, token):
    given = token(world.pi, "write")
    response = client.post(reverse("api:project_list"), data="{nope",
                           content_type="application/json", **bearer(given))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"]["code"] == "parse_error"


def test_unknown_method_gets_405_in_the_error_shape(client, world, token):
    response = client.delete(reverse("api:me"), **bearer(token(world.pi, "write")))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response.json()["error"]["code"] == "method_not_allowed"


@pytest.fixture
def low_rates(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES",
                        {**api_settings.DEFAULT_THROTTLE_RATES, "token": "3/min",
                         "address": "2/min"})


@pytest.mark.usefixtures("low_rates")
def test_throttling_per_token_answers_429_with_retry_after(client, world, token):
    first, second = token(world.pi, "read"), token(world.pi, "read")
    for _ in range(3):
        assert client.get(reverse("api:me"), **bearer(first)).status_code == HTTPStatus.OK
    refused = client.get(reverse("api:me"), **bearer(first))
    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.json()["error"]["code"] == "throttled"
    assert client.get(reverse("api:me"), **bearer(second)).status_code == HTTPStatus.OK


@pytest.mark.usefixtures("low_rates")
def test_throttling_per_address_counts_anonymous_calls_and_refused_tokens(client, db):
    assert client.get(reverse("api:catalogue")).status_code == HTTPStatus.OK
    wrong = {"HTTP_AUTHORIZATION": "Bearer alg_deadbeef_nothing"}
    assert client.get(reverse("api:me"), **wrong).status_code == HTTPStatus.UNAUTHORIZED
    refused = client.get(reverse("api:me"), **wrong)
    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Retry-After" in refused.headers
    other = client.get(reverse("api:catalogue"), REMOTE_ADDR="192.0.2.99")
    assert other.status_code == HTTPStatus.OK


def test_usage_has_an_etag_and_answers_304_when_unchanged(client, world, token):
    given = token(world.pi, "read")
    url = reverse("api:project_usage", kwargs={"pk": world.project.pk})
    first = client.get(url, **bearer(given))
    etag = first.headers["ETag"]
    assert "private" in first.headers["Cache-Control"]
    assert "no-cache" in first.headers["Cache-Control"]
    me = client.get(reverse("api:me"), **bearer(given))
    assert "no-store" in me.headers["Cache-Control"] and "private" in me.headers["Cache-Control"]
    unchanged = client.get(url, HTTP_IF_NONE_MATCH=etag, **bearer(given))
    assert unchanged.status_code == HTTPStatus.NOT_MODIFIED and unchanged.content == b""
    summary(account=world.project.slurm_account, month=1, core_hours=12.0)
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag, **bearer(given))
    assert changed.status_code == HTTPStatus.OK and changed.headers["ETag"] != etag


def test_reports_have_last_modified_and_answer_304(client, world, token):
    given = token(world.pi, "read")
    detail = client.get(reverse("api:report_detail", kwargs={"pk": world.report.pk}),
                        **bearer(given))
    assert detail.json()["files"] == ["csv-fr"]
    stamp = detail.headers["Last-Modified"]
    url = reverse("api:report_download", kwargs={"pk": world.report.pk, "key": "csv-fr"})
    download = client.get(url, **bearer(given))
    assert download.status_code == HTTPStatus.OK
    assert b"".join(download.streaming_content).startswith(b"projet;heures")
    assert download.headers["Last-Modified"] == stamp
    assert download.headers["Content-Security-Policy"] == "sandbox"
    again = client.get(url, HTTP_IF_MODIFIED_SINCE=stamp, **bearer(given))
    assert again.status_code == HTTPStatus.NOT_MODIFIED
    missing = client.get(reverse("api:report_download",
                                 kwargs={"pk": world.report.pk, "key": "pdf-en"}),
                         **bearer(given))
    assert missing.status_code == HTTPStatus.NOT_FOUND


def test_usage_numbers_are_the_usage_pages(client, world, token):
    """The API answers the selector the usage page renders, field for field."""
    cpu, _gpu = make_resources()
    account = world.project.slurm_account
    summary(account=account, month=1, core_hours=1500.0, estimated=30.0, user="maelle")
    summary(account=account, month=2, core_hours=500.0, measured=5.0, user="yann")
    year = dt.date.today().year
    expected = project_usage(project=world.project, year=year)
    body = client.get(reverse("api:project_usage", kwargs={"pk": world.project.pk})
                      + f"?year={year}", **bearer(token(world.pi, "read"))).json()
    assert body["totals"]["core_hours"] == expected.totals.core_hours == 2000.0
    assert Decimal(body["energy"]["co2e_kg"]) == expected.energy.co2e_kg.quantize(
        Decimal("0.000001"))
    assert Decimal(body["energy"]["cost_eur"]) == expected.energy.cost_eur.quantize(
        Decimal("0.000001"))
    assert [u["user"] for u in body["users"]] == ["maelle", "yann"]
    cpu_row = next(r for r in body["resources"] if r["resource"] == cpu.pk)
    assert [m["used"] for m in cpu_row["months"][:2]] == [1500.0, 500.0]


def test_lists_are_paginated_filtered_and_ordered(client, world, token):
    given = token(world.pi, "read")
    url = reverse("api:request_list")
    everything = client.get(url, **bearer(given)).json()
    assert everything["count"] == 2
    drafts = client.get(url + "?status=draft", **bearer(given)).json()
    assert [r["id"] for r in drafts["results"]] == [world.draft.pk]
    ordered = client.get(url + "?ordering=created_at&page_size=1", **bearer(given)).json()
    assert ordered["count"] == 2 and len(ordered["results"]) == 1 and ordered["next"]
    bad = client.get(url + "?status=nonsense", **bearer(given))
    assert bad.status_code == HTTPStatus.BAD_REQUEST
    assert "status" in bad.json()["error"]["fields"]


# --- Queries: a fixed number whatever the number of rows --------------------------------

def _many_projects(user, organisation, resource, count: int, start: int) -> None:
    projects = Project.objects.bulk_create([
        Project(title=f"P{n}", acronym=f"P{n}", summary="s", field="earth",
                organisation=organisation, starts_on=dt.date(2026, 1, 1),
                ends_on=dt.date(2027, 12, 31), slurm_account=f"bulk{n}", status="active")
        for n in range(start, start + count)])
    ProjectMember.objects.bulk_create([ProjectMember(project=p, user=user, role="pi")
                                       for p in projects])
    requests = ResourceRequest.objects.bulk_create([
        ResourceRequest(project=p, kind="new", created_by=user) for p in projects])
    rows = ResourceRequestRow.objects.bulk_create([
        ResourceRequestRow(request=r, resource=resource) for r in requests])
    ResourceRequestCell.objects.bulk_create([
        ResourceRequestCell(row=row, year=2026, requested=Decimal(10)) for row in rows])
    Allocation.objects.bulk_create([
        Allocation(project=p, resource=resource, year=2026, amount=Decimal(10),
                   starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31))
        for p in projects])


LISTS = [("api:project_list", "read"), ("api:request_list", "read"),
         ("api:organisation_list", "read"), ("api:staff_request_list", "staff"),
         ("api:staff_allocation_list", "staff"), ("api:staff_organisation_list", "staff"),
         ("api:catalogue", "read")]


@pytest.mark.parametrize(("name", "scope"), LISTS)
def test_lists_make_the_same_number_of_queries_for_10_and_300_rows(client, world, token,
                                                                   name, scope):
    user = world.staff if scope == "staff" else UserFactory()
    world.organisation.members.create(user=user, role="member")
    given = token(user, "read", "staff") if scope == "staff" else token(user, "read")
    url = reverse(name) + "?page_size=200"
    _many_projects(user, world.organisation, world.resource, 10, 0)
    client.get(url, **bearer(given))  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, **bearer(given)).status_code == HTTPStatus.OK
    _many_projects(user, world.organisation, world.resource, 290, 10)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, **bearer(given))
    assert response.status_code == HTTPStatus.OK
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
