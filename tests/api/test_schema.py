"""The OpenAPI 3 schema: valid, committed as ``docs/openapi.yaml`` and equal to what the
code generates (CI fails when they differ), served at ``/api/v1/schema/``, with its
documentation page from ``static/`` under the strict CSP."""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer
from drf_spectacular.validation import validate_schema
from openapi_spec_validator import validate as validate_openapi

COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"
REGENERATE = "python manage.py spectacular --lang en --validate --file docs/openapi.yaml"


def generated() -> dict:
    """The schema as the code makes it today, in English (as the committed one)."""
    with translation.override("en"):
        return SchemaGenerator().get_schema(request=None, public=True)


def test_generated_schema_validates_as_openapi_3():
    schema = generated()
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # drf-spectacular's check against the OpenAPI 3.0 JSON schema
    validate_openapi(schema)  # and openapi-spec-validator's


def test_committed_schema_is_the_generated_one():
    """CI fails when the code and ``docs/openapi.yaml`` differ: regenerate it."""
    with translation.override("en"):
        text = OpenApiYamlRenderer().render(generated(), renderer_context={}).decode()
    assert COMMITTED.read_text(encoding="utf-8") == text, (
        f"docs/openapi.yaml is not what the code generates: run `{REGENERATE}`.")


def test_schema_documents_every_route_and_the_accounting_push():
    paths = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))["paths"]
    assert "/api/accounting/" in paths
    assert paths["/api/accounting/"]["post"]["security"] == [{"clusterToken": []}]
    for name, kwargs in [("api:me", {}), ("api:project_usage", {"pk": 1}),
                         ("api:staff_request_decide", {"pk": 1}), ("api:catalogue", {})]:
        template = reverse(name, kwargs=kwargs).replace("/1/", "/{id}/")
        assert template in paths, template
    for path, item in paths.items():
        for method, operation in item.items():
            assert "401" in operation["responses"] or path == "/api/accounting/", (path, method)


@pytest.mark.django_db
def test_schema_is_served_to_everyone(client):
    response = client.get(reverse("api:schema"))
    assert response.status_code == HTTPStatus.OK
    assert yaml.safe_load(response.content)["openapi"].startswith("3.")


@pytest.mark.django_db
def test_documentation_page_loads_its_scripts_from_static_under_the_strict_csp(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "<script>" not in html and "<style>" not in html and "cdn" not in html.lower()
    for asset in ["drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
                  "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css", "js/api-docs.js",
                  "css/api-docs.css"]:
        assert f"/static/{asset}" in html
        assert finders.find(asset), asset
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
