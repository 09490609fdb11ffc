"""The OpenAPI 3 schema (``/api/v1/schema/``, YAML or ``?format=json``) and its
documentation page (Swagger UI from ``static/``, drf-spectacular-sidecar; its start-up
script is a static file, so the page runs under the strict Content-Security-Policy)."""

from __future__ import annotations

from django.urls import reverse
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny


class SchemaView(SpectacularAPIView):
    """The schema, for everyone (it holds no data)."""

    permission_classes = [AllowAny]
    authentication_classes = []


class DocsView(TemplateView):
    """The interactive documentation (Swagger UI), for everyone."""

    template_name = "api/docs.html"
    url_name = "api:schema"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs),
                "schema_url": reverse(self.url_name) + "?format=json"}
