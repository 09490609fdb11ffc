"""Research outputs through the API: the page's form and service (errors field by field,
a known DOI linked, not duplicated), only the PI or a manager unlinks, the staff list's
filters, and a fixed number of queries whatever the number of outputs."""

from __future__ import annotations

import json
from http import HTTPStatus
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import OutputImport, ResearchOutput
from projects.outputs.services import hal

from ..factories import OutputImportFactory, ProjectFactory, ResearchOutputFactory
from .conftest import bearer

HAL_DATA = Path(__file__).parent.parent / "projects" / "data" / "hal"


def _record(client, world, token, body):
    return client.post(reverse("api:project_outputs", kwargs={"pk": world.project.pk}),
                       data=json.dumps(body), content_type="application/json",
                       **bearer(token))


def test_recording_an_output_adds_then_knows_it(client, world, token):
    given = token(world.pi, "read", "write")
    body = {"kind": "article", "title": "Courants de marée", "year": 2025,
            "doi": "https://doi.org/10.1234/MAREE.1"}
    first = _record(client, world, given, body)
    assert first.status_code == HTTPStatus.CREATED, first.content
    assert first.json()["outcome"] == "added"
    assert first.json()["output"]["doi"] == "10.1234/maree.1"
    again = _record(client, world, given, body)
    assert again.status_code == HTTPStatus.OK
    assert again.json()["outcome"] == "known"
    assert ResearchOutput.objects.filter(doi="10.1234/maree.1").count() == 1


def test_a_known_doi_of_another_project_is_linked(client, world, token):
    other = ResearchOutputFactory(projects=[ProjectFactory()])
    response = _record(client, world, token(world.pi, "write"),
                       {"kind": "article", "title": other.title, "year": other.year,
                        "doi": other.doi})
    assert response.status_code == HTTPStatus.CREATED, response.content
    assert response.json()["outcome"] == "linked"
    assert set(other.projects.values_list("pk", flat=True)) >= {world.project.pk}


def test_recording_errors_come_back_field_by_field_and_nothing_is_written(client, world,
                                                                         token):
    before = ResearchOutput.objects.count()
    response = _record(client, world, token(world.pi, "write"),
                       {"kind": "article", "title": "Houle", "year": 2025, "doi": "pas un doi",
                        "url": "ftp://exemple.fr"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "doi" in error["fields"]
    assert ResearchOutput.objects.count() == before


def test_a_plain_member_records_but_may_not_unlink(client, world, token):
    member = world.organisation.plain_member
    world.project.members.create(user=member, role="member")
    given = token(member, "read", "write")
    url = reverse("api:project_output_detail",
                  kwargs={"pk": world.project.pk, "output_pk": world.output.pk})
    response = client.delete(url, **bearer(given))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["error"]["code"] == "permission_denied"
    assert world.project.outputs.filter(pk=world.output.pk).exists()
    added = _record(client, world, given, {"kind": "software", "title": "Houle-Code",
                                           "year": 2025})
    assert added.status_code == HTTPStatus.CREATED


def test_the_pi_unlinks_and_an_orphan_output_is_deleted(client, world, token):
    url = reverse("api:project_output_detail",
                  kwargs={"pk": world.project.pk, "output_pk": world.output.pk})
    response = client.delete(url, **bearer(token(world.pi, "write")))
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert not ResearchOutput.objects.filter(pk=world.output.pk).exists()
    again = client.delete(url, **bearer(token(world.pi, "write")))
    assert again.status_code == HTTPStatus.NOT_FOUND


def test_an_output_of_another_project_is_not_found_through_this_one(client, world, token):
    other = ResearchOutputFactory(projects=[ProjectFactory()])
    url = reverse("api:project_output_detail",
                  kwargs={"pk": world.project.pk, "output_pk": other.pk})
    assert client.get(url, **bearer(token(world.pi))).status_code == HTTPStatus.NOT_FOUND


def test_staff_list_filters(client, world, token):
    ResearchOutputFactory(projects=[world.project], kind="software", hal_id="hal-01234567",
                          doi="")
    given = token(world.staff, "read", "staff")
    url = reverse("api:staff_output_list")
    rows = client.get(url + "?kind=software", **bearer(given)).json()["results"]
    assert [row["kind"] for row in rows] == ["software"]
    assert rows[0]["projects"] == [world.project.acronym]
    assert client.get(url + "?hal=no", **bearer(given)).json()["count"] == 1
    assert client.get(url + f"?project={world.project.acronym}",
                      **bearer(given)).json()["count"] == 2
    assert client.get(url + "?year=99999", **bearer(given)).status_code == \
        HTTPStatus.BAD_REQUEST


def _outputs(project, count):
    ResearchOutputFactory.create_batch(count, projects=[project])


@pytest.mark.parametrize(("name", "scope"), [("api:project_outputs", "read"),
                                             ("api:staff_output_list", "staff")])
def test_output_lists_make_the_same_number_of_queries_for_10_and_300_rows(
        client, world, token, name, scope):
    given = token(world.staff, "read", "staff") if scope == "staff" else token(world.pi)
    kwargs = {"pk": world.project.pk} if name == "api:project_outputs" else {}
    url = reverse(name, kwargs=kwargs) + "?page_size=200"
    _outputs(world.project, 9)
    client.get(url, **bearer(given))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, **bearer(given)).status_code == HTTPStatus.OK
    _outputs(world.project, 290)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, **bearer(given))
    assert response.status_code == HTTPStatus.OK
    assert response.json()["count"] == 300
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


