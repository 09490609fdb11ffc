"""Yearly usage report pages: a project's reports, a report with its live progress and
its files, the permission-checked downloads, and the staff's list with "generate".

Who sees what (``UsageReport.objects.visible_to``): members see the reports of their
projects, staff see every report; the centre report is for staff only. A report the
user may not see answers 404, like a report that does not exist. Staff reach
everything only with two-factor authentication on: without it they are treated as
members. Files are read from ``settings.USAGE_REPORTS_DIR`` and always served as
attachments (``nosniff``, ``Content-Security-Policy: sandbox``, ``no-store``).
"""

from __future__ import annotations

import re
from http import HTTPStatus
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from algoric.audit.models import AuditEvent
from algoric.audit.services import audit_record
from algoric.core.staff import is_verified_staff, staff_required

from ..models import UsageReport
from ..selectors.projects import project_for_user
from ..tasks import usage_report_enqueue_on_commit
from . import services as report_services
from .forms import CENTRE, ReportFilterForm, ReportGenerateForm
from .selectors import report_for_user, reports_for_user

#: File keys of a report: ``<format>-<language>``.
FILE_KEY = re.compile(r"^(pdf|xlsx|csv)-(fr|en)$")
#: Formats in the order the pages list them: key prefix, label, media type.
FORMATS = (
    ("pdf", gettext_lazy("PDF document"), "application/pdf"),
    ("xlsx", gettext_lazy("Spreadsheet (XLSX)"),
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("csv", gettext_lazy("Tables (CSV, zipped)"), "application/zip"),
)
MEDIA_TYPES = {key: media for key, _label, media in FORMATS}
LANGUAGES = (("fr", "Français"), ("en", "English"))
STATUS_BADGES = {
    UsageReport.Status.QUEUED: "text-bg-secondary",
    UsageReport.Status.RUNNING: "text-bg-info",
    UsageReport.Status.DONE: "text-bg-success",
    UsageReport.Status.FAILED: "text-bg-danger",
}
REPORTS_PER_PAGE = 50


def _downloads(report: UsageReport) -> list[dict]:
    """One row per format with a cell per language: its key and whether it is listed."""
    rows = []
    for key, label, _media in FORMATS:
        rows.append({"label": label, "cells": [
            {"key": f"{key}-{code}", "language": name, "code": code,
             "available": f"{key}-{code}" in report.files}
            for code, name in LANGUAGES]})
    return rows


def _decorate(report: UsageReport) -> UsageReport:
    report.badge = STATUS_BADGES.get(report.status, "text-bg-light")
    return report


@login_required
@require_GET
def project_reports(request, pk: int):
    """The yearly reports of project ``pk``, newest year first. Its members and staff;
    404 for others."""
    project = project_for_user(user=request.user, pk=pk)
    reports = [_decorate(report) for report in reports_for_user(user=request.user).filter(
        scope=UsageReport.Scope.PROJECT, project=project).order_by("-year")]
    return render(request, "projects/reports/project_reports.html", {
        "project": project, "reports": reports,
    })


@login_required
@require_GET
def report_detail(request, pk: int):
    """A report: its status (with live progress while it is made), its files in each
    format and language, and the totals it found."""
    report = _decorate(report_for_user(user=request.user, pk=pk))
    return render(request, "projects/reports/report_detail.html", {
        "report": report,
        "downloads": _downloads(report),
        "has_files": bool(report.files),
        "in_progress": not report.is_finished,
        "totals": report.totals or {},
        "energy_kwh": sum(float((report.totals or {}).get(key) or 0)
                          for key in ("energy_kwh_measured", "energy_kwh_estimated")),
        "generate_form": ReportGenerateForm(initial={
            "report": CENTRE if report.scope == UsageReport.Scope.CENTRE
            else f"project-{report.project_id}", "year": report.year})
        if is_verified_staff(request.user) else None,
    })


@login_required
@require_GET
def report_progress(request, pk: int):
    """A report's progress as JSON, polled by ``static/js/report-progress.js``:
    ``{"status": "running", "status_label": "…", "percent": 0–100, "step": "…",
    "done": false}``; ``done`` is true once the report is done or failed."""
    report = report_for_user(user=request.user, pk=pk)
    response = JsonResponse({
        "status": report.status,
        "status_label": report.get_status_display(),
        "percent": max(0, min(100, report.progress)),
        "step": report.step,
        "done": report.is_finished,
    })
    response["Cache-Control"] = "no-store, private"
    return response


def _safe_name(name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")
    return name or "report"


def _file_missing(request, report: UsageReport):
    return render(request, "projects/reports/file_missing.html",
                  {"report": report},
                  status=HTTPStatus.NOT_FOUND)


@login_required
@require_GET
def report_download(request, pk: int, key: str):
    """One file of a report (``key``: ``pdf-fr``, ``xlsx-en``, ``csv-fr``…) as an
    attachment. 404 when the user may not read the report, the key is unknown, or the
    file is not on disk (a page that says so, never a 500)."""
    report = report_for_user(user=request.user, pk=pk)
    if not FILE_KEY.match(key):
        raise Http404
    relative = (report.files or {}).get(key)
    if not relative:
        return _file_missing(request, report)
    root = Path(settings.USAGE_REPORTS_DIR).resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise Http404
    try:
        handle = path.open("rb")
    except OSError:  # missing, a folder, unreadable: the same answer
        return _file_missing(request, report)
    audit_record(action="report.downloaded", category=AuditEvent.Category.SECURITY,
                 target=report, request=request, detail={"file": key})
    response = FileResponse(handle, as_attachment=True, filename=_safe_name(path.name),
                            content_type=MEDIA_TYPES[key.split("-")[0]])
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "no-store, private"
    return response


# --- Staff --------------------------------------------------------------------------------

def _staff_page(request, *, form: ReportGenerateForm | None = None,
                status: int = HTTPStatus.OK):
    filters = ReportFilterForm(request.GET)
    queryset = filters.filter(UsageReport.objects.select_related(
        "project__organisation", "requested_by").order_by("-year", "scope", "project__acronym"))
    page = Paginator(queryset, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    for report in page.object_list:
        _decorate(report)
    years = sorted(set(UsageReport.objects.values_list("year", flat=True)), reverse=True)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "projects/reports/staff/report_list.html", {
        "page": page, "filters": filters, "years": years,
        "form": form or ReportGenerateForm(), "query": query.urlencode(),
        "scopes": UsageReport.Scope.choices, "statuses": UsageReport.Status.choices,
    }, status=status)


@staff_required
@require_GET
def staff_reports(request):
    """Every report, filtered by ``?year=``, ``?scope=`` and ``?status=``, with the form
    that generates the centre's report or a project's for a year."""
    return _staff_page(request)


@staff_required
@require_POST
def staff_generate(request):
    """Ask for a report (one service call) and go to its page; the list again with the
    reasons (400) when the form or the service refuses."""
    form = ReportGenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("No report was asked for: check the form below."))
        return _staff_page(request, form=form, status=HTTPStatus.BAD_REQUEST)
    scope, project = form.scope_and_project()
    try:
        report = report_services.usage_report_request(
            scope=scope, year=form.cleaned_data["year"], project=project, actor=request.user)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
        return _staff_page(request, form=form, status=HTTPStatus.BAD_REQUEST)
    usage_report_enqueue_on_commit(report)
    messages.success(request, _("%(report)s is on its way: this page shows its progress.")
                     % {"report": report})
    return redirect("projects:reports:detail", pk=report.pk)
