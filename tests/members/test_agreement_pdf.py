"""The agreement PDF: its content, its escaping, when it is generated, where it is stored."""

import datetime as dt
import io
import logging
import re
import urllib.request

import pytest
from django.core.files.storage import storages
from django.utils import translation
from pypdf import PdfReader

from members.models import Agreement
from members.models.agreements import TermsTemplate
from members.services import (
    agreement_approve,
    agreement_create,
    agreement_submit,
    agreement_update_draft,
)
from members.services.agreement_pdf import (
    _local_url_fetcher,
    agreement_pdf_bytes,
    agreement_pdf_for_download,
    agreement_pdf_refresh,
    agreement_render_html,
)

pytestmark = pytest.mark.django_db

KINDS = ("sme", "lab", "public_body", "school", "association", "individual")


@pytest.fixture
def agreement(organisation):
    """A draft agreement of the SME ``organisation`` with a named signatory."""
    draft = agreement_create(organisation=organisation, actor=organisation.representative)
    return agreement_update_draft(
        agreement=draft, actor=organisation.representative,
        data={"signatory_name": "Maëlle Le Floc’h", "signatory_title": "Gérante"},
    )


def pdf_text(data: bytes) -> tuple[int, str]:
    """(number of pages, extracted text with whitespace collapsed) of a PDF."""
    reader = PdfReader(io.BytesIO(data), strict=True)
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", text)


def test_migration_published_terms_v1_for_every_kind():
    for kind in KINDS:
        terms = TermsTemplate.objects.get(kind=kind, version=1)
        assert terms.is_published
        assert terms.title_fr and terms.title_en
        assert terms.body_fr.startswith("## Article 1 — Objet")
        assert terms.body_en.startswith("## Article 1 — Purpose")
        assert terms.body_fr.count("## Article ") == terms.body_en.count("## Article ") == 12
        assert "{data}" not in terms.body_fr + terms.body_en


def test_french_pdf_has_the_agreement_details(agreement, organisation):
    pages, text = pdf_text(agreement_pdf_bytes(agreement=agreement))

    assert pages >= 2
    assert agreement.number in text
    assert organisation.name in text
    assert organisation.siret in text
    assert "Maëlle Le Floc’h" in text
    assert "Article 1" in text and "Objet" in text
    assert "Purpose" not in text


def test_english_organisation_gets_english_terms(agreement, organisation):
    organisation.language = "en"
    organisation.save(update_fields=["language"])
    agreement.refresh_from_db()

    pages, text = pdf_text(agreement_pdf_bytes(agreement=agreement))

    assert pages >= 2
    assert agreement.number in text
    assert organisation.siret in text
    assert "Article 1" in text and "Purpose" in text
    assert "Objet" not in text


def test_language_argument_overrides_and_does_not_leak(agreement):
    html = agreement_render_html(agreement=agreement, language="en")

    assert 'lang="en"' in html
    assert "Article 1 — Purpose" in html
    assert translation.get_language() == "fr"


def test_english_falls_back_to_french_terms_when_empty(agreement):
    TermsTemplate.objects.filter(pk=agreement.terms_id).update(title_en="", body_en="")
    agreement.refresh_from_db()

    html = agreement_render_html(agreement=agreement, language="en")

    assert "Article 1 — Objet" in html


def test_hostile_organisation_name_is_escaped(agreement, organisation):
    organisation.name = "<script>alert(1)</script>"
    organisation.save(update_fields=["name"])
    agreement.refresh_from_db()

    html = agreement_render_html(agreement=agreement)

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    _pages, text = pdf_text(agreement_pdf_bytes(agreement=agreement))
    assert "<script>alert(1)</script>" in text  # shown as text, not run


def test_terms_markdown_is_sanitised(agreement):
    TermsTemplate.objects.filter(pk=agreement.terms_id).update(
        body_fr="## Article 1 — Objet\n\n<script>alert(1)</script>\n\n"
                '<img src="x" onerror="alert(2)">')
    agreement.refresh_from_db()

    html = agreement_render_html(agreement=agreement)

    assert "<script>alert(1)" not in html
    assert "onerror" not in html


def test_rendering_never_fetches_remote_resources(agreement, monkeypatch, caplog):
    opened = []
    monkeypatch.setattr(urllib.request.OpenerDirector, "open",
                        lambda self, *args, **kwargs: opened.append(args))
    TermsTemplate.objects.filter(pk=agreement.terms_id).update(
        body_fr="## Article 1 — Objet\n\n![logo](http://127.0.0.1:9/logo.png)\n\n"
                "![local](../../../etc/passwd)")
    agreement.refresh_from_db()

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        data = agreement_pdf_bytes(agreement=agreement)

    assert data.startswith(b"%PDF")
    assert opened == []
    assert "remote resources are not fetched" in caplog.text  # asked, and refused
    assert "only files under static/ are read" in caplog.text


