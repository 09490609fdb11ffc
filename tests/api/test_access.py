"""Every endpoint refuses as its page does: anonymous callers and expired or revoked
tokens get 401, a token without the endpoint's scope 403, another organisation's member
404 for an object (and lists without it), a member 403 on the staff's endpoints — and the
right caller with the right scope succeeds."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus

import pytest
from django.urls import reverse

from .conftest import World, bearer


@dataclass(frozen=True)
class Endpoint:
    """One endpoint: its route name, method, URL arguments and body from the world,
    the scope it needs (``read``, ``write``, ``staff``, ``public``), whether it shows
    one object of the world (404 to outsiders) and who may call it (``pi`` or ``staff``)."""

    name: str
    method: str = "get"
    kwargs: Callable[[World], dict] = lambda w: {}
    body: Callable[[World], dict] | None = None
    scope: str = "read"
    one_object: bool = True

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.name}"


def _table(w: World) -> dict:
    return {"justification": "Deux ans de houle.", "rows": [
        {"resource": w.resource.pk, "justification": "Runs.",
         "amounts": [{"year": w.project.starts_on.year, "amount": "500"}]}]}


def _session(w: World) -> dict:
    start = w.session.starts_at + dt.timedelta(days=7)
    return {"starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=3)).isoformat(),
            "registration_deadline": (start - dt.timedelta(days=2)).isoformat(),
            "place": "Lorient", "capacity": 8}


ENDPOINTS = [
    Endpoint("api:me", one_object=False),
    Endpoint("api:organisation_list", one_object=False),
    Endpoint("api:organisation_detail", kwargs=lambda w: {"pk": w.organisation.pk}),
    Endpoint("api:organisation_members", kwargs=lambda w: {"pk": w.organisation.pk}),
    Endpoint("api:organisation_memberships", kwargs=lambda w: {"pk": w.organisation.pk}),
    Endpoint("api:organisation_agreements", kwargs=lambda w: {"pk": w.organisation.pk}),
    Endpoint("api:project_list", one_object=False),
    Endpoint("api:project_detail", kwargs=lambda w: {"pk": w.project.pk}),
    Endpoint("api:project_members", kwargs=lambda w: {"pk": w.project.pk}),
    Endpoint("api:project_member_detail",
             kwargs=lambda w: {"pk": w.project.pk, "member_pk": w.colleague.pk}),
    Endpoint("api:project_members", "post", kwargs=lambda w: {"pk": w.project.pk},
             scope="write", body=lambda w: {"email": w.newcomer.email, "role": "member"}),
    Endpoint("api:project_member_detail", "patch",
             kwargs=lambda w: {"pk": w.project.pk, "member_pk": w.colleague.pk},
             scope="write", body=lambda w: {"role": "manager"}),
    Endpoint("api:project_member_detail", "delete",
             kwargs=lambda w: {"pk": w.project.pk, "member_pk": w.colleague.pk},
             scope="write"),
    Endpoint("api:project_allocations", kwargs=lambda w: {"pk": w.project.pk}),
    Endpoint("api:project_usage", kwargs=lambda w: {"pk": w.project.pk}),
    Endpoint("api:project_extensions", kwargs=lambda w: {"pk": w.project.pk}),
    Endpoint("api:extension_detail", kwargs=lambda w: {"pk": w.extension.pk}),
    Endpoint("api:extension_withdraw", "post", kwargs=lambda w: {"pk": w.extension.pk},
             scope="write"),
    Endpoint("api:project_extensions", "post", kwargs=lambda w: {"pk": w.project.pk},
             scope="write", body=lambda w: {
                 "allocation": w.suspended.pk, "reason": "Machine arrêtée deux mois.",
                 "ends_on": (w.suspended.ends_on + dt.timedelta(days=60)).isoformat()}),
    Endpoint("api:request_list", one_object=False),
    Endpoint("api:request_detail", kwargs=lambda w: {"pk": w.draft.pk}),
    Endpoint("api:report_list", one_object=False),
    Endpoint("api:report_detail", kwargs=lambda w: {"pk": w.report.pk}),
    Endpoint("api:report_download", kwargs=lambda w: {"pk": w.report.pk, "key": "csv-fr"}),
    Endpoint("api:project_list", "post", scope="write", body=lambda w: {
        "organisation": w.organisation.pk, "title": "Courants", "acronym": "COURANT",
        "summary": "Courants de marée.", "field": "earth", "starts_on": "2027-01-01",
        "ends_on": "2028-12-31"}),
    Endpoint("api:project_detail", "patch", kwargs=lambda w: {"pk": w.project.pk},
             scope="write", body=lambda w: {"title": "Houle, submersion et courants"}),
    Endpoint("api:project_request_create", "post", kwargs=lambda w: {"pk": w.project.pk},
             scope="write", body=lambda w: {"kind": "supplement", **_table(w)}),
    Endpoint("api:request_detail", "patch", kwargs=lambda w: {"pk": w.draft.pk},
             scope="write", body=_table),
    Endpoint("api:request_submit", "post", kwargs=lambda w: {"pk": w.draft.pk},
             scope="write"),
    Endpoint("api:request_withdraw", "post", kwargs=lambda w: {"pk": w.draft.pk},
             scope="write"),
    Endpoint("api:staff_organisation_list", scope="staff", one_object=False),
    Endpoint("api:staff_membership_list", scope="staff", one_object=False),
    Endpoint("api:staff_membership_payment", "post",
             kwargs=lambda w: {"pk": w.pending_membership.pk}, scope="staff",
             body=lambda w: {"paid_on": "2026-01-15", "reference": "VIR-2026-7"}),
    Endpoint("api:staff_agreement_approve", "post",
             kwargs=lambda w: {"pk": w.submitted_agreement.pk}, scope="staff",
             body=lambda w: {"note": "Conforme."}),
    Endpoint("api:staff_agreement_countersign", "post",
             kwargs=lambda w: {"pk": w.signed_agreement.pk}, scope="staff", body=lambda w: {}),
    Endpoint("api:staff_request_list", scope="staff", one_object=False),
    Endpoint("api:staff_request_review", "post", kwargs=lambda w: {"pk": w.submitted.pk},
             scope="staff"),
    Endpoint("api:staff_request_decide", "post", kwargs=lambda w: {"pk": w.submitted.pk},
             scope="staff", body=lambda w: {
                 "version": w.submitted.version, "note": "Accordé.", "granted": [
                     {"resource": w.resource.pk, "amounts": [
                         {"year": w.project.starts_on.year, "amount": "1000"}]}]}),
    Endpoint("api:staff_request_reject", "post", kwargs=lambda w: {"pk": w.submitted.pk},
             scope="staff", body=lambda w: {"note": "Hors périmètre.",
                                            "version": w.submitted.version}),
    Endpoint("api:staff_request_return", "post", kwargs=lambda w: {"pk": w.submitted.pk},
             scope="staff", body=lambda w: {"note": "Précisez les années.",
                                            "version": w.submitted.version}),
    Endpoint("api:staff_allocation_list", scope="staff", one_object=False),
    Endpoint("api:staff_allocation_suspend", "post", kwargs=lambda w: {"pk": w.allocation.pk},
             scope="staff", body=lambda w: {"reason": "Budget dépassé."}),
    Endpoint("api:staff_allocation_resume", "post", kwargs=lambda w: {"pk": w.suspended.pk},
             scope="staff"),
    Endpoint("api:staff_extension_list", scope="staff", one_object=False),
    Endpoint("api:staff_extension_approve", "post", kwargs=lambda w: {"pk": w.extension.pk},
             scope="staff", body=lambda w: {"note": "D'accord."}),
    Endpoint("api:staff_extension_refuse", "post", kwargs=lambda w: {"pk": w.extension.pk},
             scope="staff", body=lambda w: {"note": "Pas de retard constaté."}),
    Endpoint("api:staff_import_list", scope="staff", one_object=False),
    Endpoint("api:staff_import_detail", kwargs=lambda w: {"pk": w.accounting_import.pk},
             scope="staff"),
    Endpoint("api:project_outputs", kwargs=lambda w: {"pk": w.project.pk}),
    Endpoint("api:project_output_detail",
             kwargs=lambda w: {"pk": w.project.pk, "output_pk": w.output.pk}),
    Endpoint("api:project_outputs", "post", kwargs=lambda w: {"pk": w.project.pk},
             scope="write", body=lambda w: {"kind": "article", "title": "Courants de marée",
                                            "year": 2025, "doi": "10.1234/maree.1"}),
    Endpoint("api:project_output_detail", "delete",
             kwargs=lambda w: {"pk": w.project.pk, "output_pk": w.output.pk}, scope="write"),
    Endpoint("api:project_output_imports", "post", kwargs=lambda w: {"pk": w.project.pk},
             scope="write", body=lambda w: {"hal_id": "hal-01234567"}),
    Endpoint("api:project_output_import_detail",
             kwargs=lambda w: {"pk": w.project.pk, "import_pk": w.output_import.pk}),
    Endpoint("api:staff_output_list", scope="staff", one_object=False),
    Endpoint("api:registration_list", one_object=False),
    Endpoint("api:session_register", "post", kwargs=lambda w: {"pk": w.session.pk},
             scope="write", one_object=False),
    Endpoint("api:registration_cancel", "post", kwargs=lambda w: {"pk": w.registration.pk},
             scope="write"),
    Endpoint("api:trainer_session_create", "post", kwargs=lambda w: {"pk": w.session.course_id},
             scope="write", body=lambda w: _session(w)),
    Endpoint("api:staff_course_list", scope="staff", one_object=False),
    Endpoint("api:staff_course_list", "post", scope="staff", body=lambda w: {
        "slug": "python-calcul", "title": "Python pour le calcul", "summary": "NumPy.",
        "duration_hours": "3"}),
    Endpoint("api:staff_course_detail", kwargs=lambda w: {"pk": w.session.course_id},
             scope="staff"),
    Endpoint("api:staff_course_detail", "patch", kwargs=lambda w: {"pk": w.session.course_id},
             scope="staff", body=lambda w: {"title": "Slurm, premiers pas"}),
    Endpoint("api:staff_session_create", "post", kwargs=lambda w: {"pk": w.session.course_id},
             scope="staff", body=lambda w: _session(w)),
    Endpoint("api:staff_session_detail", "patch", kwargs=lambda w: {"pk": w.session.pk},
             scope="staff", body=lambda w: {"capacity": 20}),
    Endpoint("api:staff_event_list", scope="staff", one_object=False),
    Endpoint("api:staff_event_list", "post", scope="staff", body=lambda w: {
        "kind": "open_day", "title": "Portes ouvertes", "starts_at": "2027-03-06T10:00",
        "ends_at": "2027-03-06T17:00"}),
    Endpoint("api:staff_event_detail", "patch", kwargs=lambda w: {"pk": w.event.pk},
             scope="staff", body=lambda w: {"participants": 40}),
    Endpoint("api:invoice_list", one_object=False),
    Endpoint("api:invoice_detail", kwargs=lambda w: {"pk": w.invoice.pk}),
    Endpoint("api:invoice_pdf", kwargs=lambda w: {"pk": w.invoice.pk}),
    Endpoint("api:staff_invoice_list", scope="staff", one_object=False),
    Endpoint("api:agenda", scope="public", one_object=False),
    Endpoint("api:session_detail", kwargs=lambda w: {"pk": w.session.pk}, scope="public"),
    Endpoint("api:event_detail", kwargs=lambda w: {"pk": w.event.pk}, scope="public"),
    Endpoint("api:catalogue", scope="public", one_object=False),
    Endpoint("api:statistics", scope="public", one_object=False),
]
PRIVATE = [e for e in ENDPOINTS if e.scope != "public"]


def call(client, endpoint: Endpoint, world: World, **headers):
    url = reverse(endpoint.name, kwargs=endpoint.kwargs(world))
    method = getattr(client, endpoint.method)
    if endpoint.method == "get":
        return method(url, **headers)
    body = endpoint.body(world) if endpoint.body else {}
    return method(url, data=json.dumps(body), content_type="application/json", **headers)


def owner(endpoint: Endpoint, world: World):
    return world.staff if endpoint.scope == "staff" else world.pi


def all_scopes(endpoint: Endpoint) -> list[str]:
    return ["read", "write", "staff"] if endpoint.scope == "staff" else ["read", "write"]


def assert_error(response, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.content[:500]
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    if code:
        assert error["code"] == code


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_the_right_caller_with_the_right_scope_succeeds(client, world, token, endpoint):
    given = token(owner(endpoint, world), *all_scopes(endpoint))
    response = call(client, endpoint, world, **bearer(given))
    assert response.status_code in {HTTPStatus.OK, HTTPStatus.CREATED, HTTPStatus.ACCEPTED,
                                    HTTPStatus.NO_CONTENT}, response.content[:800]


@pytest.mark.parametrize("endpoint", PRIVATE, ids=str)
def test_anonymous_caller_gets_401(client, world, endpoint):
    response = call(client, endpoint, world)
    assert_error(response, HTTPStatus.UNAUTHORIZED, "not_authenticated")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("trait", ["expired", "revoked"])
@pytest.mark.parametrize("endpoint", PRIVATE, ids=str)
def test_expired_or_revoked_token_gets_401(client, world, token, endpoint, trait):
    given = token(owner(endpoint, world), *all_scopes(endpoint), **{trait: True})
    response = call(client, endpoint, world, **bearer(given))
    assert_error(response, HTTPStatus.UNAUTHORIZED, "authentication_failed")


@pytest.mark.parametrize("endpoint", PRIVATE, ids=str)
def test_token_without_the_scope_gets_403(client, world, token, endpoint):
    lacking = {"read": ["write"], "write": ["read"], "staff": ["read", "write"]}[endpoint.scope]
    given = token(owner(endpoint, world), *lacking)
    response = call(client, endpoint, world, **bearer(given))
    assert_error(response, HTTPStatus.FORBIDDEN, "permission_denied")


@pytest.mark.parametrize("endpoint", [e for e in PRIVATE if e.scope != "staff"], ids=str)
def test_another_organisations_member_sees_nothing_of_it(client, world, token, endpoint):
    given = token(world.outsider, "read", "write")
    response = call(client, endpoint, world, **bearer(given))
    if endpoint.one_object:
        assert_error(response, HTTPStatus.NOT_FOUND, "not_found")
        return
    assert response.status_code in {HTTPStatus.OK, HTTPStatus.CREATED, HTTPStatus.NOT_FOUND}
    text = response.content.decode()
    assert world.project.acronym not in text
    assert world.organisation.name not in text


@pytest.mark.parametrize("endpoint", [e for e in PRIVATE if e.scope == "staff"], ids=str)
def test_a_member_with_a_staff_scope_token_gets_403_on_staff_endpoints(client, world, token,
                                                                      endpoint):
    """The page refuses a member a staff page (403): so does the API, even for a token
    that claims the staff scope (the owner must be verified staff)."""
    given = token(world.pi, "read", "write", "staff")
    response = call(client, endpoint, world, **bearer(given))
    assert_error(response, HTTPStatus.FORBIDDEN, "permission_denied")


def test_staff_without_the_staff_scope_is_a_plain_member(client, world, token):
    """A verified staff member's read token sees only their own organisations' objects,
    as a member's page would."""
    given = token(world.staff, "read")
    response = client.get(reverse("api:project_detail", kwargs={"pk": world.project.pk}),
                          **bearer(given))
    assert_error(response, HTTPStatus.NOT_FOUND, "not_found")
    listed = client.get(reverse("api:project_list"), **bearer(given)).json()
    assert listed["count"] == 0


def test_staff_scope_sees_every_project(client, world, token):
    given = token(world.staff, "read", "staff")
    response = client.get(reverse("api:project_detail", kwargs={"pk": world.project.pk}),
                          **bearer(given))
    assert response.status_code == HTTPStatus.OK
    assert response.json()["acronym"] == world.project.acronym


def test_a_plain_project_member_cannot_edit_the_project(client, world, token):
    """A plain member reads the project but may not change it: 403, as on the page."""
    member = world.organisation.plain_member
    world.project.members.create(user=member, role="member")
    given = token(member, "read", "write")
    url = reverse("api:project_detail", kwargs={"pk": world.project.pk})
    assert client.get(url, **bearer(given)).status_code == HTTPStatus.OK
    response = client.patch(url, data=json.dumps({"title": "Autre"}),
                            content_type="application/json", **bearer(given))
    assert_error(response, HTTPStatus.FORBIDDEN, "permission_denied")
