"""Identifiers of research outputs, checked and written one way.

- DOI: ``10.<registrant>/<suffix>`` (DOI Handbook, section 2.2); stored in lower case
  (DOIs are case-insensitive, DOI Handbook 2.4) without resolver prefix
  (``https://doi.org/``, ``http://dx.doi.org/``, ``doi:``).
- HAL id: ``hal-01234567`` (or another portal's prefix, ``tel-``, ``insu-``…) with an
  optional version ``v2`` (HAL documentation, "Identifiants"); stored without version.
- arXiv id: new style ``2401.01234`` (4 + 4 or 5 digits, optional version) or old style
  ``hep-th/9901001`` (arXiv help, "Understanding the arXiv identifier"); stored without
  the ``arXiv:`` prefix and without version.
- SWHID: ``swh:1:<cnt|dir|rev|rel|snp>:<40 hex>`` (Software Heritage identifiers,
  version 1 core); qualifiers after ``;`` are dropped.

Each ``normalise_…`` returns ``""`` for an empty value and raises
``django.core.exceptions.ValidationError`` with a message saying what is expected.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DOI_RE = re.compile(r"^10\.\d{4,9}(\.\d+)*/\S+$")
DOI_PREFIX_RE = re.compile(
    r"^(?:https?://(?:dx\.)?doi\.org/|doi\.org/|doi:\s*|https?://hdl\.handle\.net/)",
    re.IGNORECASE)
HAL_ID_RE = re.compile(r"^([a-z]{2,20}-\d{6,9})(?:v\d+)?$")
HAL_URL_RE = re.compile(r"^https?://[a-z.-]*(?:hal\.science|archives-ouvertes\.fr)/",
                        re.IGNORECASE)
ARXIV_NEW_RE = re.compile(r"^(\d{4}\.\d{4,5})(?:v\d+)?$")
ARXIV_OLD_RE = re.compile(r"^([a-z-]+(?:\.[a-z]{2})?/\d{7})(?:v\d+)?$", re.IGNORECASE)
ARXIV_PREFIX_RE = re.compile(r"^(?:arxiv:\s*|https?://arxiv\.org/(?:abs|pdf)/)",
                             re.IGNORECASE)
SWHID_RE = re.compile(r"^swh:1:(cnt|dir|rev|rel|snp):[0-9a-f]{40}$")


def normalise_doi(value: str) -> str:
    """``value`` as a bare lower-case DOI (``10.1051/0004-6361/202345678``).

    Accepts a resolver link (``https://doi.org/…``, ``http://dx.doi.org/…``) or the
    ``doi:`` prefix, and URL-escaped slashes. Raises ``ValidationError`` when what is
    left is not ``10.<digits>/<suffix>``.
    """
    text = (value or "").strip()
    if not text:
        return ""
    text = DOI_PREFIX_RE.sub("", text).strip().replace("%2F", "/").replace("%2f", "/")
    text = text.rstrip(".,;")
    if not DOI_RE.match(text):
        raise ValidationError(
            _("“%(value)s” is not a DOI: a DOI starts with 10., then digits, a slash and "
              "a suffix (10.1051/0004-6361/202345678).") % {"value": value.strip()[:80]},
            code="doi")
    return text.lower()


def normalise_hal_id(value: str) -> str:
    """``value`` as a HAL id without version (``hal-01234567``).

    Accepts a HAL address (``https://hal.science/hal-01234567v2``) and upper case.
    Raises ``ValidationError`` otherwise.
    """
    text = (value or "").strip()
    if not text:
        return ""
    text = HAL_URL_RE.sub("", text).strip("/").split("/")[0].lower()
    match = HAL_ID_RE.match(text)
    if not match:
        raise ValidationError(
            _("“%(value)s” is not a HAL id: a HAL id is a prefix, a dash and digits, "
              "with an optional version (hal-01234567 or hal-01234567v2).")
            % {"value": value.strip()[:80]}, code="hal_id")
    return match.group(1)


def normalise_arxiv_id(value: str) -> str:
    """``value`` as an arXiv id without version, new style (``2401.01234``) or old style
    (``hep-th/9901001``). Accepts ``arXiv:`` and arXiv links. Raises ``ValidationError``
    otherwise."""
    text = (value or "").strip()
    if not text:
        return ""
    text = ARXIV_PREFIX_RE.sub("", text).strip()
    match = ARXIV_NEW_RE.match(text) or ARXIV_OLD_RE.match(text)
    if not match:
        raise ValidationError(
            _("“%(value)s” is not an arXiv id (2401.01234, or hep-th/9901001 for the old "
              "style).") % {"value": value.strip()[:80]}, code="arxiv_id")
    return match.group(1).lower() if "/" in match.group(1) else match.group(1)


def normalise_swhid(value: str) -> str:
    """``value`` as a core SWHID (``swh:1:dir:<40 hex>``), qualifiers (after ``;``)
    dropped. Raises ``ValidationError`` otherwise."""
    text = (value or "").strip()
    if not text:
        return ""
    core = text.split(";")[0].strip().lower()
    if not SWHID_RE.match(core):
        raise ValidationError(
            _("“%(value)s” is not a Software Heritage id: swh:1:, then cnt, dir, rev, rel "
              "or snp, a colon and 40 hexadecimal digits.") % {"value": text[:80]},
            code="swhid")
    return core


def title_key(title: str) -> str:
    """``title`` reduced to lower-case ASCII letters and digits (accents, case, spaces
    and punctuation ignored): two spellings of one title give the same key."""
    decomposed = unicodedata.normalize("NFKD", title or "")
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "", ascii_text)[:500]
