"""The REST API (``/api/v1/``): personal access tokens, and the portal's work for scripts.

The top layer: it reads through the selectors and writes through the services (and
validates with the forms) of every app below it, so that an API call may never show or
do what the pages would not. Owns the personal access tokens (models, services, the
token section of the profile page), their authentication, scopes and throttling, the
OpenAPI 3 schema (``docs/openapi.yaml``) and its documentation page.
"""
