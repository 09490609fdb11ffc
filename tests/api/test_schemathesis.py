"""Schemathesis against a live server over the whole committed schema (``docs/openapi.yaml``),
with a read, a write and a staff token on a seeded database: no 5xx, and every response
(status code, content type, body) matches the schema.

The server is pytest-django's ``live_server`` (127.0.0.1, a thread of this process); the
examples are few per operation (:data:`MAX_EXAMPLES`) so the whole run stays near a
minute. Half of the generated ids are replaced by the seeded objects' ids, so the
operations also run on objects that exist, not only on 404s.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
import yaml
from django.conf import settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import World

pytestmark = [pytest.mark.django_db(transaction=True)]

#: Examples generated per operation (each is sent with the three tokens).
MAX_EXAMPLES = 5
SCHEMA = yaml.safe_load((Path(settings.BASE_DIR) / "docs" / "openapi.yaml")
                        .read_text(encoding="utf-8"))
# Fuzzing only (``MAX_EXAMPLES`` cases per operation): the coverage phase's boundary
# cases would multiply the run's time by ten.
schema = schemathesis.openapi.from_dict(SCHEMA, config=SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": False}}}))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def seeded_ids(world: World) -> dict[str, int]:
    """The seeded object of each path, by the path's start."""
    return {
        "/api/v1/organisations/{id}/": world.organisation.pk,
        "/api/v1/projects/{id}/": world.project.pk,
        "/api/v1/extensions/{id}/": world.extension.pk,
        "/api/v1/requests/{id}/": world.draft.pk,
        "/api/v1/reports/{id}/": world.report.pk,
        "/api/v1/staff/memberships/{id}/": world.pending_membership.pk,
        "/api/v1/staff/agreements/{id}/approve/": world.submitted_agreement.pk,
        "/api/v1/staff/agreements/{id}/countersign/": world.signed_agreement.pk,
        "/api/v1/staff/requests/{id}/": world.submitted.pk,
        "/api/v1/staff/allocations/{id}/resume/": world.suspended.pk,
        "/api/v1/staff/allocations/{id}/": world.allocation.pk,
        "/api/v1/staff/extensions/{id}/": world.extension.pk,
        "/api/v1/staff/accounting-imports/{id}/": world.accounting_import.pk,
    }


@pytest.fixture
def tokens(world, token, settings) -> list[dict]:
    """A read token and a write token of the PI, and a staff token; rates high enough
    for the run. HAL is a closed local port (an import queued by the run fails at once,
    never reaching the network)."""
    settings.HAL_API_URL, settings.HAL_RETRIES = "http://127.0.0.1:9/search/", 0
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        "token": "100000/min", "address": "100000/min"}}
    return [{"Authorization": f"Bearer {given.secret}"}
            for given in (token(world.pi, "read"), token(world.pi, "read", "write"),
                          token(world.staff, "read", "write", "staff"))]


@schema.parametrize()
@hypothesis_settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
                     database=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, live_server, world, tokens):
    identifier = case.path_parameters.get("id") if case.path_parameters else None
    if isinstance(identifier, int) and identifier % 2 == 0:
        for start, pk in seeded_ids(world).items():
            if case.path.startswith(start):
                case.path_parameters["id"] = pk
                break
        if isinstance(case.path_parameters.get("member_pk"), int):
            case.path_parameters["member_pk"] = world.colleague.pk
    for headers in tokens:
        case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS)
