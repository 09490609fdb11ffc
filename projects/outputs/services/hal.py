"""Outputs from HAL, the French open archive, through its public search API
(https://api.archives-ouvertes.fr/docs/search: Solr parameters ``q``, ``fq``, ``fl``,
``rows``, ``wt=json``; the answer is ``{"response": {"numFound": n, "docs": [...]}}``, an
error ``{"error": {"msg": ..., "code": n}}``).

One document is asked for by its HAL id (``halId_s``), or a project's documents by its
collection (``collCode_s``) or by a query stored on the project (``hal_collection``).
Calls have a connection and a read timeout and are retried with backoff on connection
errors and 429/5xx answers (urllib3 ``Retry``); when HAL cannot be reached the import
says so in plain words and suggests the BibTeX export instead. :func:`hal_fetch` asks
HAL and writes nothing; :func:`hal_record` sends every document through
:func:`~projects.outputs.services.manual.research_output_record` (idempotent). The
pages and the API run them in a worker (:mod:`projects.outputs.services.imports`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from algoric.audit.services import audit_record

from ...models import Project, ResearchOutput
from ..identifiers import normalise_hal_id
from .bibtex import REFUSED, BibtexReport, EntryResult
from .manual import research_output_record

logger = logging.getLogger(__name__)

Kind = ResearchOutput.Kind
#: The fields asked of HAL.
HAL_FIELDS = ("docid,halId_s,title_s,authFullName_s,producedDateY_i,publicationDateY_i,"
              "doiId_s,arxivId_s,swhId_s,docType_s,openAccess_bool,journalTitle_s,"
              "conferenceTitle_s,bookTitle_s,uri_s,licence_s")
#: HAL document types (``docType_s``, HAL's referential) → kinds of output.
HAL_KINDS = {
    "ART": Kind.ARTICLE, "COMM": Kind.CONFERENCE, "POSTER": Kind.CONFERENCE,
    "PROCEEDINGS": Kind.CONFERENCE, "THESE": Kind.THESIS, "HDR": Kind.THESIS,
    "MEM": Kind.THESIS, "COUV": Kind.CHAPTER, "UNDEFINED": Kind.PREPRINT,
    "PREPRINT": Kind.PREPRINT, "SOFTWARE": Kind.SOFTWARE, "DATA": Kind.DATASET,
}
#: A HAL collection code: capitals, digits, dashes and underscores.
COLLECTION_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,99}$")


class HalUnavailable(ValidationError):
    """HAL could not be reached or gave no usable answer (the message says so)."""


@dataclass
class HalReport(BibtexReport):
    """What an import from HAL did: every document (``entries``, with its HAL id as key)
    and ``found``, the number HAL said matched (more than read when past
    ``HAL_MAX_ROWS``)."""

    found: int = 0
    entries: list[EntryResult] = field(default_factory=list)


def hal_session() -> requests.Session:
    """A ``requests`` session retrying GETs ``HAL_RETRIES`` times on connection errors
    and on 429, 500, 502, 503 and 504 answers, with backoff (0.5 s, 1 s, 2 s…)."""
    session = requests.Session()
    retry = Retry(total=settings.HAL_RETRIES, connect=settings.HAL_RETRIES,
                  read=settings.HAL_RETRIES, backoff_factor=0.5,
                  status_forcelist=(429, 500, 502, 503, 504), allowed_methods=("GET",),
                  raise_on_status=False)
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = "Algoric portal (research outputs import)"
    return session


def _unavailable() -> HalUnavailable:
    return HalUnavailable(
        _("HAL cannot be reached right now (no answer from api.archives-ouvertes.fr). "
          "Nothing was imported. Try again later, or export the list from HAL as BibTeX "
          "and upload that file."), code="hal_unavailable")


def hal_search(*, params: dict, session: requests.Session | None = None) -> dict:
    """GET HAL's search API with ``params`` (Solr parameters; ``wt=json`` and ``fl`` are
    added) and return the ``response`` part of the answer: ``{"numFound": n, "docs":
    [...]}``.

    Raises :class:`HalUnavailable` when HAL cannot be reached, times out, answers an
    HTTP error or something that is not its JSON (a HAL error answer's message is
    logged, not shown).
    """
    session = session or hal_session()
    query = {"wt": "json", "fl": HAL_FIELDS, **params}
    try:
        answer = session.get(settings.HAL_API_URL, params=query,
                             timeout=(settings.HAL_CONNECT_TIMEOUT_SECONDS,
                                      settings.HAL_READ_TIMEOUT_SECONDS))
    except requests.RequestException as error:
        logger.warning("HAL search failed: %s", error)
        raise _unavailable() from error
    try:
        payload = answer.json()
    except ValueError as error:
        logger.warning("HAL answered %s with no JSON", answer.status_code)
        raise _unavailable() from error
    if answer.status_code != 200 or "error" in payload or "response" not in payload:
        logger.warning("HAL answered %s: %s", answer.status_code,
                       (payload.get("error") or {}).get("msg", "") if isinstance(
                           payload, dict) else "")
        if answer.status_code == 400:
            raise ValidationError(
                _("HAL refused the search: check the collection code or the query."),
                code="hal_query")
        raise _unavailable()
    return payload["response"]


def _first(doc: dict, name: str) -> str:
    value = doc.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()


def document_data(doc: dict) -> dict:
    """The output fields (``manual.FIELDS``) of one HAL document: the kind from
    ``docType_s`` (:data:`HAL_KINDS`), the year from ``producedDateY_i`` (or
    ``publicationDateY_i``), open access from ``openAccess_bool`` (``false`` is
    ``unknown``: the text may be open elsewhere)."""
    year = doc.get("producedDateY_i") or doc.get("publicationDateY_i")
    return {
        "kind": HAL_KINDS.get(_first(doc, "docType_s").upper(), Kind.OTHER),
        "title": _first(doc, "title_s"),
        "authors": " and ".join(doc.get("authFullName_s") or []),
        "year": year,
        "venue": _first(doc, "journalTitle_s") or _first(doc, "conferenceTitle_s")
        or _first(doc, "bookTitle_s"),
        "doi": _first(doc, "doiId_s"),
        "hal_id": _first(doc, "halId_s"),
        "arxiv_id": _first(doc, "arxivId_s"),
        "swhid": _first(doc, "swhId_s"),
        "url": _first(doc, "uri_s"),
        "open_access": ResearchOutput.OpenAccess.OPEN if doc.get("openAccess_bool")
        else ResearchOutput.OpenAccess.UNKNOWN,
        "licence": _first(doc, "licence_s")[:100],
        "acknowledges_centre": False,
    }


def hal_params(*, hal_id: str = "", collection: str = "") -> dict:
    """The search parameters for one HAL id, or for a collection code or query
    (``collection``: a code such as ``ALGORIC-HOULE`` filters on ``collCode_s``,
    anything else is sent as the Solr query ``q``). Raises ``ValidationError`` when
    neither is given or the HAL id is not one."""
    if hal_id:
        return {"q": f'halId_s:"{normalise_hal_id(hal_id)}"', "rows": 1}
    collection = collection.strip()
    if not collection:
        raise ValidationError(_("Give a HAL id, or the project's HAL collection or query."),
                              code="hal_nothing")
    if COLLECTION_RE.match(collection):
        return {"q": "*:*", "fq": f"collCode_s:{collection}", "rows": settings.HAL_MAX_ROWS,
                "sort": "producedDateY_i desc"}
    return {"q": collection, "rows": settings.HAL_MAX_ROWS, "sort": "producedDateY_i desc"}


def hal_query(*, project: Project, hal_id: str = "", collection: str = "") -> tuple[str, str]:
    """What to ask HAL, checked before anything is queued: ``(hal_id, collection)``, the
    HAL id normalised (or ``""``) and the collection or query (default: the project's
    ``hal_collection`` when no HAL id is given). Raises ``ValidationError`` when there is
    nothing to search or the HAL id is not one."""
    hal_id = normalise_hal_id(hal_id) if hal_id.strip() else ""
    collection = collection.strip() or ("" if hal_id else project.hal_collection)
    hal_params(hal_id=hal_id, collection=collection)
    return hal_id, collection


def hal_fetch(*, project: Project, hal_id: str = "", collection: str = "",
              session: requests.Session | None = None) -> tuple[list[dict], int, str]:
    """Ask HAL for one document (``hal_id``) or the documents of ``collection`` (default:
    the project's ``hal_collection``); write nothing. Returns ``(docs, found,
    collection)``: HAL's documents, the number HAL said matched, and the collection
    searched. Raises ``ValidationError`` (nothing to search, a bad HAL id, a query HAL
    refused, no document for a HAL id) and :class:`HalUnavailable`."""
    collection = collection.strip() or ("" if hal_id else project.hal_collection)
    params = hal_params(hal_id=hal_id, collection=collection)
    answer = hal_search(params=params, session=session)
    docs = answer.get("docs") or []
    if hal_id and not docs:
        raise ValidationError(_("HAL has no document %(hal_id)s.")
                              % {"hal_id": normalise_hal_id(hal_id)}, code="hal_not_found")
    return docs, int(answer.get("numFound") or len(docs)), collection


def hal_record(*, project: Project, actor, docs: list[dict], found: int, hal_id: str = "",
               collection: str = "", remember: bool = True) -> HalReport:
    """Record HAL's ``docs`` (as :func:`hal_fetch` returns them) as outputs of
    ``project`` through :func:`~projects.outputs.services.manual.research_output_record`
    (each in its savepoint; a document HAL describes badly is refused with the reason),
    store ``collection`` on the project when ``remember``, and write the audit entry.
    Returns the :class:`HalReport`. No network: call it inside a transaction to record
    all or nothing."""
    report = HalReport(found=found)
    for line, doc in enumerate(docs, start=1):
        data = document_data(doc)
        result = EntryResult(key=data["hal_id"] or str(doc.get("docid", "?")), line=line,
                             title=data["title"], outcome=REFUSED)
        try:
            recorded = research_output_record(project=project, data=data,
                                              source=ResearchOutput.Source.HAL, actor=actor,
                                              audit=False)
        except ValidationError as error:
            result.reasons = [str(message) for message in error.messages]
        else:
            result.outcome, result.output = recorded.outcome, recorded.output
        report.entries.append(result)
    with transaction.atomic():
        if collection and not hal_id and remember and collection != project.hal_collection:
            Project.objects.filter(pk=project.pk).update(hal_collection=collection[:200])
            project.hal_collection = collection[:200]
        audit_record(action="outputs.hal_imported", actor=actor, target=project,
                     detail={**report.counts, "hal_id": hal_id, "collection": collection})
    return report

