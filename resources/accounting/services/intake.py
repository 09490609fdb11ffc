"""Receiving an accounting file: its streaming hash, then its import and stored file.

The one streaming hash (:func:`sha256_of_chunks`; :func:`sha256_of` for a file
object) serves the staff upload page, the push API (``POST /api/accounting/``), the
``import_accounting`` command and the collection: a file is hashed chunk by chunk,
never held in memory.

:func:`accounting_intake` is shared by the upload page and the push API. The file
has already been received (an uploaded file, or the pushed body spooled to a
temporary file) and hashed; it creates the import through
:func:`.imports.accounting_import_create` and stores the file in private storage
under ``accounting/<uuid4 hex>.<format>[.gz]``. The caller then queues the run
(:func:`resources.tasks.accounting_import_enqueue_on_commit`).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from algoric.audit.models import AuditEvent
from algoric.audit.services import audit_record

from ..models import AccountingImport
from .imports import accounting_import_create

#: Folder of the stored accounting files, in private storage.
STORAGE_FOLDER = "accounting"

#: The first bytes of a gzip stream (RFC 1952).
GZIP_MAGIC = b"\x1f\x8b"

#: Bytes read at a time by :func:`sha256_of` (1 MiB).
CHUNK_BYTES = 1 << 20


def sha256_of_chunks(chunks: Iterable[bytes]) -> tuple[str, int, bytes]:
    """Hash a file given as chunks (``bytes``, any sizes), without holding it in memory.

    Returns ``(sha256 hex, size in bytes, its first two bytes)``: the first bytes say
    whether it is gzip-compressed (:data:`GZIP_MAGIC`).
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


def sha256_of(stream) -> str:
    """SHA-256 (hex) of a binary stream read to its end; the stream is then rewound to 0.

    ``stream``: a seekable binary file object. Reads :data:`CHUNK_BYTES` at a time
    (through :func:`sha256_of_chunks`).
    """
    digest, _size, _head = sha256_of_chunks(iter(lambda: stream.read(CHUNK_BYTES), b""))
    stream.seek(0)
    return digest


def accounting_intake(*, stream, file_name: str, size_bytes: int, sha256: str, format: str,
                      cluster: str, source: str, actor=None, gzipped: bool = False
                      ) -> AccountingImport:
    """Create the import of a received accounting file and store the file.

    Both in one transaction: if storing fails nothing is kept. The caller then queues
    the run after the commit (:func:`resources.tasks.accounting_import_enqueue_on_commit`),
    so the worker finds the row and the file.

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
            except BaseException:
                storage.delete(name)
                raise
    except IntegrityError:  # the same file, created by a concurrent request
        raise ValidationError(_("This file has already been imported."),
                              code="duplicate") from None
    return accounting_import
