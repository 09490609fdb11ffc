"""Recording research outputs: the checks of an output's fields, and
:func:`research_output_record`, which every way in (the form, a BibTeX file, HAL, the
command, the demo) goes through so the same output twice is recognised and linked,
never duplicated."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.page_cache import content_changed
from algoric.core.staff import is_verified_staff

from ...models import Project, ProjectMember, ResearchOutput
from ..identifiers import (
    normalise_arxiv_id,
    normalise_doi,
    normalise_hal_id,
    normalise_swhid,
    title_key,
)

#: Outcomes of :func:`research_output_record`.
ADDED, LINKED, KNOWN = "added", "linked", "known"
#: Earliest year of publication accepted.
FIRST_YEAR = 1900
#: The fields an output's data may carry (:func:`output_clean`).
FIELDS = ("kind", "title", "authors", "year", "venue", "doi", "hal_id", "arxiv_id", "swhid",
          "url", "open_access", "licence", "acknowledges_centre")
#: Identifiers that name one output, in the order they are looked up.
IDENTIFIERS = ("doi", "hal_id", "arxiv_id", "swhid")
_NORMALISERS = {"doi": normalise_doi, "hal_id": normalise_hal_id,
                "arxiv_id": normalise_arxiv_id, "swhid": normalise_swhid}
_TEXT_LIMITS = {"title": 500, "authors": 4000, "venue": 300, "url": 500, "licence": 100}


@dataclass
class RecordResult:
    """What :func:`research_output_record` did: ``output`` and ``outcome`` — ``added``
    (a new output), ``linked`` (a known output, now linked to the project) or ``known``
    (already linked)."""

    output: ResearchOutput
    outcome: str


def output_clean(data: dict) -> dict:
    """``data`` (field → value, see :data:`FIELDS`) checked and normalised.

    Identifiers go through :mod:`projects.outputs.identifiers`; text is stripped and
    whitespace collapsed; ``year`` must be from 1900 to next year. Raises
    ``ValidationError`` with a message per field (``{field: [messages]}``).
    """
    errors: dict[str, list] = {}
    clean: dict = {}
    for name in FIELDS:
        value = data.get(name)
        if name in _NORMALISERS:
            try:
                clean[name] = _NORMALISERS[name](value or "")
            except ValidationError as error:
                errors[name] = error.messages
        elif name in _TEXT_LIMITS:
            text = " ".join(str(value or "").split())
            if len(text) > _TEXT_LIMITS[name]:
                errors[name] = [_("At most %(count)s characters.")
                                % {"count": _TEXT_LIMITS[name]}]
            clean[name] = text
        else:
            clean[name] = value
    if clean["url"] and not clean["url"].lower().startswith(("https://", "http://")):
        errors["url"] = [_("A link starts with https:// or http://.")]
    if not clean["title"]:
        errors["title"] = [_("An output needs a title.")]
    if clean["kind"] not in ResearchOutput.Kind.values:
        errors["kind"] = [_("Choose the kind of output.")]
    open_access = clean["open_access"] or ResearchOutput.OpenAccess.UNKNOWN
    if open_access not in ResearchOutput.OpenAccess.values:
        errors["open_access"] = [_("Choose the open-access status.")]
    clean["open_access"] = open_access
    clean["acknowledges_centre"] = bool(clean["acknowledges_centre"])
    last_year = timezone.localdate().year + 1
    try:
        year = int(clean["year"])
    except (TypeError, ValueError):
        errors["year"] = [_("Give the year of publication.")]
    else:
        if not FIRST_YEAR <= year <= last_year:
            errors["year"] = [_("The year must be from %(first)s to %(last)s.")
                              % {"first": FIRST_YEAR, "last": last_year}]
        clean["year"] = year
    if errors:
        raise ValidationError(errors)
    return clean


def require_project_contributor(*, project: Project, actor) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` is a member of ``project`` or verified
    staff (``actor=None``: the system — a command, the demo — may)."""
    if actor is None or is_verified_staff(actor):
        return
    if not ProjectMember.objects.filter(project=project, user=actor).exists():
        raise PermissionDenied(_("Only the project's people may add its outputs."))


