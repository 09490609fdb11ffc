"""What every API view shares: token authentication, scopes, throttling (also of
refused tokens, per address), conditional answers (ETag, Last-Modified), and the
Django forms of the pages fed with JSON."""

from __future__ import annotations

import hashlib
import json

from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics
from rest_framework.response import Response
from rest_framework.views import APIView

from ..throttling import AddressRateThrottle

#: Largest id a path or a filter may name (a 64-bit database key); past it, 404 or 400
#: rather than an overflow in the database driver.
MAX_ID = 2**63 - 1


def id_filter(field_name: str | None = None) -> filters.NumberFilter:
    """A filter on an object's id, between 1 and :data:`MAX_ID` (400 outside)."""
    return filters.NumberFilter(field_name=field_name, min_value=1, max_value=MAX_ID,
                                decimal_places=0)


def year_filter() -> filters.NumberFilter:
    """A filter on a calendar year, 2000 to 2100 (400 outside)."""
    return filters.NumberFilter(min_value=2000, max_value=2100, decimal_places=0)


class ApiMixin:
    """Flags read by :class:`api.permissions.TokenScope`: ``public`` (anyone, a token or
    not) and ``staff_only`` (the ``staff`` scope and verified staff). A refused token
    still counts against its address's rate, so tokens cannot be guessed at speed."""

    public = False
    staff_only = False

    def initial(self, request, *args, **kwargs):
        if any(isinstance(value, int) and value > MAX_ID for value in kwargs.values()):
            raise exceptions.NotFound()
        try:
            super().initial(request, *args, **kwargs)
        except exceptions.AuthenticationFailed:
            throttle = AddressRateThrottle()
            if not throttle.allow_request(request, self):
                self.throttled(request, throttle.wait())
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        """Answers to a token are private: never kept by a shared cache. Those with a
        validator (ETag, Last-Modified) may be kept by the client and revalidated
        (``private, no-cache``); the others are not stored at all (``no-store``)."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if getattr(request, "auth", None) is not None and not response.has_header(
                "Cache-Control"):
            if response.has_header("ETag") or response.has_header("Last-Modified"):
                patch_cache_control(response, private=True, no_cache=True)
            else:
                add_never_cache_headers(response)
                patch_cache_control(response, private=True)
        return response


class ApiView(ApiMixin, APIView):
    """A plain API view."""


class NotFoundView(ApiView):
    """Every other path under ``/api/v1/``: 404 in the API's error shape (not the
    site's HTML page), whatever the method."""

    public = True

    @extend_schema(exclude=True)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound()


class GenericApiView(ApiMixin, generics.GenericAPIView):
    """A generic API view (lists with pagination, filters and ordering)."""


class ListApiView(ApiMixin, generics.ListAPIView):
    """A paginated, filterable, ordered list of ``model``: its rows come from
    :meth:`rows` (an access helper of the pages), none while the schema is generated."""

    model = None

    def rows(self):
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.rows()


def form_data(rows: list[dict], *, prefix: str) -> dict[str, str]:
    """The posted fields of a request table from JSON rows: ``{"resource": id,
    "justification": str, "amounts": [{"year": y, "amount": "…"}]}`` becomes
    ``<prefix>-<resource>-<year>`` and ``justification-<resource>`` (what the page posts
    to ``RequestTableForm`` or ``DecisionForm``)."""
    data: dict[str, str] = {}
    for row in rows:
        resource = row["resource"]
        if row.get("justification"):
            data[f"justification-{resource}"] = row["justification"]
        for cell in row.get("amounts", []):
            data[f"{prefix}-{resource}-{cell['year']}"] = str(cell["amount"])
    return data


def conditional(request, data, *, last_modified=None) -> Response:
    """``data`` as a 200 answer with an ``ETag`` (SHA-256 of its JSON) and, when given,
    ``Last-Modified`` (an aware datetime); 304 without a body when the client's
    ``If-None-Match`` matches the ETag (or, without it, ``If-Modified-Since`` is not
    older than ``last_modified``)."""
    body = json.dumps(data, sort_keys=True, default=str).encode()
    etag = quote_etag(hashlib.sha256(body).hexdigest()[:32])
    headers = {"ETag": etag}
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified.timestamp())
    match = request.headers.get("If-None-Match")
    if match is not None:
        if etag in [tag.strip() for tag in match.split(",")] or match.strip() == "*":
            return Response(status=304, headers=headers)
    elif last_modified is not None and request.headers.get("If-Modified-Since"):
        since = parse_http_date_safe(request.headers["If-Modified-Since"])
        if since is not None and int(last_modified.timestamp()) <= since:
            return Response(status=304, headers=headers)
    return Response(data, headers=headers)
