"""Digitally signed agreements (PAdES, pyHanko), against a certificate authority made here:
who signed an uploaded copy, whether it changed after, the association's countersignature."""

import datetime as dt
import io

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pypdf import PdfWriter

from members import services
from members.models import Agreement
from members.services.pades import COUNTERSIGNATURE_FIELD, pdf_signatures

from .test_agreement_workflow import advance, rep_of

pytestmark = pytest.mark.django_db
NOW = dt.datetime.now(dt.UTC)
KEY_USAGE = {"digital_signature": True, "content_commitment": True, "key_encipherment": False,
             "data_encipherment": False, "key_agreement": False, "key_cert_sign": False,
             "crl_sign": False, "encipher_only": False, "decipher_only": False}


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test")])


def _write(folder, stem, cert, key):
    (folder / f"{stem}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / f"{stem}.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return folder / f"{stem}.pem", folder / f"{stem}.key"


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    """A test certificate authority and two certificates it issued: the representative's
    and the association's. Returns ``{name: (cert path, key path)}``."""
    folder = tmp_path_factory.mktemp("ca")
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_cert = (x509.CertificateBuilder().subject_name(_name("Test CA"))
               .issuer_name(_name("Test CA")).public_key(ca_key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(NOW - dt.timedelta(days=1))
               .not_valid_after(NOW + dt.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(**{**KEY_USAGE, "key_cert_sign": True,
                                               "crl_sign": True}), critical=True)
               .sign(ca_key, hashes.SHA256()))
    found = {"ca": _write(folder, "ca", ca_cert, ca_key)}
    for stem, common_name in (("rep", "Annaïg Le Floch"), ("association", "Association Algoric")):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = (x509.CertificateBuilder().subject_name(_name(common_name))
                .issuer_name(ca_cert.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(NOW - dt.timedelta(days=1))
                .not_valid_after(NOW + dt.timedelta(days=30))
                .add_extension(x509.KeyUsage(**KEY_USAGE), critical=True)
                .sign(ca_key, hashes.SHA256()))
        found[stem] = _write(folder, stem, cert, key)
    return found


@pytest.fixture
def trusted(ca, settings):
    settings.AGREEMENT_SIGNATURE_TRUST_ROOTS = [str(ca["ca"][0])]
    settings.AGREEMENT_SIGNING_CERT = str(ca["association"][0])
    settings.AGREEMENT_SIGNING_KEY = str(ca["association"][1])
    settings.AGREEMENT_SIGNING_KEY_PASSPHRASE = ""
    return ca


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def signed_by_representative(ca, data=None) -> bytes:
    cert, key = ca["rep"]
    signer = signers.SimpleSigner.load(str(key), str(cert), ca_chain_files=(str(ca["ca"][0]),))
    output = io.BytesIO()
    signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data or blank_pdf()), strict=False),
                     signers.PdfSignatureMetadata(field_name="Representative",
                                                  subfilter=fields.SigSeedSubFilter.PADES),
                     signer=signer, output=output)
    return output.getvalue()


def changed_after_signing(data: bytes) -> bytes:
    """``data`` with an incremental update that turns its first page (not a signature,
    not form filling: a change of the document)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    page = writer.root["/Pages"].raw_get("/Kids")[0].get_object()
    page["/Rotate"] = generic.NumberObject(90)
    writer.update_container(page)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def test_a_signed_copy_reports_its_signer_intact_and_trusted(trusted):
    [report] = pdf_signatures(signed_by_representative(trusted))
    assert "Annaïg Le Floch" in report.signer
    assert report.intact and report.valid and report.trusted
    assert not report.changed_after
    assert report.signed_at


def test_a_copy_changed_after_signing_is_reported_changed(trusted):
    [report] = pdf_signatures(changed_after_signing(signed_by_representative(trusted)))
    assert report.intact  # the signed revision itself is untouched…
    assert report.changed_after  # …but the document shown is not what was signed


def test_a_copy_whose_signed_bytes_were_altered_is_not_intact(trusted):
    data = bytearray(signed_by_representative(trusted))
    position = data.index(b"/MediaBox")
    data[position + 11:position + 12] = b"9"  # a byte inside the signed range
    [report] = pdf_signatures(bytes(data))
    assert not report.intact and report.changed_after


def test_a_signature_from_an_unknown_authority_is_valid_but_not_trusted(trusted, settings):
    settings.AGREEMENT_SIGNATURE_TRUST_ROOTS = []
    settings.AGREEMENT_SIGNING_CERT = ""
    [report] = pdf_signatures(signed_by_representative(trusted))
    assert report.intact and not report.trusted


def test_a_scan_has_no_signature():
    assert pdf_signatures(blank_pdf()) == []


def test_upload_records_the_signature_and_countersigning_signs_with_the_association(
        draft, reviewer, trusted):
    agreement = advance(draft, reviewer, Agreement.Status.APPROVED)
    agreement = services.agreement_upload_signed(
        agreement=agreement, actor=rep_of(agreement), uploaded=SimpleUploadedFile(
            "signed.pdf", signed_by_representative(trusted), content_type="application/pdf"))
    [recorded] = agreement.signature_report
    assert "Annaïg Le Floch" in recorded["signer"] and not recorded["changed_after"]
    agreement = services.agreement_countersign(agreement=agreement, actor=reviewer)
    agreement.refresh_from_db()
    assert agreement.countersigned_pdf
    with agreement.countersigned_pdf.open("rb") as handle:
        reports = {report.field: report for report in pdf_signatures(handle.read())}
    association = reports[COUNTERSIGNATURE_FIELD]
    assert "Association Algoric" in association.signer
    assert association.valid and association.trusted and not association.changed_after
    # Countersigning is an allowed change for the representative's signature.
    assert reports["Representative"].intact and not reports["Representative"].changed_after


def test_without_a_certificate_countersigning_stores_no_signed_file(draft, reviewer, settings):
    settings.AGREEMENT_SIGNING_CERT = ""
    agreement = advance(draft, reviewer, Agreement.Status.ACTIVE)
    assert agreement.status == Agreement.Status.ACTIVE and not agreement.countersigned_pdf


def test_the_staff_review_page_shows_who_signed_and_that_it_changed(
        client, draft, reviewer, trusted):
    agreement = advance(draft, reviewer, Agreement.Status.APPROVED)
    agreement = services.agreement_upload_signed(
        agreement=agreement, actor=rep_of(agreement), uploaded=SimpleUploadedFile(
            "signed.pdf", changed_after_signing(signed_by_representative(trusted)),
            content_type="application/pdf"))
    client.force_login(reviewer)
    page = client.get(reverse("members:staff_agreement_review", args=[agreement.pk]))
    text = page.content.decode()
    assert "Annaïg Le Floch" in text
    with translation.override("fr"):
        assert gettext("changed after signing") in text
