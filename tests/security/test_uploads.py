"""Hostile uploads at the two upload forms: the signed agreement and the accounting file.

Already covered elsewhere and not repeated here: an HTML file renamed ``.pdf``, a PDF
header followed by HTML and an 11 MB file at the agreement upload
(tests/members/test_agreement_views.py), a file over the cap at the accounting upload
(tests/resources/test_accounting_views.py). This module adds path-like and very long
names at both, and HTML at the accounting upload.
"""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from resources.models import AccountingImport

from .conftest import signed_pdf_bytes

pytestmark = pytest.mark.django_db

LONG = "a" * 400
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>\n"


@pytest.fixture
def approved(world):
    world.agreement.status = "approved"
    world.agreement.signed_pdf = ""
    world.agreement.save()
    return world.agreement


@pytest.mark.parametrize("name", [LONG + ".pdf", "../../etc/passwd.pdf",
                                  "..\\..\\windows\\win.ini.pdf", "a\x00b.pdf",
                                  "<script>alert(1)</script>.pdf"],
                         ids=["very-long", "path-like", "windows-path", "nul-byte", "html"])
def test_agreement_upload_names_are_never_trusted(client, world, approved, name):
    client.force_login(world.representative)
    response = client.post(reverse("members:agreement_upload", args=[approved.pk]),
                           {"signed_pdf": SimpleUploadedFile(name, signed_pdf_bytes(),
                                                             content_type="application/pdf")})
    assert response.status_code < 500
    approved.refresh_from_db()
    if approved.signed_pdf:
        stored = approved.signed_pdf.name
        assert stored.startswith("agreements/signed/") and ".." not in stored
        assert "passwd" not in stored and "win.ini" not in stored and "<" not in stored
        assert len(approved.signed_filename) <= 120
        assert "/" not in approved.signed_filename and "\\" not in approved.signed_filename
    page = client.get(reverse("members:agreement_detail", args=[approved.pk]))
    assert "<script>alert(1)" not in page.content.decode()


@pytest.fixture
def staff_client(client, world):
    """Signed in as the staff member of ``world`` (instead of the shared ``staff_client``)."""
    client.force_login(world.staff)
    return client


def _upload(client, name: str, data: bytes):
    return client.post(reverse("resources:accounting:list"), {
        "file": SimpleUploadedFile(name, data, content_type="text/plain"),
        "format": "sacct", "cluster": "secu"})


@pytest.mark.parametrize(("name", "data"), [
    ("export.sacct", HTML),
    ("export.pdf", b"%PDF-1.7\n" + HTML),
    ("../../etc/passwd", b"1|2|3\n"),
    (LONG + ".sacct", b"1|2|3\n"),
    ("<img src=x onerror=alert(1)>.sacct", b"1|2|3\n"),
], ids=["html", "pdf-then-html", "path-like", "very-long", "html-name"])
def test_accounting_upload_of_hostile_files_is_reported_not_served(
        staff_client, name, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(staff_client, name, data)
    assert response.status_code in {HTTPStatus.FOUND, HTTPStatus.BAD_REQUEST}
    accounting_import = AccountingImport.objects.order_by("-pk").first()
    if response.status_code == HTTPStatus.FOUND:
        assert accounting_import.file_name != "" and len(accounting_import.file_name) <= 255
        stored = accounting_import.file.name
        assert ".." not in stored and "passwd" not in stored and "<" not in stored
        assert accounting_import.status in {"failed", "done_with_errors", "done"}
        assert accounting_import.jobs_added == 0
        detail = staff_client.get(reverse("resources:accounting:detail",
                                          args=[accounting_import.pk]))
        assert detail.status_code == HTTPStatus.OK
        page = detail.content.decode()
        assert "<script>alert(document.cookie)" not in page
        assert "<img src=x onerror" not in page
    listing = staff_client.get(reverse("resources:accounting:list")).content.decode()
    assert "<img src=x onerror" not in listing
