"""The signed copy and the countersignature of an agreement (convention).

A representative uploads the copy they signed (approved → signed): the file is checked to
be a real PDF and stored privately under a generated name. Staff then countersign (signed →
active): the agreement is valid one year from a start date, and a renewal replaces the
agreement it renews. The other verbs of the workflow are in :mod:`members.services.agreements`.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.staff import require_staff
from algoric.core.workflow import TransitionError

from ..models import Agreement, User
from ..selectors.permissions import require_representative
from .agreements import (
    ALLOWED,
    agreement_notify_representatives,
    agreement_notify_staff,
    agreement_transition,
)
from .pades import countersigning_configured, pdf_countersign, pdf_signatures

security_log = logging.getLogger("algoric.security")
Status = Agreement.Status


def _safe_filename(name: str) -> str:
    """A display name for an uploaded file: its base name, printable, at most 120 chars."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^\w.\- ]", "_", base).strip(" .") or "signed.pdf"
    return base[-120:]


def validate_signed_pdf(uploaded) -> bytes:
    """Read and check an uploaded signed agreement; return its bytes.

    The file must be at most ``AGREEMENT_UPLOAD_MAX_BYTES`` (checked before
    reading) and parse as a PDF with at least one page (pypdf, strict mode): a
    renamed HTML file, or a PDF header followed by something else, is refused.
    Raises ``ValidationError`` with a message for the uploader.
    """
    limit = settings.AGREEMENT_UPLOAD_MAX_BYTES
    if uploaded is None:
        raise ValidationError(_("Choose the signed PDF file."))
    if uploaded.size > limit:
        raise ValidationError(_("The file is too large (%(size)s MB); the limit is "
                                "%(limit)s MB.") % {"size": round(uploaded.size / 2**20, 1),
                                                    "limit": limit // 2**20})
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("The file is too large; the limit is %(limit)s MB.")
                              % {"limit": limit // 2**20})
    # pypdf (and Pillow with it) loads only when a signed copy is checked: every process
    # imports this module at start, few of them read a PDF.
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        pages = len(reader.pages)
        if reader.is_encrypted:
            raise ValidationError(_("The PDF is password-protected. Upload it without a "
                                    "password."))
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError) as exc:
        raise ValidationError(_("This file is not a readable PDF. Upload the signed agreement "
                                "as a PDF file.")) from exc
    if pages < 1:
        raise ValidationError(_("This PDF has no page."))
    return data


@transaction.atomic
def agreement_upload_signed(*, agreement: Agreement, uploaded, actor: User) -> Agreement:
    """approved → signed: a representative uploads the signed copy.

    The file is checked by :func:`validate_signed_pdf` and stored in private storage
    under a generated name. Staff are notified to countersign. Raises
    ``PermissionDenied``, ``ValidationError`` or :class:`TransitionError`; on any
    error nothing is stored.
    """
    require_representative(organisation=agreement.organisation, user=actor)
    current = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if Status.SIGNED not in ALLOWED[current.status]:
        raise TransitionError(_("The signed copy can be uploaded only once the agreement is "
                                "approved."))
    data = validate_signed_pdf(uploaded)
    report = signature_report(data)
    storage = Agreement._meta.get_field("signed_pdf").storage
    name = storage.save(f"agreements/signed/{uuid.uuid4().hex}.pdf", ContentFile(data))
    try:
        agreement, _previous = agreement_transition(
            agreement=current, to=Status.SIGNED, actor=actor,
            fields={"signed_pdf": name, "signed_filename": _safe_filename(uploaded.name),
                    "signed_uploaded_at": timezone.now(), "signature_report": report},
        )
    except Exception:
        storage.delete(name)
        raise
    agreement_notify_staff(agreement, "agreement_signed", actor=actor)
    return agreement


@transaction.atomic
def agreement_countersign(*, agreement: Agreement, actor: User,
                          starts_on: dt.date | None = None) -> Agreement:
    """signed → active, by staff: the association countersigns.

    Valid from ``starts_on`` (default today) for one year. A renewal replaces the
    agreement it renews, which becomes expired the same day. Refused while the
    organisation has another active agreement. Representatives are notified.
    """
    require_staff(actor)
    starts_on = starts_on or timezone.localdate()
    ends_on = add_one_year(starts_on) - dt.timedelta(days=1)
    current = Agreement.objects.select_for_update().get(pk=agreement.pk)
    others = Agreement.objects.select_for_update().filter(
        organisation_id=current.organisation_id, status=Status.ACTIVE
    ).exclude(pk=current.pk)
    for other in others:
        if other.pk == current.renewed_from_id:
            agreement_transition(agreement=other, to=Status.EXPIRED, actor=actor,
                                 note=_("replaced by %(number)s") % {"number": current.number},
                                 fields={"ends_on": max(other.starts_on,
                                                        starts_on - dt.timedelta(days=1))})
        else:
            raise ValidationError(_("Agreement %(number)s is still active for this "
                                    "organisation. Terminate it first.")
                                  % {"number": other.number})
    try:
        with transaction.atomic():
            agreement, _previous = agreement_transition(
                agreement=current, to=Status.ACTIVE, actor=actor,
                fields={"starts_on": starts_on, "ends_on": ends_on},
            )
    except IntegrityError as exc:
        raise ValidationError(_("This organisation already has an active agreement.")) from exc
    _store_countersigned_pdf(agreement, actor=actor)
    agreement_notify_representatives(agreement, "agreement_activated")
    audit_record(action="agreement.countersigned", actor=actor, target=agreement,
                 detail={"starts_on": starts_on, "ends_on": ends_on})
    security_log.info("agreement countersigned: %s by user=%s", agreement.number, actor.pk)
    return agreement


def signature_report(data: bytes) -> list[dict]:
    """The digital signatures found in an uploaded copy, as stored on the agreement
    (:func:`members.services.pades.pdf_signatures`); ``[]`` for a scan or a file pyHanko
    cannot read (the copy itself was already checked to be a PDF)."""
    try:
        return [report.as_dict() for report in pdf_signatures(data)]
    except ValueError:
        return []


def _store_countersigned_pdf(agreement: Agreement, *, actor: User) -> None:
    """Sign the signed copy (or, without one, the generated PDF) with the association's
    certificate and store it as the agreement's record — when the certificate is set."""
    if not countersigning_configured():
        return
    source = agreement.signed_pdf or agreement.pdf
    if not source:
        return
    with source.open("rb") as handle:
        data = handle.read()
    signed = pdf_countersign(data, reason=_("Countersigned by the association for agreement "
                                            "%(number)s") % {"number": agreement.number})
    storage = Agreement._meta.get_field("countersigned_pdf").storage
    name = storage.save(f"agreements/countersigned/{uuid.uuid4().hex}.pdf",
                        ContentFile(signed))
    Agreement.objects.filter(pk=agreement.pk).update(countersigned_pdf=name)
    agreement.countersigned_pdf = name
    audit_record(action="agreement.countersigned_pdf", actor=actor, target=agreement,
                 detail={"file": name})


def add_one_year(day: dt.date) -> dt.date:
    """The same day a year later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)
