"""The OpenAPI 3 schema's additions to what drf-spectacular reads from the views.

- the personal access token as an HTTP bearer scheme (``personalAccessToken``);
- the cluster tokens of the accounting push (``clusterToken``) and its endpoint,
  ``POST /api/accounting/`` (a plain Django view, ``resources.accounting.api``,
  documented here without changing it);
- the error shape (``Error``) on every operation, for every refusal it can give.

Registered through ``SPECTACULAR_SETTINGS`` (hooks) and imported by ``ApiConfig.ready()``
(the authentication extension).
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension

#: What each refusal means, for every operation of the API.
ERROR_RESPONSES = {
    "400": "Bad input: the fields' errors in `error.fields`.",
    "401": "No token, or an unknown, expired or revoked one.",
    "403": "The token lacks the scope, or the person may not do this.",
    "404": "Not found, or not visible to the token's owner.",
    "409": "The status changed meanwhile: nothing was done.",
    "429": "Too many calls: wait `Retry-After` seconds.",
}

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message", "fields"],
        "properties": {
            "code": {"type": "string", "description": "Stable code of the error."},
            "message": {"type": "string", "description": "What went wrong, for people."},
            "fields": {"type": "object", "description": "Errors of each field.",
                       "additionalProperties": {"type": "array",
                                                "items": {"type": "string"}}},
        },
    }},
}


class PersonalAccessTokenScheme(OpenApiAuthenticationExtension):
    """``Authorization: Bearer alg_…``: a personal access token (profile page)."""

    target_class = "api.authentication.PersonalAccessTokenAuthentication"
    name = "personalAccessToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "A personal access token made on the profile page "
                               "(scopes read, write, staff)."}


def include_api_paths(endpoints, **kwargs):
    """Preprocessing hook: only the API's own endpoints (``/api/v1/…``)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


def _accounting_push() -> dict:
    def error(description):
        return {"description": description, "content": {"application/json": {"schema": {
            "type": "object", "required": ["error"],
            "properties": {"error": {"type": "string"}}}}}}

    return {"post": {
        "operationId": "accounting_push",
        "summary": "Push a cluster's accounting file (nightly)",
        "description": "The body is a `sacct` (or SWF) export, plain or gzip, sent with its "
                       "Content-Length and the cluster's token (`Authorization: Bearer …`, "
                       "made on the staff cluster page). The import is queued. See "
                       "docs/api.md, \"The nightly accounting push\".",
        "tags": ["accounting"],
        "security": [{"clusterToken": []}],
        "parameters": [
            {"name": "cluster", "in": "query", "required": True,
             "schema": {"type": "string"}, "description": "The cluster's name."},
            {"name": "format", "in": "query", "required": False,
             "schema": {"type": "string", "enum": ["sacct", "swf"], "default": "sacct"}},
        ],
        "requestBody": {"required": True, "content": {"application/octet-stream": {
            "schema": {"type": "string", "format": "binary"}}}},
        "responses": {
            "202": {"description": "Queued.", "content": {"application/json": {"schema": {
                "type": "object", "required": ["import", "status", "url"],
                "properties": {"import": {"type": "integer"}, "status": {"type": "string"},
                               "url": {"type": "string"}}}}}},
            "400": error("Bad format, empty body, or shorter than announced."),
            "401": error("Missing or wrong token, or unknown cluster."),
            "405": error("Only POST."),
            "409": error("This file has already been imported."),
            "411": error("No Content-Length."),
            "413": error("Larger than ACCOUNTING_MAX_FILE_BYTES."),
        },
    }}


def add_shared_parts(result, generator, request, public):
    """Postprocessing hook: the ``Error`` component on every operation's refusals, the
    accounting push and its ``clusterToken`` scheme."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    components.setdefault("securitySchemes", {})["clusterToken"] = {
        "type": "http", "scheme": "bearer",
        "description": "A cluster's token for the accounting push (staff cluster page)."}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                responses.setdefault(code, {"description": description, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
    result.setdefault("paths", {})["/api/accounting/"] = _accounting_push()
    return result
