"""PAdES signatures of agreement PDFs, with pyHanko: reading who signed and whether the
file changed after, and the association's countersignature.

- :func:`pdf_signatures` validates each signature embedded in a PDF (pyHanko's
  ``validate_pdf_signature``, nothing fetched from the network): the signer (subject of
  the signing certificate), the time it claims, whether the signed bytes are intact,
  whether the certificate chains to a trusted root (``AGREEMENT_SIGNATURE_TRUST_ROOTS``
  and the association's own certificate), and whether the document was changed after
  signing. A change is a broken digest, or a later revision that pyHanko's difference
  analysis cannot explain as form filling, a new signature or an archival update
  (``ModificationLevel.OTHER``).
- :func:`pdf_countersign` adds the association's signature (PAdES baseline B,
  ``/ETSI.CAdES.detached``) as an incremental update, so the representative's signature
  stays valid; the certificate and key come from ``AGREEMENT_SIGNING_CERT`` and
  ``AGREEMENT_SIGNING_KEY`` (PEM files; ``AGREEMENT_SIGNING_KEY_PASSPHRASE``).
"""

from __future__ import annotations

import io
import logging
from dataclasses import asdict, dataclass

from django.conf import settings

logger = logging.getLogger(__name__)

#: The signature field the association's countersignature goes in.
COUNTERSIGNATURE_FIELD = "AlgoricCountersignature"


@dataclass(frozen=True)
class SignatureReport:
    """One embedded signature: ``field`` (its form field), ``signer`` (the certificate's
    subject, readable), ``signed_at`` (ISO 8601 time the signer claims, or ``""``),
    ``intact`` (the signed bytes hash to the signed digest), ``valid`` (intact and the
    cryptographic signature checks), ``trusted`` (the certificate chains to a trusted
    root), ``changed_after`` (the document was changed after this signature in a way
    not allowed: see the module)."""

    field: str
    signer: str
    signed_at: str
    intact: bool
    valid: bool
    trusted: bool
    changed_after: bool

    def as_dict(self) -> dict:
        """The report as a JSON-able dict (stored on the agreement)."""
        return asdict(self)


def _trust_roots() -> list:
    from pyhanko.keys import load_cert_from_pemder

    paths = list(getattr(settings, "AGREEMENT_SIGNATURE_TRUST_ROOTS", []) or [])
    if settings.AGREEMENT_SIGNING_CERT:
        paths.append(settings.AGREEMENT_SIGNING_CERT)
    return [load_cert_from_pemder(path) for path in paths]


def pdf_signatures(data: bytes) -> list[SignatureReport]:
    """Validate every signature embedded in the PDF ``data``; ``[]`` for a PDF without
    any (a scan). Never fetches revocation data. Raises ``ValueError`` when pyHanko
    cannot read the file."""
    # pyHanko loads only when a PDF is checked: few processes ever do.
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as error:  # pyHanko raises many kinds on a broken file
        raise ValueError(f"unreadable PDF: {error}") from error
    context = ValidationContext(trust_roots=_trust_roots(), allow_fetching=False)
    reports = []
    for signature in embedded:
        try:
            status = validate_pdf_signature(signature, context)
        except Exception:  # a malformed signature is reported as broken, not a 500
            logger.warning("signature %s could not be validated", signature.field_name,
                           exc_info=True)
            reports.append(SignatureReport(field=signature.field_name, signer="",
                                           signed_at="", intact=False, valid=False,
                                           trusted=False, changed_after=True))
            continue
        changed = (not status.intact
                   or status.modification_level == ModificationLevel.OTHER
                   or status.docmdp_ok is False)
        signed_at = status.signer_reported_dt.isoformat() if status.signer_reported_dt else ""
        reports.append(SignatureReport(
            field=signature.field_name, signer=status.signing_cert.subject.human_friendly,
            signed_at=signed_at, intact=bool(status.intact), valid=bool(status.valid),
            trusted=bool(status.trusted), changed_after=changed))
    return reports


def countersigning_configured() -> bool:
    """Whether the association's certificate and key are set (settings)."""
    return bool(settings.AGREEMENT_SIGNING_CERT and settings.AGREEMENT_SIGNING_KEY)


def pdf_countersign(data: bytes, *, reason: str) -> bytes:
    """The PDF ``data`` with the association's PAdES signature added (incremental update,
    field :data:`COUNTERSIGNATURE_FIELD`, ``reason`` as its reason). Raises ``ValueError``
    when the certificate or key is not configured or cannot be loaded."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    if not countersigning_configured():
        raise ValueError("AGREEMENT_SIGNING_CERT and AGREEMENT_SIGNING_KEY are not set")
    passphrase = settings.AGREEMENT_SIGNING_KEY_PASSPHRASE.encode() or None
    signer = signers.SimpleSigner.load(settings.AGREEMENT_SIGNING_KEY,
                                       settings.AGREEMENT_SIGNING_CERT, key_passphrase=passphrase)
    if signer is None:
        raise ValueError("the countersigning certificate or key cannot be loaded")
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    output = io.BytesIO()
    signers.sign_pdf(writer, signers.PdfSignatureMetadata(
        field_name=COUNTERSIGNATURE_FIELD, reason=reason[:200],
        subfilter=fields.SigSeedSubFilter.PADES), signer=signer, output=output)
    return output.getvalue()
