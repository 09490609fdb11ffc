"""The agreement PDF: the contract as HTML, printed to PDF by WeasyPrint, stored privately.

The PDF follows the draft: while an agreement is ``draft`` or ``submitted`` it is
generated again whenever the HTML it comes from changes (signatory, organisation
details, terms, template). From approval on it is frozen: ``agreement_approve``
generates it one last time (``force=True``) and it never changes after that, so the
copy the representative signs is the copy staff approved.

Rendering never touches the network: WeasyPrint gets a URL fetcher that refuses
anything but local files under ``static/`` (the terms' Markdown is staff-written,
but an image link must not make the server fetch a URL or read an arbitrary file).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from algoric.pages.markdown import render_markdown

from ..models import Agreement
from ..models.organisations import OrganisationKind

logger = logging.getLogger(__name__)

#: The template of the contract (A4, its own CSS: WeasyPrint does not apply the site CSP).
TEMPLATE = "members/agreement_pdf.html"
#: Statuses in which the PDF follows the draft; from approval on it is frozen.
FOLLOWS_DRAFT = {Agreement.Status.DRAFT, Agreement.Status.SUBMITTED}
#: Folder (in private storage) of the generated PDFs; names are random (uuid4).
GENERATED_FOLDER = "agreements/generated"


def _language_of(agreement: Agreement, language: str | None) -> str:
    """``language`` if it is one of ``settings.LANGUAGES``, else the organisation's."""
    codes = {code for code, _name in settings.LANGUAGES}
    if language in codes:
        return language
    if agreement.organisation.language in codes:
        return agreement.organisation.language
    return settings.LANGUAGE_CODE


def _terms_text(terms, language: str) -> tuple[str, str]:
    """(title, Markdown body) of ``terms`` in ``language``; French when English is empty."""
    if language == "en" and (terms.body_en or "").strip():
        return (terms.title_en or terms.title_fr), terms.body_en
    return terms.title_fr, terms.body_fr


def agreement_render_html(*, agreement: Agreement, language: str | None = None) -> str:
    """Render ``agreement`` as the HTML of its contract.

    Args:
        agreement: the agreement; its organisation and terms are read from it.
        language: ``"fr"`` or ``"en"``; default (or any other value) the
            organisation's ``language``. Every fixed string of the template is
            translated into it (``translation.override``), and the terms are taken
            in it (``title_en``/``body_en``, or the French ones when the English
            body is empty).

    Returns the full HTML document (``str``). The terms' Markdown is rendered by
    :func:`algoric.pages.markdown.render_markdown` (sanitised); every other
    user-written value is escaped by the template. The output holds no date or
    random value of its own, so the same agreement gives the same HTML (its
    SHA-256 is the PDF's fingerprint).
    """
    language = _language_of(agreement, language)
    organisation = agreement.organisation
    terms = agreement.terms
    title, body = _terms_text(terms, language)
    with translation.override(language):
        return render_to_string(TEMPLATE, {
            "agreement": agreement,
            "organisation": organisation,
            "terms": terms,
            "title": title,
            # Sanitised by nh3 in render_markdown: only the allowed tags survive.
            "terms_html": mark_safe(render_markdown(body)),  # noqa: S308  # nosec B308 B703
            "kind_label": organisation.get_kind_display(),
            "is_individual": organisation.kind == OrganisationKind.INDIVIDUAL,
            "research_code_label": {
                OrganisationKind.LAB: "RNSR", OrganisationKind.SCHOOL: "UAI",
            }.get(organisation.kind, "RNSR / UAI"),
        })


def _local_url_fetcher():
    """A WeasyPrint URL fetcher that only reads files under ``BASE_DIR/static``.

    Any other URL (``http``, ``https``, ``data``, ``ftp``…, or a ``file`` URL
    outside the static folder) raises ``ValueError``, which WeasyPrint logs and
    skips (the image or stylesheet is left out; the PDF is still produced).
    """
    from weasyprint.urls import URLFetcher  # imported here, like HTML below: loads Pango

    static_root = (Path(settings.BASE_DIR) / "static").resolve()

    class LocalStaticFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
                raise ValueError(f"remote resources are not fetched: {url[:200]}")
            path = Path(url2pathname(parts.path)).resolve()
            if not path.is_relative_to(static_root):
                raise ValueError(f"only files under static/ are read: {url[:200]}")
            return super().fetch(url, headers)

    return LocalStaticFetcher(allowed_protocols={"file"}, allow_redirects=False)


