"""The accounting push API: ``POST /api/accounting/?cluster=NAME&format=sacct|swf``."""

import gzip
import hashlib
from http import HTTPStatus
from unittest import mock

import pytest
from django.urls import reverse

from algoric.core.page_cache import VersionBump
from resources.models import AccountingImport, Cluster, JobRecord
from resources.selectors.clusters import cluster_for_token
from resources.services.clusters import cluster_rotate_token

from .test_accounting_views import SACCT_LINES

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(cluster, staff_with_mfa):
    return cluster_rotate_token(cluster=cluster, actor=staff_with_mfa)


def _url(cluster="breizh", format="sacct") -> str:
    return f"{reverse('accounting_api')}?cluster={cluster}&format={format}"


def _push(client, body: bytes = SACCT_LINES, *, token=None, url=None, **extra):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.post(url or _url(), data=body, content_type="text/plain", headers=headers,
                       **extra)


def test_the_api_has_no_language_prefix():
    assert reverse("accounting_api") == "/api/accounting/"


def test_without_a_token_the_push_is_unauthorized(client, cluster, token):
    response = _push(client)
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "error" in response.json()
    assert AccountingImport.objects.count() == 0


def test_a_wrong_token_is_unauthorized(client, cluster, token):
    for wrong in ("nope", token[:-1], token.upper(), ""):
        response = _push(client, token=wrong)
        assert response.status_code == HTTPStatus.UNAUTHORIZED, wrong
        assert response["WWW-Authenticate"].startswith("Bearer")
    other_scheme = client.post(_url(), data=SACCT_LINES, content_type="text/plain",
                               headers={"Authorization": f"Basic {token}"})
    assert other_scheme.status_code == HTTPStatus.UNAUTHORIZED
    assert AccountingImport.objects.count() == 0


def test_an_unknown_cluster_gets_the_same_401(client, cluster, token):
    unknown = _push(client, token=token, url=_url(cluster="nowhere"))
    wrong = _push(client, token="nope")
    assert unknown.status_code == wrong.status_code == HTTPStatus.UNAUTHORIZED
    assert unknown.json() == wrong.json()


def test_another_clusters_token_is_refused(client, cluster, token, staff_with_mfa):
    other = Cluster.objects.create(name="loch")
    other_token = cluster_rotate_token(cluster=other, actor=staff_with_mfa)
    assert _push(client, token=other_token).status_code == HTTPStatus.UNAUTHORIZED


def test_a_cluster_without_a_token_cannot_push(client, cluster):
    assert cluster_for_token("") is None
    assert _push(client, token="").status_code == HTTPStatus.UNAUTHORIZED


def test_get_is_not_allowed(client, token):
    response = client.get(_url(), headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_a_body_over_the_cap_is_refused_from_its_content_length(client, token, settings):
    settings.ACCOUNTING_MAX_FILE_BYTES = 100
    with mock.patch("django.core.handlers.wsgi.WSGIRequest.read") as read:
        response = _push(client, token=token)
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert not read.called
    assert "error" in response.json()
    assert AccountingImport.objects.count() == 0


def test_a_huge_content_length_is_refused(client, token):
    # The announced length alone decides: nothing is read (the test body is short).
    response = _push(client, token=token, CONTENT_LENGTH=str(10**13))
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE


def test_an_unknown_format_is_refused(client, token):
    response = _push(client, token=token, url=_url(format="csv"))
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_an_empty_body_is_refused(client, token):
    response = _push(client, b"", token=token, CONTENT_LENGTH="0")
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_a_body_without_content_length_is_refused(client, token):
    # (the test client sends no Content-Length for an empty body)
    assert _push(client, b"", token=token).status_code == HTTPStatus.LENGTH_REQUIRED


def test_a_good_push_is_accepted_and_imported(client, token,
                                              django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://portail.algoric.example"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _push(client, token=token)
    assert response.status_code == HTTPStatus.ACCEPTED
    # One queued import (and the public pages' content versions bumped by the import).
    assert len([c for c in callbacks if not isinstance(c, VersionBump)]) == 1
    data = response.json()
    accounting_import = AccountingImport.objects.get()
    assert data["import"] == accounting_import.pk
    assert data["url"] == ("https://portail.algoric.example"
                           + reverse("resources:accounting:detail", args=[accounting_import.pk]))
    assert data["status"] in {"queued", "done"}
    assert accounting_import.source == AccountingImport.Source.API
    assert accounting_import.created_by is None
    assert accounting_import.cluster == "breizh"
    assert accounting_import.sha256 == hashlib.sha256(SACCT_LINES).hexdigest()
    assert accounting_import.file.name.startswith("accounting/")
    assert accounting_import.status == AccountingImport.Status.DONE
    assert accounting_import.jobs_added == 2
    assert JobRecord.objects.filter(cluster="breizh").count() == 2


def test_a_push_is_queued_with_status_queued(client, token, django_capture_on_commit_callbacks):
    with mock.patch("resources.tasks.run_accounting_import.apply_async") as queued, \
         django_capture_on_commit_callbacks(execute=True):
        response = _push(client, token=token)
    assert response.status_code == HTTPStatus.ACCEPTED
    assert response.json()["status"] == "queued"
    queued.assert_called_once_with(args=[response.json()["import"]])


def test_a_gzip_body_is_accepted(client, token, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _push(client, gzip.compress(SACCT_LINES), token=token)
    assert response.status_code == HTTPStatus.ACCEPTED
    accounting_import = AccountingImport.objects.get()
    assert accounting_import.file.name.endswith(".sacct.gz")
    assert accounting_import.file_name.endswith(".sacct.gz")
    assert accounting_import.jobs_added == 2


def test_the_same_file_twice_is_a_conflict(client, token, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _push(client, token=token)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = _push(client, token=token)
    assert again.status_code == HTTPStatus.CONFLICT
    assert again.json()["error"]
    assert again.json()["import_id"] == first.json()["import"]
    assert callbacks == []
    assert AccountingImport.objects.count() == 1


def test_the_api_needs_no_csrf_token(token, django_capture_on_commit_callbacks):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = _push(strict, token=token)
    assert response.status_code == HTTPStatus.ACCEPTED


def test_only_the_tokens_hash_is_stored(cluster, token):
    cluster.refresh_from_db()
    assert cluster.api_token_hash == hashlib.sha256(token.encode()).hexdigest()
    values = [str(value) for value in Cluster.objects.values_list().get()]
    assert token not in values
    assert cluster_for_token(token) == cluster
    assert cluster_for_token(token + "x") is None
