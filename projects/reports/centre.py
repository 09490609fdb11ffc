"""The centre's yearly report: the association's activity report for its general assembly.

Members and organisations, memberships and agreements, projects and requests, use of
the machines (by kind of organisation, project and month, against capacity), energy,
emissions, cost and heat, and the change from last year. Every figure comes from
grouped queries (usage from the per-month summaries), so the report costs the same
whatever the number of jobs.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from algoric.core.registries import centre_report_sections
from members.models import (
    Agreement,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationMember,
)

from ..charts import category_bars_svg, monthly_bars_svg
from ..models import Field, Project, ResearchOutput, ResourceRequest
from ..selectors.usage import centre_usage, energy_figures
from .common import (
    constants_table,
    energy_method_paragraph,
    energy_table,
    hours_columns,
    month_label,
    number,
    shifted_data_note,
    totals_dict,
    usage_figures,
)
from .content import (
    INTEGER,
    MONEY,
    NUMBER,
    PERCENT,
    Chart,
    Column,
    Figure,
    ReportContent,
    Section,
    Table,
)
from .outputs import outputs_section

#: Requests that gave resources.
GRANTED_STATUSES = (ResourceRequest.Status.APPROVED, ResourceRequest.Status.PARTIALLY_APPROVED)


def centre_report_content(*, year: int, language: str) -> ReportContent:
    """Build the centre's report for ``year`` in ``language`` (``"fr"`` or ``"en"``).

    A fixed number of queries (about thirty) whatever the number of jobs, members or
    projects.
    """
    with translation.override(language):
        return _build(year=year, language=language)


def _year_span(year: int) -> tuple[dt.date, dt.date, dt.datetime, dt.datetime]:
    zone = timezone.get_default_timezone()
    return (dt.date(year, 1, 1), dt.date(year, 12, 31),
            dt.datetime(year, 1, 1, tzinfo=zone), dt.datetime(year + 1, 1, 1, tzinfo=zone))


def organisation_counts(year: int) -> dict[str, dict[str, int]]:
    """Per organisation kind: ``organisations`` of the year — those with a membership
    for ``year`` (whatever its status) or created by the end of ``year`` — and
    ``people``, the distinct persons belonging to them today — two queries."""
    _first, _last, _start, end = _year_span(year)
    of_year = Q(created_at__lt=end) | Q(memberships__year=year)
    counts = {kind: {"organisations": 0, "people": 0} for kind in OrganisationKind.values}
    for row in (Organisation.objects.filter(of_year).values("kind")
                .annotate(n=Count("pk", distinct=True)).order_by()):
        counts[row["kind"]]["organisations"] = row["n"]
    members = OrganisationMember.objects.filter(
        organisation__in=Organisation.objects.filter(of_year).values("pk"))
    for row in (members.values("organisation__kind")
                .annotate(n=Count("user", distinct=True)).order_by()):
        counts[row["organisation__kind"]]["people"] = row["n"]
    return counts


def _build(*, year: int, language: str) -> ReportContent:
    usage = centre_usage(year=year)
    previous = centre_usage(year=year - 1)
    organisations = organisation_counts(year)
    organisations_before = organisation_counts(year - 1)
    active_projects = _projects_of(year)

    people = sum(row["people"] for row in organisations.values())
    people_before = sum(row["people"] for row in organisations_before.values())
    orgs = sum(row["organisations"] for row in organisations.values())
    orgs_before = sum(row["organisations"] for row in organisations_before.values())
    projects_before = _projects_of(year - 1).count()

    glance = Section(title=_("The year at a glance"))
    glance.figures = [
        Figure(label=_("Organisations"), value=orgs, previous=orgs_before),
        Figure(label=_("People in member organisations"), value=people, previous=people_before),
        Figure(label=_("Projects"), value=active_projects.count(), previous=projects_before),
        *usage_figures(current=usage.totals, previous=previous.totals),
    ]
    energy = energy_figures(usage.totals)
    sections = [
        glance,
        _members_section(year=year, organisations=organisations),
        _projects_section(year=year, projects=active_projects),
        _requests_section(year=year),
        _usage_section(usage=usage, previous=previous),
        outputs_section(outputs=ResearchOutput.objects.filter(
            projects__in=Project.objects.exclude(status=Project.Status.DRAFT)), year=year),
    ]
    energy_section = Section(title=_("Energy, emissions and cost"))
    table, figures = energy_table(current=usage.totals, previous=previous.totals, year=year)
    energy_section.figures = figures
    energy_section.paragraphs.append(energy_method_paragraph(usage.totals))
    energy_section.tables.append(table)
    energy_section.tables.append(constants_table(energy.constants))
    sections.append(energy_section)
    sections.extend(_registered_sections(year))
    return ReportContent(
        language=language,
        title=_("Activity report %(year)s") % {"year": year},
        subtitle=_("Algoric, the Auray computing centre: members, projects and use of the "
                   "machines"),
        year=year, generated_at=timezone.now(),
        sheet=[(_("Year"), str(year)),
               (_("Organisations"), number(orgs)),
               (_("Projects"), number(active_projects.count())),
               (_("Core-hours delivered"), number(usage.totals.core_hours)),
               (_("GPU-hours delivered"), number(usage.totals.gpu_hours))],
        sections=sections, totals=totals_dict(usage.totals, energy),
        data_note=shifted_data_note())


def _registered_sections(year: int) -> list[Section]:
    """The sections the apps above register (training: sessions, attendees, hours, school
    visits), each row a figure compared with the year before."""
    previous = {section["name"]: dict(section["rows"])
                for section in centre_report_sections(year=year - 1)}
    return [Section(title=section["title"], figures=[
        Figure(label=label, value=value, previous=previous.get(section["name"], {}).get(label))
        for label, value in section["rows"]]) for section in centre_report_sections(year=year)]


def _projects_of(year: int):
    first, last, _start, _end = _year_span(year)
    return Project.objects.exclude(status=Project.Status.DRAFT).filter(
        starts_on__lte=last, ends_on__gte=first)


def _members_section(*, year: int, organisations: dict) -> Section:
    first, last, _start, _end = _year_span(year)
    section = Section(title=_("Members and organisations"))
    memberships = {row["organisation__kind"]: row for row in Membership.objects.filter(
        year=year).values("organisation__kind").annotate(
        paid=Count("pk", filter=Q(status=Membership.Status.PAID)),
        waived=Count("pk", filter=Q(status=Membership.Status.WAIVED)),
        unpaid=Count("pk", filter=Q(status__in=[Membership.Status.PENDING,
                                                Membership.Status.LAPSED])),
        fees=Sum("fee", filter=Q(status=Membership.Status.PAID))).order_by()}
    rows = []
    for kind, label in OrganisationKind.choices:
        counts, paid = organisations[kind], memberships.get(kind, {})
        rows.append([str(label), counts["organisations"], counts["people"],
                     paid.get("paid", 0), paid.get("waived", 0), paid.get("unpaid", 0),
                     float(paid.get("fees") or 0)])
    total = [_("Total")] + [sum(row[i] for row in rows) for i in range(1, 7)]
    section.tables.append(Table(
        slug="organisations-by-kind", title=_("Organisations, people and memberships by kind"),
        columns=[Column(_("Kind of organisation")), Column(_("Organisations"), kind=INTEGER),
                 Column(_("People"), kind=INTEGER), Column(_("Memberships paid"), kind=INTEGER),
                 Column(_("Memberships waived"), kind=INTEGER),
                 Column(_("Memberships unpaid"), kind=INTEGER),
                 Column(_("Fees received"), _("EUR"), MONEY)],
        rows=rows, total=total))
    agreements = Agreement.objects.aggregate(
        in_force=Count("pk", filter=Q(starts_on__lte=last, ends_on__gte=first,
                                      status__in=[Agreement.Status.ACTIVE,
                                                  Agreement.Status.EXPIRED,
                                                  Agreement.Status.TERMINATED])),
        signed=Count("pk", filter=Q(starts_on__gte=first, starts_on__lte=last)),
        expired=Count("pk", filter=Q(ends_on__gte=first, ends_on__lte=last,
                                     status=Agreement.Status.EXPIRED)),
        active_now=Count("pk", filter=Q(status=Agreement.Status.ACTIVE)),
        waiting=Count("pk", filter=Q(status__in=[Agreement.Status.SUBMITTED,
                                                 Agreement.Status.APPROVED,
                                                 Agreement.Status.SIGNED])))
    section.tables.append(Table(
        slug="agreements", title=_("Membership agreements"),
        columns=[Column(_("Agreements")), Column(pgettext("how many", "Number"), kind=INTEGER)],
        rows=[[_("in force during the year"), agreements["in_force"]],
              [_("signed (taking effect) during the year"), agreements["signed"]],
              [_("expired during the year"), agreements["expired"]],
              [_("active today"), agreements["active_now"]],
              [_("in progress today (submitted, to sign, to countersign)"),
               agreements["waiting"]]]))
    return section


def _projects_section(*, year: int, projects) -> Section:
    section = Section(title=_("Projects"))
    by_field = dict(projects.values("field").annotate(n=Count("pk")).order_by()
                    .values_list("field", "n"))
    by_kind = dict(projects.values("organisation__kind").annotate(n=Count("pk")).order_by()
                   .values_list("organisation__kind", "n"))
    field_rows = [[str(label), by_field[value]] for value, label in Field.choices
                  if by_field.get(value)]
    kind_rows = [[str(label), by_kind[value]] for value, label in OrganisationKind.choices
                 if by_kind.get(value)]
    section.paragraphs.append(_(
        "%(count)s projects were open during the year (started before its end and not "
        "ended before its start).") % {"count": number(sum(by_field.values()))})
    section.tables.append(Table(
        slug="projects-by-field", title=_("Projects by field"),
        columns=[Column(_("Field")), Column(_("Projects"), kind=INTEGER)], rows=field_rows))
    section.tables.append(Table(
        slug="projects-by-kind", title=_("Projects by kind of organisation"),
        columns=[Column(_("Kind of organisation")), Column(_("Projects"), kind=INTEGER)],
        rows=kind_rows))
    return section


def _requests_section(*, year: int) -> Section:
    _first, _last, start, end = _year_span(year)
    section = Section(title=_("Resource requests"))
    received = ResourceRequest.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    by_kind = {row["kind"]: row for row in received.values("kind").annotate(
        received=Count("pk"),
        granted=Count("pk", filter=Q(status__in=GRANTED_STATUSES)),
        rejected=Count("pk", filter=Q(status=ResourceRequest.Status.REJECTED)),
        withdrawn=Count("pk", filter=Q(status=ResourceRequest.Status.WITHDRAWN)),
        pending=Count("pk", filter=Q(status__in=[ResourceRequest.Status.SUBMITTED,
                                                 ResourceRequest.Status.UNDER_REVIEW,
                                                 ResourceRequest.Status.CHANGES_REQUESTED])),
    ).order_by()}
    rows = [[str(label), by_kind[value]["received"], by_kind[value]["granted"],
             by_kind[value]["rejected"], by_kind[value]["withdrawn"], by_kind[value]["pending"]]
            for value, label in ResourceRequest.Kind.choices if value in by_kind]
    total = [_("Total")] + [sum(row[i] for row in rows) for i in range(1, 6)] if rows else None
    section.tables.append(Table(
        slug="requests", title=_("Requests received during the year"),
        columns=[Column(_("Kind of request")), Column(_("Received"), kind=INTEGER),
                 Column(_("Granted"), kind=INTEGER), Column(_("Rejected"), kind=INTEGER),
                 Column(_("Withdrawn"), kind=INTEGER), Column(_("Waiting"), kind=INTEGER)],
        rows=rows, total=total))
    emergencies = (received.filter(kind=ResourceRequest.Kind.EMERGENCY)
                   .select_related("project__organisation").order_by("submitted_at"))
    section.tables.append(Table(
        slug="emergency-requests", title=_("Emergency requests"),
        columns=[Column(_("Project")), Column(_("Organisation")), Column(_("Submitted")),
                 Column(_("Decision")), Column(_("Hours to decide"), _("h"), NUMBER)],
        rows=[[f"{r.project.acronym} — {r.project.title}", r.project.organisation.name,
               timezone.localtime(r.submitted_at).date(), r.get_status_display(),
               round((r.decided_at - r.submitted_at).total_seconds() / 3600, 1)
               if r.decided_at else None] for r in emergencies]))
    if not section.tables[-1].rows:
        section.tables[-1].note = _("No emergency request this year.")
    return section


def _usage_section(*, usage, previous) -> Section:
    section = Section(title=_("Use of the machines"))
    totals = usage.totals
    months = [item["month"] for item in usage.by_month]
    section.charts.append(Chart(
        title=_("Core-hours by month"),
        svg=monthly_bars_svg(months=months, values=[i["sums"].core_hours for i in usage.by_month],
                             unit=_("core-hours")),
        alt=_("Core-hours delivered each month of the year")))
    if totals.gpu_hours:
        section.charts.append(Chart(
            title=_("GPU-hours by month"),
            svg=monthly_bars_svg(months=months,
                                 values=[i["sums"].gpu_hours for i in usage.by_month],
                                 unit=_("GPU-hours")),
            alt=_("GPU-hours delivered each month of the year")))
    previous_by_kind = {item["kind"]: item["sums"] for item in previous.by_kind}
    section.tables.append(Table(
        slug="usage-by-kind", title=_("Use by kind of organisation"),
        columns=[Column(_("Kind of organisation")), Column(_("Jobs"), kind=INTEGER),
                 *hours_columns(),
                 Column(_("Share of core-hours"), "%", PERCENT),
                 Column(_("Core-hours last year"), _("h"), NUMBER)],
        rows=[[str(item["label"]), item["sums"].jobs, round(item["sums"].core_hours, 2),
               round(item["sums"].gpu_hours, 2),
               round(item["sums"].core_hours * 100 / totals.core_hours, 1)
               if totals.core_hours else None,
               # A kind with no row last year used nothing: 0, as in the total.
               round(previous_by_kind[item["kind"]].core_hours, 2)
               if item["kind"] in previous_by_kind else 0.0]
              for item in usage.by_kind],
        total=[_("Total"), totals.jobs, round(totals.core_hours, 2), round(totals.gpu_hours, 2),
               100.0 if totals.core_hours else None, round(previous.totals.core_hours, 2)]))
    if usage.by_kind:
        section.charts.append(Chart(
            title=_("Core-hours by kind of organisation"),
            svg=category_bars_svg(labels=[str(item["label"]) for item in usage.by_kind],
                                  values=[item["sums"].core_hours for item in usage.by_kind],
                                  unit=_("core-hours")),
            alt=_("Core-hours delivered to each kind of organisation")))
    section.tables.append(Table(
        slug="usage-by-month", title=_("Use by month"),
        columns=[Column(_("Month")), Column(_("Jobs"), kind=INTEGER),
                 *hours_columns(),
                 Column(_("Energy"), _("kWh"), NUMBER)],
        rows=[[month_label(item["month"]), item["sums"].jobs, round(item["sums"].core_hours, 2),
               round(item["sums"].gpu_hours, 2), round(item["sums"].energy_kwh, 2)]
              for item in usage.by_month if not item["future"]],
        total=[_("Total"), totals.jobs, round(totals.core_hours, 2), round(totals.gpu_hours, 2),
               round(totals.energy_kwh, 2)]))
    section.tables.append(Table(
        slug="top-projects", title=_("Projects that used the most"),
        columns=[Column(_("Project")), Column(_("Organisation")), Column(_("Jobs"), kind=INTEGER),
                 *hours_columns(),
                 Column(_("Share of core-hours"), "%", PERCENT)],
        rows=[[f"{item['project'].acronym} — {item['project'].title}",
               item["project"].organisation.name, item["sums"].jobs,
               round(item["sums"].core_hours, 2), round(item["sums"].gpu_hours, 2),
               round(item["sums"].core_hours * 100 / totals.core_hours, 1)
               if totals.core_hours else None] for item in usage.by_project],
        note=_("%(count)s projects used the machines this year.") % {
            "count": number(usage.projects_count)}))
    section.tables.append(Table(
        slug="capacity", title=_("Use of capacity"),
        columns=[Column(_("Resource")), Column(_("Unit")),
                 Column(_("Capacity for the year"), kind=NUMBER),
                 Column(_("Granted"), kind=NUMBER), Column(_("Used"), kind=NUMBER),
                 Column(_("Granted, share of capacity"), "%", PERCENT),
                 Column(_("Used, share of capacity"), "%", PERCENT)],
        rows=[[item["resource"].name, item["resource"].unit, float(item["capacity"]),
               float(item["granted"]), round(item["used"], 2),
               round(item["granted_percent"], 1) if item["granted_percent"] is not None else None,
               round(item["used_percent"], 1) if item["used_percent"] is not None else None]
              for item in usage.capacity]))
    if usage.unmatched:
        section.paragraphs.append(_(
            "%(count)s Slurm accounts matched no project; their use is counted as \"not "
            "attributed to a project\".") % {"count": number(usage.unmatched)})
    return section
