"""Staff accounting pages (mounted at ``staff/accounting/``): imports and clusters.

- the list of imports with the upload form; an upload creates an import, stores the
  file and queues :func:`resources.tasks.run_accounting_import` (after commit);
- an import's page, with a progress bar refreshed by ``static/js/import-progress.js``
  (which polls ``progress.json``) or, without JavaScript, by a ``<meta refresh>``;
- the clusters, and a new API token for a cluster's nightly ``sacct`` push (shown once).
"""

from __future__ import annotations

from http import HTTPStatus

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from algoric.core.feedback import add_service_errors
from algoric.core.staff import staff_required

from ..models import AccountingImport, Cluster
from ..services.clusters import cluster_create, cluster_rotate_token, push_cron_line
from ..tasks import accounting_import_enqueue_on_commit
from .forms import AccountingUploadForm, ClusterForm
from .models import FINISHED_STATUSES
from .selectors import clusters_with_imports, imports_newest_first
from .services.intake import GZIP_MAGIC, accounting_intake, sha256_of_chunks

#: Imports per page of the list.
IMPORTS_PER_PAGE = 50

#: What a multipart request may carry besides the file itself (bytes): the other
#: fields, the part headers and boundaries. A request longer than the size cap plus
#: this is refused from its ``Content-Length``, before its body is read.
MULTIPART_OVERHEAD_BYTES = 64 * 1024

#: Bootstrap badge class of each import status.
STATUS_BADGES = {
    AccountingImport.Status.QUEUED: "text-bg-secondary",
    AccountingImport.Status.RUNNING: "text-bg-info",
    AccountingImport.Status.DONE: "text-bg-success",
    AccountingImport.Status.DONE_WITH_ERRORS: "text-bg-warning",
    AccountingImport.Status.FAILED: "text-bg-danger",
}


def _badge(accounting_import: AccountingImport) -> str:
    return STATUS_BADGES.get(accounting_import.status, "text-bg-secondary")


def _counts(accounting_import: AccountingImport) -> dict[str, int]:
    """The import's counts, by the keys ``progress.json`` and the page use."""
    return {
        "lines_read": accounting_import.lines_read,
        "jobs_added": accounting_import.jobs_added,
        "duplicates_skipped": accounting_import.duplicates_skipped,
        "steps_skipped": accounting_import.steps_skipped,
        "unfinished_skipped": accounting_import.unfinished_skipped,
        "error_count": accounting_import.error_count,
    }


def _list_page(request, form: AccountingUploadForm, status=HTTPStatus.OK):
    page = Paginator(imports_newest_first(), IMPORTS_PER_PAGE).get_page(request.GET.get("page"))
    for accounting_import in page:
        accounting_import.badge = _badge(accounting_import)
    return render(request, "resources/accounting/staff/accounting_list.html", {
        "form": form,
        "page": page,
        "has_clusters": Cluster.objects.exists(),
        "max_bytes": settings.ACCOUNTING_MAX_FILE_BYTES,
    }, status=status)


def _content_length(request) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def _too_large_message() -> str:
    return _("The file is too large: the largest accepted is %(size)s.") % {
        "size": filesizeformat(settings.ACCOUNTING_MAX_FILE_BYTES)}


