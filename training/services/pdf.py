"""HTML to PDF for the training documents (certificates, course-login sheets), with
WeasyPrint, never touching the network (as ``members.services.agreement_pdf`` does)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings


def _local_url_fetcher():
    """A WeasyPrint URL fetcher that reads only files under ``BASE_DIR/static``; any
    other URL raises ``ValueError`` (WeasyPrint then leaves the resource out)."""
    from weasyprint.urls import URLFetcher  # imported here: loads Pango, needed for PDFs

    static_root = (Path(settings.BASE_DIR) / "static").resolve()

    class LocalStaticFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
                raise ValueError(f"remote resources are not fetched: {url[:200]}")
            if not Path(url2pathname(parts.path)).resolve().is_relative_to(static_root):
                raise ValueError(f"only files under static/ are read: {url[:200]}")
            return super().fetch(url, headers)

    return LocalStaticFetcher(allowed_protocols={"file"}, allow_redirects=False)


def pdf_from_html(html: str) -> bytes:
    """Print ``html`` (a full document with its own CSS) to PDF bytes."""
    from weasyprint import HTML  # imported here: loads Pango, needed only for PDFs

    return HTML(string=html, base_url=str(settings.BASE_DIR) + "/",
                url_fetcher=_local_url_fetcher()).write_pdf()
