"""Outputs from a BibTeX file (a HAL, Zotero, INSPIRE or JabRef export).

The file is parsed with ``bibtexparser`` (version 2: a fault-tolerant splitter, so one
broken entry does not stop the others; LaTeX escapes such as ``{\\'e}``, ``\\"{o}``,
``{\\c c}`` and ``--`` decoded to Unicode by its ``LatexDecodingMiddleware``). Every
entry is accounted for in the :class:`BibtexReport`: added, already known (linked to the
project, or already linked), or refused with the reason. Each entry is recorded in its
own transaction through :func:`~projects.outputs.services.manual.research_output_record`,
so importing the same file again adds nothing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import bibtexparser
from bibtexparser import middlewares
from bibtexparser.model import DuplicateBlockKeyBlock, Entry
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record

from ...models import Project, ResearchOutput
from .manual import ADDED, KNOWN, LINKED, require_project_contributor, research_output_record

logger = logging.getLogger(__name__)

Kind = ResearchOutput.Kind
#: Outcome of an entry that was not recorded.
REFUSED = "refused"
#: BibTeX (and biblatex, biblatex-software) entry types → kinds of output.
ENTRY_KINDS = {
    "article": Kind.ARTICLE,
    "inproceedings": Kind.CONFERENCE, "conference": Kind.CONFERENCE,
    "proceedings": Kind.CONFERENCE,
    "phdthesis": Kind.THESIS, "mastersthesis": Kind.THESIS, "thesis": Kind.THESIS,
    "incollection": Kind.CHAPTER, "inbook": Kind.CHAPTER,
    "unpublished": Kind.PREPRINT, "preprint": Kind.PREPRINT,
    "software": Kind.SOFTWARE, "softwareversion": Kind.SOFTWARE,
    "softwaremodule": Kind.SOFTWARE, "codefragment": Kind.SOFTWARE,
    "dataset": Kind.DATASET, "data": Kind.DATASET,
}
#: Fields giving the venue, in order of preference.
VENUE_FIELDS = ("journal", "journaltitle", "booktitle", "school", "institution",
                "publisher", "howpublished", "organization")
_YEAR_RE = re.compile(r"(1[89]\d\d|2[01]\d\d)")
_KEY_RE = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s]+)")
_TRUE = {"true", "yes", "1", "open", "oa"}


@dataclass
class EntryResult:
    """One entry of the file: its citation ``key``, ``line`` (1-based), ``title``,
    ``outcome`` (``added``, ``linked``, ``known`` or ``refused``), ``reasons`` (for a
    refusal) and the ``output`` recorded (``None`` when refused)."""

    key: str
    line: int
    title: str
    outcome: str
    reasons: list[str] = field(default_factory=list)
    output: ResearchOutput | None = None


@dataclass
class BibtexReport:
    """Every entry of an imported file, in file order, and the counts by outcome."""

    entries: list[EntryResult] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        """How many entries had ``outcome``."""
        return sum(1 for entry in self.entries if entry.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        """``{"added", "linked", "known", "refused", "total"}``."""
        return {ADDED: self.count(ADDED), LINKED: self.count(LINKED),
                KNOWN: self.count(KNOWN), REFUSED: self.count(REFUSED),
                "total": len(self.entries)}


def bibtex_decode(data: bytes) -> str:
    """The text of an uploaded BibTeX file: UTF-8 (a byte-order mark is dropped).

    Raises ``ValidationError`` when the file is larger than
    ``OUTPUTS_BIBTEX_MAX_BYTES``, empty, or not UTF-8 (with the advice to export it as
    UTF-8, as HAL and Zotero do by default).
    """
    limit = settings.OUTPUTS_BIBTEX_MAX_BYTES
    if len(data) > limit:
        raise ValidationError(_("The file is too large (%(size)s); the limit is %(limit)s.")
                              % {"size": filesizeformat(len(data)),
                                 "limit": filesizeformat(limit)}, code="too_large")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            _("The file is not UTF-8 text (byte %(position)s cannot be read). Export it "
              "again as UTF-8 — the default of HAL, Zotero and JabRef — and upload it "
              "again.") % {"position": error.start + 1}, code="encoding") from error
    if "\x00" in text:
        raise ValidationError(_("The file is not a BibTeX text file."), code="binary")
    if not text.strip():
        raise ValidationError(_("The file is empty."), code="empty")
    return text


def _value(entry: Entry, *names: str) -> str:
    for name in names:
        item = entry.fields_dict.get(name)
        if item is not None and str(item.value).strip():
            return " ".join(str(item.value).replace("{", "").replace("}", "").split())
    return ""


def _fields_lower(entry: Entry) -> None:
    """Field names in lower case (``DOI``, ``Title`` in some exports)."""
    for item in entry.fields:
        item.key = item.key.lower()


def _kind(entry: Entry) -> str:
    entry_type = entry.entry_type.lower()
    if entry_type in ENTRY_KINDS:
        kind = ENTRY_KINDS[entry_type]
        if kind == Kind.ARTICLE and not _value(entry, "journal", "journaltitle") and (
                _value(entry, "eprint", "arxiv")):
            return Kind.PREPRINT
        return kind
    described = " ".join([_value(entry, "type", "howpublished", "note")]).lower()
    if _value(entry, "swhid", "swh") or "software" in described or "logiciel" in described:
        return Kind.SOFTWARE
    if "dataset" in described or "data set" in described or "données" in described:
        return Kind.DATASET
    if _value(entry, "eprint", "arxiv") or "preprint" in described:
        return Kind.PREPRINT
    return Kind.OTHER


def _arxiv(entry: Entry) -> str:
    value = _value(entry, "arxiv", "arxivid")
    if value:
        return value
    prefix = _value(entry, "archiveprefix", "eprinttype").lower()
    eprint = _value(entry, "eprint")
    return eprint if eprint and prefix in {"arxiv", ""} else ""


def _open_access(entry: Entry) -> str:
    flag = _value(entry, "openaccess", "open_access", "oa").lower()
    if flag in _TRUE or _value(entry, "pdf"):
        return ResearchOutput.OpenAccess.OPEN
    if flag in {"false", "no", "0", "closed"}:
        return ResearchOutput.OpenAccess.CLOSED
    if flag == "embargoed":
        return ResearchOutput.OpenAccess.EMBARGOED
    return ResearchOutput.OpenAccess.UNKNOWN


def entry_data(entry: Entry) -> dict:
    """The output fields of one parsed entry (see ``manual.FIELDS``); the year comes
    from ``year`` or ``date`` (biblatex), the venue from the first of
    :data:`VENUE_FIELDS`, the HAL id from ``hal_id`` (HAL's export), the SWHID from
    ``swhid`` (biblatex-software)."""
    _fields_lower(entry)
    year_text = _value(entry, "year", "date")
    match = _YEAR_RE.search(year_text)
    return {
        "kind": _kind(entry),
        "title": _value(entry, "title"),
        "authors": _value(entry, "author", "editor"),
        "year": int(match.group(1)) if match else None,
        "venue": _value(entry, *VENUE_FIELDS),
        "doi": _value(entry, "doi"),
        "hal_id": _value(entry, "hal_id", "halid"),
        "arxiv_id": _arxiv(entry),
        "swhid": _value(entry, "swhid", "swh"),
        "url": _value(entry, "url") if _value(entry, "url").startswith(("http://", "https://"))
        else "",
        "open_access": _open_access(entry),
        "licence": _value(entry, "license", "licence"),
        "acknowledges_centre": False,
    }


def _failed_key(raw: str) -> str:
    match = _KEY_RE.search(raw or "")
    return match.group(1) if match else "?"


def outputs_import_bibtex(*, project: Project, text: str, actor) -> BibtexReport:
    """Record every entry of the BibTeX ``text`` as an output of ``project``.

    ``actor``: the user (a member of the project or staff), or ``None`` for the command.
    Returns the :class:`BibtexReport` (every entry with its outcome; entries the parser
    could not read are refused with the line and the reason; a repeated citation key
    is refused). ``@string`` macros are resolved, ``@comment`` and ``@preamble`` are
    not entries. Raises ``PermissionDenied`` before reading anything for someone who
    may not add outputs, and ``ValidationError`` when the text holds no entry at all.
    """
    # research_output_record checks it too: here it is checked once, before any entry.
    require_project_contributor(project=project, actor=actor)
    library = bibtexparser.parse_string(
        text, append_middleware=[middlewares.LatexDecodingMiddleware()])
    report = BibtexReport()
    rows: list[tuple[int, EntryResult]] = []
    for entry in library.entries:
        result = EntryResult(key=entry.key, line=entry.start_line + 1, title="",
                             outcome=REFUSED)
        try:
            data = entry_data(entry)
            result.title = data["title"]
            recorded = research_output_record(project=project, data=data,
                                              source=ResearchOutput.Source.BIBTEX,
                                              actor=actor, audit=False)
        except ValidationError as error:
            result.reasons = [str(message) for message in error.messages]
        except PermissionDenied:
            raise
        else:
            result.outcome, result.output = recorded.outcome, recorded.output
        rows.append((entry.start_line, result))
    for block in library.failed_blocks:
        if isinstance(block, DuplicateBlockKeyBlock):
            reason = _("The citation key %(key)s is used twice in the file; this entry was "
                       "not read.") % {"key": block.key}
            key = block.key
        else:
            reason = _("The entry could not be read (a brace, quote or comma is probably "
                       "missing).")
            key = _failed_key(block.raw)
        rows.append((block.start_line, EntryResult(
            key=key, line=block.start_line + 1, title="", outcome=REFUSED, reasons=[reason])))
    if not rows:
        raise ValidationError(_("The file holds no BibTeX entry."), code="no_entry")
    report.entries = [result for _line, result in sorted(rows, key=lambda row: row[0])]
    if report.count(ADDED) or report.count(LINKED):
        audit_record(action="outputs.bibtex_imported", actor=actor, target=project,
                     detail=report.counts)
    return report
