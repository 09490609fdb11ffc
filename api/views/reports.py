"""The yearly usage reports the caller may read, and their files.

Read through ``projects.reports.selectors.report_for_user`` (404 for a report the caller
may not read), as on the report pages. A report answers with ``ETag`` and
``Last-Modified`` (when it was generated); a file with ``Last-Modified``, and 304 to a
client whose copy is as new.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema

from algoric.audit.models import AuditEvent
from algoric.audit.services import audit_record
from projects.models import UsageReport
from projects.reports.selectors import report_for_user, reports_for_user
from projects.reports.views import FILE_KEY, MEDIA_TYPES

from ..serializers.catalogue import UsageReportSerializer
from .base import ApiView, ListApiView, conditional, id_filter, year_filter


class ReportFilter(filters.FilterSet):
    scope = filters.ChoiceFilter(choices=UsageReport.Scope.choices)
    status = filters.ChoiceFilter(choices=UsageReport.Status.choices)
    year = year_filter()
    project = id_filter("project_id")

    class Meta:
        model = UsageReport
        fields = ["scope", "status", "year", "project"]


class ReportList(ListApiView):
    """The reports the caller may read (their projects'; every report for staff)."""

    model = UsageReport

    serializer_class = UsageReportSerializer
    filterset_class = ReportFilter
    ordering_fields = ["year", "requested_at", "generated_at"]
    ordering = ["-year", "pk"]

    def rows(self):
        return reports_for_user(user=self.request.user)

    @extend_schema(tags=["reports"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ReportDetail(ApiView):
    """One report, with the keys of its files."""

    @extend_schema(responses={200: UsageReportSerializer, 304: None}, tags=["reports"])
    def get(self, request, pk: int):
        report = report_for_user(user=request.user, pk=pk)
        return conditional(request, UsageReportSerializer(report).data,
                           last_modified=report.generated_at)


class ReportDownload(ApiView):
    """One file of a report (``key``: ``pdf-fr``, ``xlsx-en``, ``csv-fr``…) as an
    attachment; 404 when the key is unknown or the file is not there."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY,
                              304: OpenApiResponse(description="Not modified"),
                              404: OpenApiResponse(description="Not found")},
                   tags=["reports"])
    def get(self, request, pk: int, key: str):
        report = report_for_user(user=request.user, pk=pk)
        relative = (report.files or {}).get(key) if FILE_KEY.match(key) else None
        if not relative:
            raise Http404
        root = Path(settings.USAGE_REPORTS_DIR).resolve()
        path = (root / relative).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise Http404
        modified = report.generated_at
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        if modified is not None and since is not None and int(modified.timestamp()) <= since:
            return HttpResponseNotModified()
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise Http404 from exc
        audit_record(action="report.downloaded", category=AuditEvent.Category.SECURITY,
                     target=report, actor=request.user, detail={"file": key, "via": "api"})
        response = FileResponse(handle, as_attachment=True, filename=path.name,
                                content_type=MEDIA_TYPES[key.split("-")[0]])
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "sandbox"
        response["Cache-Control"] = "no-store, private"
        if modified is not None:
            response["Last-Modified"] = http_date(modified.timestamp())
        return response