def _pdf_from_html(html: str) -> bytes:
    """Print ``html`` to PDF with WeasyPrint (relative URLs resolved against BASE_DIR)."""
    from weasyprint import HTML  # imported here: loads Pango, needed only for PDFs

    return HTML(string=html, base_url=str(settings.BASE_DIR),
                url_fetcher=_local_url_fetcher()).write_pdf()


def agreement_pdf_bytes(*, agreement: Agreement, language: str | None = None) -> bytes:
    """The agreement's contract as a PDF (``bytes``), rendered now, not stored.

    Args:
        agreement: the agreement.
        language: as for :func:`agreement_render_html` (default: the organisation's).

    Nothing is fetched from the network (see :func:`_local_url_fetcher`). Raises
    whatever WeasyPrint raises when Pango is missing (``OSError``).
    """
    return _pdf_from_html(agreement_render_html(agreement=agreement, language=language))


def _fingerprint(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


@transaction.atomic
def agreement_pdf_refresh(*, agreement: Agreement, force: bool = False) -> bool:
    """Generate and store the agreement's PDF when it is missing or out of date.

    Without ``force``, the PDF is generated only while the agreement is ``draft``
    or ``submitted``, and only when there is no file yet or the SHA-256 of the
    rendered HTML (``pdf_fingerprint``) changed — the PDF follows the draft. From
    approval on it is frozen: only ``force=True`` (used by ``agreement_approve``)
    generates it again.

    The PDF is rendered in the organisation's language and saved in private
    storage as ``agreements/generated/<uuid4 hex>.pdf``; the previous file is
    deleted once the transaction commits. Only ``pdf`` and ``pdf_fingerprint`` are
    saved (``updated_at`` is left alone: a regeneration is not an edit). The row is
    locked while it is done, so two concurrent calls give one file. ``agreement``
    is updated in place.

    Returns ``True`` when a PDF was generated, ``False`` when nothing was done.
    """
    locked = (Agreement.objects.select_for_update()
              .select_related("organisation", "terms").get(pk=agreement.pk))
    if not force and locked.status not in FOLLOWS_DRAFT:
        return False
    html = agreement_render_html(agreement=locked)
    fingerprint = _fingerprint(html)
    if not force and locked.pdf and locked.pdf_fingerprint == fingerprint:
        return False

    data = _pdf_from_html(html)
    storage = Agreement._meta.get_field("pdf").storage
    previous = locked.pdf.name if locked.pdf else ""
    name = storage.save(f"{GENERATED_FOLDER}/{uuid.uuid4().hex}.pdf", ContentFile(data))
    try:
        locked.pdf = name
        locked.pdf_fingerprint = fingerprint
        locked.save(update_fields=["pdf", "pdf_fingerprint"])
    except Exception:
        storage.delete(name)
        raise
    if previous and previous != name:
        transaction.on_commit(lambda: storage.delete(previous))
    agreement.pdf = name
    agreement.pdf_fingerprint = fingerprint
    logger.info("agreement PDF generated: %s (%s, %d bytes)", locked.number, name, len(data))
    return True


def agreement_pdf_for_download(*, agreement: Agreement) -> bytes:
    """The PDF to hand to a user: refreshed if the draft changed, then read from storage.

    Calls :func:`agreement_pdf_refresh` (not forced), so a draft's PDF is up to
    date and an approved one is the frozen copy. An agreement past the draft stage
    that has no file at all (approved before PDFs existed) gets one generated once.
    Returns the PDF's bytes. Permission checks are the caller's (the view gets the
    agreement through ``agreement_for_user``).
    """
    agreement_pdf_refresh(agreement=agreement)
    current = Agreement.objects.only("pk", "pdf").get(pk=agreement.pk)
    if not current.pdf:
        agreement_pdf_refresh(agreement=agreement, force=True)
        current = Agreement.objects.only("pk", "pdf").get(pk=agreement.pk)
    with current.pdf.open("rb") as stored:
        return stored.read()
