"""The research outputs section both yearly reports share: outputs counted by year and
kind up to the report's year, with the share in open access and in HAL, and (for a
project) the list of the year's outputs."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ..models import ResearchOutput
from ..outputs.selectors import output_counts, percent
from .common import number
from .content import INTEGER, PERCENT, TEXT, Column, Figure, Section, Table


def _share(part: int, whole: int) -> float | None:
    value = percent(part, whole)
    return round(value, 1) if value is not None else None


def outputs_section(*, outputs: QuerySet[ResearchOutput], year: int,
                    list_year: bool = False) -> Section:
    """The section of ``outputs`` (a project's, or every output of the centre's
    projects) for the report of ``year``.

    Key figures: outputs of ``year`` (against the year before), the share of them in
    open access and in HAL (%). Table ``outputs-by-year`` (slug): per year and kind up
    to ``year``, the outputs, those in open access and in HAL and their shares (%), with
    a total row. With ``list_year``, table ``outputs-list``: the outputs of ``year``.
    Two queries (three with the list).
    """
    counts = output_counts(queryset=outputs, up_to_year=year)
    this, before = counts.total(year=year), counts.total(year=year - 1)
    section = Section(title=_("Research outputs"))
    section.figures = [
        Figure(label=_("Outputs of the year"), value=this["outputs"],
               previous=before["outputs"]),
        Figure(label=_("In open access"), value=percent(this["open"], this["outputs"]),
               unit="%", previous=percent(before["open"], before["outputs"]), decimals=1),
        Figure(label=_("In HAL"), value=percent(this["hal"], this["outputs"]), unit="%",
               previous=percent(before["hal"], before["outputs"]), decimals=1),
    ]
    if this["outputs"]:
        section.paragraphs.append(_(
            "%(count)s outputs of %(year)s were reported: %(open)s %% in open access, "
            "%(hal)s %% deposited in HAL.") % {
            "count": number(this["outputs"]), "year": year,
            "open": number(percent(this["open"], this["outputs"]), 1),
            "hal": number(percent(this["hal"], this["outputs"]), 1)})
    else:
        section.paragraphs.append(_("No output of %(year)s was reported.") % {"year": year})
    labels = dict(ResearchOutput.Kind.choices)
    rows = []
    for shown in counts.years:
        for kind in counts.kinds:
            cell = counts.cells.get((shown, kind))
            if not cell:
                continue
            rows.append([str(shown), str(labels[kind]), cell["outputs"], cell["open"],
                         _share(cell["open"], cell["outputs"]), cell["hal"],
                         _share(cell["hal"], cell["outputs"])])
    overall = counts.total()
    section.tables.append(Table(
        slug="outputs-by-year", title=_("Outputs by year and kind"),
        columns=[Column(_("Year")), Column(_("Kind")), Column(_("Outputs"), kind=INTEGER),
                 Column(_("In open access"), kind=INTEGER),
                 Column(_("Open-access share"), "%", PERCENT),
                 Column(_("In HAL"), kind=INTEGER), Column(_("HAL share"), "%", PERCENT)],
        rows=rows,
        total=[_("Total"), "", overall["outputs"], overall["open"],
               _share(overall["open"], overall["outputs"]), overall["hal"],
               _share(overall["hal"], overall["outputs"])] if rows else None))
    if list_year:
        listed = outputs.filter(year=year).order_by("kind", "title")
        section.tables.append(Table(
            slug="outputs-list", title=_("Outputs of the year"),
            columns=[Column(_("Title")), Column(_("Kind")), Column(_("Authors")),
                     Column(_("Venue")), Column(_("DOI")), Column(_("HAL id")),
                     Column(_("Open access"), kind=TEXT)],
            rows=[[output.title, output.get_kind_display(), output.authors, output.venue,
                   output.doi, output.hal_id, output.get_open_access_display()]
                  for output in listed]))
    return section