def _find(clean: dict) -> ResearchOutput | None:
    """The output ``clean`` names: by DOI, HAL id, arXiv id or SWHID, else by the
    title's key and year among outputs without DOI or HAL id."""
    for name in IDENTIFIERS:
        if clean[name]:
            found = ResearchOutput.objects.filter(**{name: clean[name]}).first()
            if found is not None:
                return found
    return ResearchOutput.objects.filter(
        title_key=title_key(clean["title"]), year=clean["year"], doi="", hal_id=""
    ).first()


def _complete(output: ResearchOutput, clean: dict) -> bool:
    """Fill the empty fields of a known ``output`` from ``clean`` (an identifier only
    when no other output holds it); never overwrite what is there. Returns whether a
    field changed."""
    changed = []
    for name in ("authors", "venue", "url", "licence", *IDENTIFIERS):
        if getattr(output, name) or not clean[name]:
            continue
        if name in IDENTIFIERS and ResearchOutput.objects.filter(
                **{name: clean[name]}).exclude(pk=output.pk).exists():
            continue
        setattr(output, name, clean[name])
        changed.append(name)
    if (output.open_access == ResearchOutput.OpenAccess.UNKNOWN
            and clean["open_access"] != ResearchOutput.OpenAccess.UNKNOWN):
        output.open_access = clean["open_access"]
        changed.append("open_access")
    if clean["acknowledges_centre"] and not output.acknowledges_centre:
        output.acknowledges_centre = True
        changed.append("acknowledges_centre")
    if changed:
        output.save(update_fields=[*changed, "updated_at"])
    return bool(changed)


def outputs_changed() -> None:
    """Say that the public pages showing outputs changed: the public project pages and the
    statistics (whose cached figures are keyed by the same content versions) are served
    afresh, at once and again when the current transaction commits."""
    content_changed("projects")


def research_output_record(*, project: Project, data: dict, source: str, actor,
                           audit: bool = True) -> RecordResult:
    """Record an output of ``project``: a new one, or a known one linked to it.

    ``data``: the fields (:data:`FIELDS`; checked by :func:`output_clean`); ``source``:
    a :class:`~projects.models.ResearchOutput.Source` value; ``actor``: the user, or
    ``None`` for the system. A known output (same DOI, HAL id, arXiv id or SWHID, or the
    same title and year without DOI or HAL id) gets its empty fields filled and is
    linked. Idempotent under races: the DOI and HAL id are unique in the database, and
    a creation that loses the race links the winner's row. ``audit``: write an audit
    event for this output (the file imports write one for the whole file). Raises
    ``ValidationError`` (bad fields) and ``PermissionDenied`` (not one of the project's
    people).
    """
    require_project_contributor(project=project, actor=actor)
    clean = output_clean(data)
    with transaction.atomic():
        output = _find(clean)
        outcome = LINKED
        if output is None:
            try:
                with transaction.atomic():
                    output = ResearchOutput.objects.create(
                        **clean, title_key=title_key(clean["title"]), source=source,
                        created_by=actor)
                outcome = ADDED
            except IntegrityError:
                output = _find(clean)
                if output is None:
                    raise
        elif _complete(output, clean):
            outputs_changed()
        if outcome == LINKED and output.projects.filter(pk=project.pk).exists():
            outcome = KNOWN
        else:
            output.projects.add(project)
            if audit:
                audit_record(action=f"output.{outcome}", actor=actor, target=output,
                             detail={"project": project.acronym, "source": source})
            outputs_changed()
    return RecordResult(output=output, outcome=outcome)


def research_output_unlink(*, project: Project, output: ResearchOutput, actor) -> None:
    """Remove ``output`` from ``project`` (its PI and managers, or staff); an output left
    without project is deleted. Raises ``PermissionDenied`` for anyone else."""
    if not is_verified_staff(actor) and not ProjectMember.objects.filter(
            project=project, user=actor,
            role__in=[ProjectMember.Role.PI, ProjectMember.Role.MANAGER]).exists():
        raise PermissionDenied(_("Only the project's PI and managers may remove an output."))
    with transaction.atomic():
        output.projects.remove(project)
        audit_record(action="output.unlinked", actor=actor, target=output,
                     detail={"project": project.acronym})
        if not output.projects.exists():
            output.delete()
        outputs_changed()