class _HalAnswer:
    status_code = 200

    def json(self):
        return json.loads((HAL_DATA / "collection_algoric_houle.json").read_text())


class _HalSession:
    def get(self, url, params=None, timeout=None):
        return _HalAnswer()


def _import(client, world, token, body):
    return client.post(reverse("api:project_output_imports", kwargs={"pk": world.project.pk}),
                       data=json.dumps(body), content_type="application/json",
                       **bearer(token))


def test_a_hal_import_is_accepted_then_its_status_is_read(
        client, world, token, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(hal, "hal_session", lambda: _HalSession())
    given = token(world.pi, "read", "write")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _import(client, world, given, {"collection": "ALGORIC-HOULE"})
    assert response.status_code == HTTPStatus.ACCEPTED, response.content
    body = response.json()
    assert body["status"] == "queued" and body["collection"] == "ALGORIC-HOULE"
    assert response["Location"].endswith(
        f"/api/v1/projects/{world.project.pk}/outputs/hal-imports/{body['id']}/")
    for callback in callbacks:
        callback()
    status = client.get(response["Location"], **bearer(given))
    assert status.status_code == HTTPStatus.OK
    assert status.json()["status"] == "done"
    assert status.json()["added"] == 4 and status.json()["error"] == ""


def test_a_second_hal_import_while_one_is_queued_is_a_conflict(client, world, token):
    given = token(world.pi, "write")
    assert _import(client, world, given, {"hal_id": "hal-01234567"}).status_code == \
        HTTPStatus.ACCEPTED
    response = _import(client, world, given, {"collection": "ALGORIC-HOULE"})
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["code"] == "conflict"
    assert OutputImport.objects.filter(project=world.project).active().count() == 1


def test_a_hal_import_with_nothing_to_search_is_refused(client, world, token):
    response = _import(client, world, token(world.pi, "write"), {"hal_id": "hal_0123"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not OutputImport.objects.filter(project=world.project).active().exists()


def test_another_projects_hal_import_is_not_found(client, world, token):
    other = OutputImportFactory()
    url = reverse("api:project_output_import_detail",
                  kwargs={"pk": world.project.pk, "import_pk": other.pk})
    assert client.get(url, **bearer(token(world.pi))).status_code == HTTPStatus.NOT_FOUND
