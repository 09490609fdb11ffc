"""The accounting push API: ``POST /api/accounting/?cluster=NAME&format=sacct|swf``.

A cluster's nightly cron posts its ``sacct`` export (the body is the file, plain or
gzip) with ``Authorization: Bearer <token>``, the cluster's token made on the staff
cluster page (see the README, "Nightly accounting push", for the exact cron line).

Answers (JSON bodies ``{"error": "…"}`` on errors):

- 202 ``{"import": id, "status": "queued", "url": "<the import's staff page>"}`` (the
  status as it is when answering: ``queued`` with a worker; already finished when
  Celery runs tasks inline);
- 401 (with ``WWW-Authenticate: Bearer``) for a missing or wrong token, and the same
  401 for an unknown cluster (which clusters exist is not disclosed);
- 400 bad format or a body shorter than announced; 409 the same file already
  imported; 411 no ``Content-Length``; 413 a body over ``ACCOUNTING_MAX_FILE_BYTES``
  (refused from its ``Content-Length``, before it is read); 405 any method but POST.

The body is read from the request stream in chunks into a temporary file while it
is hashed (the intake's streaming hash), so memory does not grow with its size
(``request.body`` is never touched, so ``DATA_UPLOAD_MAX_MEMORY_SIZE`` does not apply).
Rate limiting is left to the reverse proxy, which should also cap the body size (README).
"""

from __future__ import annotations

import logging
import tempfile
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..models import AccountingImport
from ..selectors.clusters import cluster_for_token
from ..tasks import accounting_import_enqueue_on_commit
from .selectors import duplicate_of
from .services.intake import GZIP_MAGIC, accounting_intake, sha256_of_chunks

security_log = logging.getLogger("algoric.security")

#: Bytes read from the request stream at a time.
CHUNK_BYTES = 1024 * 1024


def _error(status: HTTPStatus, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _unauthorized(request, *, had_token: bool, cluster_name: str) -> JsonResponse:
    security_log.warning("accounting push refused: cluster=%r token=%s ip=%s",
                         cluster_name[:64], "given" if had_token else "missing",
                         request.META.get("REMOTE_ADDR"))
    response = _error(HTTPStatus.UNAUTHORIZED,
                      _("A valid API token of this cluster is required."))
    response["WWW-Authenticate"] = (
        'Bearer realm="accounting", error="invalid_token"' if had_token
        else 'Bearer realm="accounting"')
    return response


def _spooled(request, spool, *, max_bytes: int):
    """The request body in chunks of :data:`CHUNK_BYTES`, each written to ``spool`` as it
    passes; stops once more than ``max_bytes`` have been read."""
    size = 0
    while size <= max_bytes:
        chunk = request.read(CHUNK_BYTES)
        if not chunk:
            break
        spool.write(chunk)
        size += len(chunk)
        yield chunk


def _bearer_token(request) -> str:
    scheme, _sep, token = request.headers.get("Authorization", "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@csrf_exempt  # authenticated by the cluster's token, not by a session cookie
@require_POST
def accounting_api_view(request):
    """Receive a cluster's accounting file and queue its import (see the module doc)."""
    cluster_name = request.GET.get("cluster", "").strip()
    token = _bearer_token(request)
    cluster = cluster_for_token(token)
    if cluster is None or cluster.name != cluster_name:
        return _unauthorized(request, had_token=bool(token), cluster_name=cluster_name)

    file_format = request.GET.get("format", AccountingImport.Format.SACCT)
    if file_format not in AccountingImport.Format.values:
        return _error(HTTPStatus.BAD_REQUEST,
                      _("Unknown format “%(format)s”: use sacct or swf.")
                      % {"format": file_format[:20]})
    try:
        length = int(request.META.get("CONTENT_LENGTH") or -1)
    except ValueError:
        length = -1
    if length < 0:
        return _error(HTTPStatus.LENGTH_REQUIRED, _("Send the file with a Content-Length."))
    max_bytes = settings.ACCOUNTING_MAX_FILE_BYTES
    if length > max_bytes:
        return _error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                      _("The file is too large: the largest accepted is %(max)s bytes.")
                      % {"max": max_bytes}, max_bytes=max_bytes)
    if length == 0:
        return _error(HTTPStatus.BAD_REQUEST, _("The file is empty."))

    with tempfile.NamedTemporaryFile(prefix="accounting-push-",
                                     dir=settings.FILE_UPLOAD_TEMP_DIR) as spool:
        sha256, size, head = sha256_of_chunks(_spooled(request, spool, max_bytes=max_bytes))
        if size > max_bytes:  # only if the stream gave more than it announced
            return _error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                          _("The file is too large: the largest accepted is %(max)s bytes.")
                          % {"max": max_bytes}, max_bytes=max_bytes)
        if size != length:
            return _error(HTTPStatus.BAD_REQUEST,
                          _("The body is shorter than its Content-Length: resend it."))
        spool.flush()

        earlier = duplicate_of(sha256)
        if earlier is not None:
            return _error(HTTPStatus.CONFLICT, _("This file has already been imported."),
                          import_id=earlier.pk)
        gzipped = head == GZIP_MAGIC
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        file_name = f"{cluster.name}-{stamp}.{file_format}{'.gz' if gzipped else ''}"
        try:
            accounting_import = accounting_intake(
                stream=spool, file_name=file_name, size_bytes=size, sha256=sha256,
                format=file_format, cluster=cluster.name,
                source=AccountingImport.Source.API, actor=None, gzipped=gzipped,
            )
        except ValidationError as exc:
            status = (HTTPStatus.CONFLICT if getattr(exc, "code", None) == "duplicate"
                      or duplicate_of(sha256) is not None else HTTPStatus.BAD_REQUEST)
            return _error(status, " ".join(exc.messages))
        accounting_import_enqueue_on_commit(accounting_import.pk)

    accounting_import.refresh_from_db()
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("resources:accounting:detail", kwargs={"pk": accounting_import.pk})
    return JsonResponse({
        "import": accounting_import.pk,
        "status": accounting_import.status,
        "url": f"{settings.SITE_URL.rstrip('/')}{path}",
    }, status=HTTPStatus.ACCEPTED)