@pytest.mark.parametrize("url", [
    "http://example.org/logo.png",
    "https://example.org/logo.png",
    "ftp://example.org/logo.png",
    "data:image/png;base64,iVBORw0KGgo=",
    "file:///etc/passwd",
    "file://example.org/static/logo.png",
])
def test_url_fetcher_refuses_anything_but_local_static_files(url):
    with pytest.raises(ValueError):
        _local_url_fetcher().fetch(url)


def test_refresh_generates_once_then_only_when_the_draft_changes(
        agreement, organisation, django_capture_on_commit_callbacks):
    private = storages["private"]

    assert agreement_pdf_refresh(agreement=agreement) is True
    agreement.refresh_from_db()
    first = agreement.pdf.name
    assert re.fullmatch(r"agreements/generated/[0-9a-f]{32}\.pdf", first)
    assert private.exists(first)
    assert agreement.pdf.storage is private
    assert re.fullmatch(r"[0-9a-f]{64}", agreement.pdf_fingerprint)

    assert agreement_pdf_refresh(agreement=agreement) is False
    agreement.refresh_from_db()
    assert agreement.pdf.name == first

    agreement_update_draft(agreement=agreement, actor=organisation.representative,
                           data={"signatory_name": "Yann Guégan"})
    with django_capture_on_commit_callbacks(execute=True):
        assert agreement_pdf_refresh(agreement=agreement) is True
    agreement.refresh_from_db()
    assert agreement.pdf.name != first
    assert private.exists(agreement.pdf.name)
    assert not private.exists(first)  # the previous file is deleted
    _pages, text = pdf_text(private.open(agreement.pdf.name).read())
    assert "Yann Guégan" in text


def test_refresh_follows_organisation_details_while_submitted(agreement, organisation):
    agreement_pdf_refresh(agreement=agreement)
    agreement = agreement_submit(agreement=agreement, actor=organisation.representative)
    organisation.city = "Vannes"
    organisation.save(update_fields=["city"])

    assert agreement_pdf_refresh(agreement=agreement) is True


def test_pdf_is_frozen_after_approval_unless_forced(agreement, organisation, staff_with_mfa):
    agreement = agreement_submit(agreement=agreement, actor=organisation.representative)
    agreement = agreement_approve(agreement=agreement, actor=staff_with_mfa)
    agreement.refresh_from_db()
    approved = agreement.pdf.name
    assert approved.startswith("agreements/generated/")  # generated at approval

    Agreement.objects.filter(pk=agreement.pk).update(signatory_name="Someone Else")
    organisation.name = "Renamed SAS"
    organisation.save(update_fields=["name"])
    agreement.refresh_from_db()

    assert agreement_pdf_refresh(agreement=agreement) is False
    agreement.refresh_from_db()
    assert agreement.pdf.name == approved
    _pages, text = pdf_text(agreement_pdf_for_download(agreement=agreement))
    assert "Someone Else" not in text

    assert agreement_pdf_refresh(agreement=agreement, force=True) is True
    agreement.refresh_from_db()
    assert agreement.pdf.name != approved


def test_download_returns_the_stored_pdf(agreement):
    data = agreement_pdf_for_download(agreement=agreement)

    agreement.refresh_from_db()
    assert data.startswith(b"%PDF")
    assert storages["private"].open(agreement.pdf.name).read() == data
    assert agreement_pdf_for_download(agreement=agreement) == data  # nothing changed


def test_download_generates_a_missing_pdf_after_approval(agreement, organisation):
    Agreement.objects.filter(pk=agreement.pk).update(status=Agreement.Status.APPROVED)
    agreement.refresh_from_db()
    assert not agreement.pdf

    data = agreement_pdf_for_download(agreement=agreement)

    assert data.startswith(b"%PDF")
    agreement.refresh_from_db()
    assert agreement.pdf.name.startswith("agreements/generated/")


def test_validity_shows_the_dates_once_known(agreement):
    html = agreement_render_html(agreement=agreement)
    assert "countersignature" in html or "contresignature" in html

    Agreement.objects.filter(pk=agreement.pk).update(
        starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2027, 2, 28))
    agreement.refresh_from_db()

    assert "1 mars 2026" in agreement_render_html(agreement=agreement)
    english = agreement_render_html(agreement=agreement, language="en")
    assert "1 March 2026" in english and "28 February 2027" in english