@csrf_exempt  # checked by _upload (csrf_protect) once the size has been checked
@staff_required
@require_http_methods(["GET", "POST"])
def import_list(request):
    """The list of accounting imports (newest first) and the upload form.

    A POST uploads a file: a request whose ``Content-Length`` exceeds the size cap
    (plus the multipart overhead) is refused (413) before its body is read or its
    CSRF token looked at (nothing is changed); otherwise see :func:`_upload`.
    """
    if request.method == "POST":
        if _content_length(request) > (settings.ACCOUNTING_MAX_FILE_BYTES
                                       + MULTIPART_OVERHEAD_BYTES):
            messages.error(request, _too_large_message())
            return _list_page(request, AccountingUploadForm(),
                              status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        return _upload(request)
    return _list_page(request, AccountingUploadForm())


@csrf_protect
def _upload(request):
    """Check the uploaded file's size, hash it, create its import and queue it."""
    form = AccountingUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("The file was not imported: correct the fields marked "
                                  "below."))
        return _list_page(request, form, status=HTTPStatus.BAD_REQUEST)
    uploaded = form.cleaned_data["file"]
    if uploaded.size > settings.ACCOUNTING_MAX_FILE_BYTES:
        form.add_error("file", _too_large_message())
        messages.error(request, _too_large_message())
        return _list_page(request, form, status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    sha256, size, head = sha256_of_chunks(uploaded.chunks())
    try:
        accounting_import = accounting_intake(
            stream=uploaded, file_name=uploaded.name, size_bytes=size, sha256=sha256,
            format=form.cleaned_data["format"], cluster=form.cleaned_data["cluster"].name,
            source=AccountingImport.Source.UPLOAD, actor=request.user,
            gzipped=head == GZIP_MAGIC,
        )
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
        return _list_page(request, form, status=HTTPStatus.BAD_REQUEST)
    accounting_import_enqueue_on_commit(accounting_import.pk)
    messages.success(request, _("File “%(name)s” received for import.")
                     % {"name": accounting_import.file_name})
    return redirect("resources:accounting:detail", pk=accounting_import.pk)


@staff_required
@require_GET
def import_detail(request, pk: int):
    """An import's page: its status and progress, then its counts and first errors."""
    accounting_import = get_object_or_404(
        AccountingImport.objects.select_related("created_by"), pk=pk)
    in_progress = accounting_import.status not in FINISHED_STATUSES
    accounting_import.badge = _badge(accounting_import)
    return render(request, "resources/accounting/staff/accounting_detail.html", {
        "accounting_import": accounting_import,
        "in_progress": in_progress,
        "percent": accounting_import.progress_percent,
        "counts": _counts(accounting_import),
    })


@staff_required
@require_GET
def import_progress(request, pk: int):
    """An import's progress as JSON, polled by ``static/js/import-progress.js``.

    ``{"status": "running", "status_label": "…", "percent": 0–100, "done": false,
    "counts": {"lines_read": …, "jobs_added": …, …}}``; ``done`` is true once the
    import has finished (done, done with errors or failed).
    """
    accounting_import = get_object_or_404(AccountingImport, pk=pk)
    return JsonResponse({
        "status": accounting_import.status,
        "status_label": accounting_import.get_status_display(),
        "percent": accounting_import.progress_percent,
        "done": accounting_import.status in FINISHED_STATUSES,
        "counts": _counts(accounting_import),
    })


# --- Clusters ----------------------------------------------------------------------------

def _cluster_page(request, form: ClusterForm, status=HTTPStatus.OK):
    return render(request, "resources/accounting/staff/cluster_list.html", {
        "form": form,
        "clusters": clusters_with_imports(),
    }, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def cluster_list(request):
    """The clusters and, on POST, adding one (:func:`cluster_create`)."""
    if request.method != "POST":
        return _cluster_page(request, ClusterForm())
    form = ClusterForm(request.POST)
    if form.is_valid():
        try:
            cluster = cluster_create(name=form.cleaned_data["name"], actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Cluster “%(name)s” added. Make it an API token for "
                                        "its nightly accounting push.") % {"name": cluster.name})
            return redirect("resources:accounting:cluster_list")
    messages.error(request, _("The cluster was not added: correct the fields marked below."))
    return _cluster_page(request, form, status=HTTPStatus.BAD_REQUEST)


@staff_required
@require_POST
def cluster_token(request, pk: int):
    """Make cluster ``pk`` a new API token and show it, once, with its cron line.

    The page is the answer to the POST itself (no redirect): the token is never
    stored in clear, not even in the session; reloading it asks to post again,
    which makes another token.
    """
    cluster = get_object_or_404(Cluster, pk=pk)
    had_token = bool(cluster.api_token_hash)
    token = cluster_rotate_token(cluster=cluster, actor=request.user)
    response = render(request, "resources/accounting/staff/cluster_token.html", {
        "cluster": cluster,
        "token": token,
        "had_token": had_token,
        "cron_line": push_cron_line(cluster_name=cluster.name, token=token),
    })
    response["Cache-Control"] = "no-store, private"
    return response
