"""Receiving an accounting file: create its import, store the file, queue the run.

Shared by the staff upload page and the push API (``POST /api/accounting/``). The
file has already been received (an uploaded file, or the pushed body spooled to a
temporary file) and hashed; :func:`accounting_intake` creates the import through
:func:`resources.accounting.services.accounting_import_create`, stores the file in
private storage under ``accounting/<uuid4 hex>.<format>[.gz]`` and, once the
transaction commits, queues :func:`resources.tasks.run_accounting_import`.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from algoric.audit.models import AuditEvent
from algoric.audit.services import audit_record

from .models import AccountingImport
from .tasks import accounting_import_enqueue

#: Folder of the stored accounting files, in private storage.
STORAGE_FOLDER = "accounting"

#: The first bytes of a gzip stream (RFC 1952).
GZIP_MAGIC = b"\x1f\x8b"


def sha256_of_chunks(chunks: Iterable[bytes]) -> tuple[str, int, bytes]:
    """Hash a file given as chunks, without holding it in memory.

    Returns ``(sha256 hex, size in bytes, its first two bytes)``.
    """
    digest = hashlib.sha256()
    size = 0
    head = b""
    for chunk in chunks:
        if len(head) < 2:
            head = (head + chunk[:2])[:2]
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size, head


def duplicate_of(sha256: str) -> AccountingImport | None:
    """The earlier import of the same file (same SHA-256, not failed), or ``None``."""
    return (AccountingImport.objects.filter(sha256=sha256)
            .exclude(status=AccountingImport.Status.FAILED).order_by("created_at").first())


def accounting_intake(*, stream, file_name: str, size_bytes: int, sha256: str, format: str,
                      cluster: str, source: str, actor=None, gzipped: bool = False
                      ) -> AccountingImport:
    """Create the import of a received accounting file, store the file, queue its run.

    All in one transaction: if storing fails nothing is kept; the task is queued only
    after the commit (``transaction.on_commit``), so the worker finds the row and the
    file. With ``CELERY_TASK_ALWAYS_EAGER`` the import runs at the commit, inline.

    Args:
        stream: the file's content, a binary file object positioned anywhere (it is
            rewound); it is copied to storage as it is (gzip or plain).
        file_name: the name shown to staff (the uploaded name; cut to 255 characters).
        size_bytes: the file's size, bytes.
        sha256: the file's SHA-256, 64 hexadecimal digits.
        format: ``"sacct"`` or ``"swf"``.
        cluster: the cluster's name.
        source: ``AccountingImport.Source`` value (``upload`` or ``api``).
        actor: the user who sent it, or ``None`` (a push).
        gzipped: whether the file is gzip-compressed (stored as ``….gz``).

    Raises:
        ValidationError: from ``accounting_import_create`` (file too large, the same
            file already imported, unknown format, no cluster), or the same file
            imported at the same moment by someone else.
    """
    from .accounting.services import accounting_import_create

    try:
        with transaction.atomic():
            accounting_import = accounting_import_create(
                file_name=file_name[:255], size_bytes=size_bytes, sha256=sha256,
                format=format, cluster=cluster, source=source, actor=actor,
            )
            stream.seek(0)
            suffix = f"{format}.gz" if gzipped else format
            storage = AccountingImport._meta.get_field("file").storage
            name = storage.save(f"{STORAGE_FOLDER}/{uuid.uuid4().hex}.{suffix}", File(stream))
            try:
                AccountingImport.objects.filter(pk=accounting_import.pk).update(file=name)
                audit_record(
                    action=f"accounting.{source}",
                    category=AuditEvent.Category.STAFF if actor is not None
                    else AuditEvent.Category.SYSTEM,
                    actor=actor, actor_label="" if actor is not None else f"cluster {cluster}",
                    target=accounting_import,
                    detail={"file": file_name[:255], "bytes": size_bytes, "sha256": sha256,
                            "format": format, "cluster": cluster})
                accounting_import.file.name = name
                transaction.on_commit(partial(accounting_import_enqueue, accounting_import.pk))
            except BaseException:
                storage.delete(name)
                raise
    except IntegrityError:  # the same file, created by a concurrent request
        raise ValidationError(_("This file has already been imported."),
                              code="duplicate") from None
    return accounting_import
