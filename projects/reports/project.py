"""The yearly report of one project: what it was granted, what it used, how, and at what
cost to the planet and the association."""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from resources.selectors.usage import job_distributions, time_limit_use, usage_totals

from ..charts import category_bars_svg, grant_chart_svg
from ..models import Project
from ..selectors.usage import elapsed_months, energy_figures, project_accounts, project_usage
from .common import (
    bucket_table,
    constants_table,
    energy_method_paragraph,
    energy_table,
    hours_columns,
    month_label,
    number,
    shifted_data_note,
    state_table,
    totals_dict,
    unsuccessful_core_hours,
    usage_figures,
)
from .content import INTEGER, NUMBER, PERCENT, Chart, Column, Figure, ReportContent, Section, Table
from .outputs import outputs_section

#: Above this share of core-hours in unsuccessful jobs, the advice asks to test small first.
FAILED_SHARE_ADVICE = 10.0
#: Above this share of jobs using under a tenth of their time limit, the advice asks for
#: closer limits.
OVERESTIMATED_LIMIT_ADVICE = 50.0
#: Below this share of the grant expected by the months elapsed, a grant is called idle.
IDLE_GRANT_RATIO = 0.25


def project_report_content(*, project: Project, year: int, language: str) -> ReportContent:
    """Build the report of ``project`` for ``year`` in ``language`` (``"fr"`` or ``"en"``).

    Reads the usage summaries (grants against use by month, users, states, energy),
    the job records of the project's accounts for the size and wait distributions
    (through the job table's account index) and last year's totals for the changes.
    A fixed number of queries whatever the number of jobs.
    """
    with translation.override(language):
        return _build(project=project, year=year, language=language)


def _build(*, project: Project, year: int, language: str) -> ReportContent:
    usage = project_usage(project=project, year=year)
    accounts = project_accounts(project=project)
    previous = usage_totals(year=year - 1, accounts=accounts)
    distributions = job_distributions(year=year, accounts=accounts)
    limits = time_limit_use(year=year, accounts=accounts)
    totals = usage.totals
    energy = energy_figures(totals)
    pi = project.pi
    organisation = f"{project.organisation.name} — {project.organisation.get_kind_display()}"

    sheet = [
        (_("Project"), f"{project.title} ({project.acronym})"),
        (_("Organisation"), organisation),
        (_("Field"), project.get_field_display()),
        (_("Principal investigator"), (pi.get_full_name() or pi.email) if pi else "—"),
        (_("Period"), _("%(start)s to %(end)s") % {
            "start": date_format(project.starts_on, "DATE_FORMAT"),
            "end": date_format(project.ends_on, "DATE_FORMAT")}),
        (_("Slurm accounts"), ", ".join(usage.accounts)),
        (_("Status"), project.get_status_display()),
    ]
    sections = [
        _summary_section(usage=usage, previous=previous),
        _resources_section(usage=usage, year=year),
        _users_section(usage=usage),
        _jobs_section(usage=usage, distributions=distributions),
    ]
    energy_section = Section(title=_("Energy, emissions and cost"))
    table, figures = energy_table(current=totals, previous=previous, year=year)
    energy_section.figures = figures
    energy_section.paragraphs.append(energy_method_paragraph(totals))
    energy_section.tables.append(table)
    sections.append(energy_section)
    sections.append(outputs_section(outputs=project.outputs.all(), year=year, list_year=True))
    sections.append(Section(title=_("Green computing: what the figures suggest"),
                            items=_advice(usage=usage, limits=limits, year=year)))
    constants = Section(title=_("Method and constants"), paragraphs=[_(
        "A job counts in the month and year of its end time, in the centre's time zone. "
        "Core-hours are elapsed time × allocated CPUs; GPU-hours are elapsed time × "
        "allocated GPUs (AllocTRES gres/gpu). CO2e = energy × carbon intensity; cost = "
        "energy × price of electricity; heat that could be reused = energy × the share "
        "of heat the site could recover.")])
    constants.tables.append(constants_table(energy.constants))
    sections.append(constants)
    return ReportContent(
        language=language,
        title=_("Usage report %(year)s") % {"year": year},
        subtitle=f"{project.acronym} — {project.title}",
        year=year, generated_at=timezone.now(), sheet=sheet, sections=sections,
        totals=totals_dict(totals, energy),
        data_note=shifted_data_note())


def _summary_section(*, usage, previous) -> Section:
    totals = usage.totals
    section = Section(title=_("The year at a glance"))
    section.figures = usage_figures(current=totals, previous=previous)
    section.figures.append(Figure(label=_("Jobs completed"), value=usage.success_percent,
                                  unit="%", decimals=1))
    if not totals.jobs:
        section.paragraphs.append(_("No job of this project ended this year."))
    return section


def _resources_section(*, usage, year: int) -> Section:
    section = Section(title=_("Resources granted and used"))
    months_elapsed = elapsed_months(year)
    rows, month_rows = [], []
    legend = {"month": _("used in the month"), "cumulative": _("used since January"),
              "granted": _("granted for the year")}
    for use in usage.resources:
        rows.append([use.label, use.unit, use.granted, round(use.used, 2),
                     round(use.percent, 1) if use.percent is not None else None,
                     use.allocation.get_status_display() if use.allocation else _("no grant")])
        for month in use.months:
            if month.future:
                continue
            month_rows.append([month_label(month.month), use.label, use.unit,
                               round(month.used, 2), round(month.cumulative, 2),
                               round(month.percent, 1) if month.percent is not None else None])
        section.charts.append(Chart(
            title=use.label if use.resource is None else f"{use.label} ({use.unit})",
            svg=grant_chart_svg(months=[m.month for m in use.months],
                                used=[m.used for m in use.months], granted=use.granted,
                                unit=use.unit, legend=legend,
                                elapsed=months_elapsed if months_elapsed < 12 else None),
            alt=_("Use of %(resource)s by month against the grant") % {"resource": use.label}))
    if not rows:
        section.paragraphs.append(_("This project had no CPU or GPU grant and no usage this "
                                    "year."))
    section.tables.append(Table(
        slug="resources", title=_("Grants and use for the year"),
        columns=[Column(_("Resource")), Column(_("Unit")), Column(_("Granted"), kind=NUMBER),
                 Column(_("Used"), kind=NUMBER), Column(_("Share of the grant"), "%", PERCENT),
                 Column(_("Allocation"))],
        rows=rows))
    section.tables.append(Table(
        slug="usage-by-month", title=_("Use by month"),
        columns=[Column(_("Month")), Column(_("Resource")), Column(_("Unit")),
                 Column(_("Used in the month"), kind=NUMBER),
                 Column(_("Used since January"), kind=NUMBER),
                 Column(_("Share of the grant"), "%", PERCENT)],
        rows=month_rows))
    return section


def _users_section(*, usage) -> Section:
    section = Section(title=_("Use per person"))
    rows = [[row["user"] or "—", row["jobs"], round(row["core_hours"], 2),
             round(row["gpu_hours"], 2),
             round(row["share"], 1) if row.get("share") is not None else None,
             round(row["energy_kwh_measured"] + row["energy_kwh_estimated"], 2)]
            for row in usage.users]
    totals = usage.totals
    section.tables.append(Table(
        slug="usage-by-user", title=_("Use per cluster login"),
        columns=[Column(_("Cluster login")), Column(_("Jobs"), kind=INTEGER),
                 *hours_columns(),
                 Column(_("Share of core-hours"), "%", PERCENT),
                 Column(_("Energy"), _("kWh"), NUMBER)],
        rows=rows,
        total=[_("Total"), totals.jobs, round(totals.core_hours, 2), round(totals.gpu_hours, 2),
               100.0 if totals.core_hours else None, round(totals.energy_kwh, 2)]
        if rows else None))
    return section


def _jobs_section(*, usage, distributions) -> Section:
    section = Section(title=_("Jobs"))
    states = usage.states
    if usage.success_percent is not None:
        section.paragraphs.append(_(
            "%(share)s %% of the %(jobs)s jobs completed successfully.") % {
            "share": number(usage.success_percent, 1), "jobs": number(usage.totals.jobs)})
    if states:
        section.charts.append(Chart(
            title=_("Jobs by state"),
            svg=category_bars_svg(labels=[row["state"] for row in states],
                                  values=[row["jobs"] for row in states], unit=_("jobs")),
            alt=_("Number of jobs by final state")))
    section.tables.append(state_table(states))
    size_title, wait_title = _("Jobs by size (allocated CPUs)"), _("Jobs by wait in the queue")
    if usage.totals.jobs:
        section.charts.append(Chart(
            title=size_title,
            svg=category_bars_svg(labels=[row["label"] for row in distributions["size"]],
                                  values=[row["jobs"] for row in distributions["size"]],
                                  unit=_("jobs")),
            alt=_("Number of jobs by number of allocated CPUs")))
        section.charts.append(Chart(
            title=wait_title,
            svg=category_bars_svg(labels=[row["label"] for row in distributions["wait"]],
                                  values=[row["jobs"] for row in distributions["wait"]],
                                  unit=_("jobs")),
            alt=_("Number of jobs by time spent waiting in the queue")))
    section.tables.append(bucket_table(slug="jobs-by-size", title=size_title,
                                       first=_("Allocated CPUs"),
                                       buckets=distributions["size"]))
    section.tables.append(bucket_table(slug="jobs-by-wait", title=wait_title,
                                       first=_("Wait"), buckets=distributions["wait"]))
    if distributions["not_started"]:
        section.paragraphs.append(_(
            "%(jobs)s jobs ended without starting (cancelled while waiting); they are not in "
            "the wait table.") % {"jobs": number(distributions["not_started"])})
    return section


def _advice(*, usage, limits: dict, year: int) -> list[str]:
    """Plain-language advice driven by the year's data (see the thresholds above)."""
    totals = usage.totals
    advice = []
    if not totals.jobs:
        return [_("No job ran this year. If the project no longer needs its grant, tell the "
                  "staff: the hours can go to another project.")]
    lost = unsuccessful_core_hours(usage.states)
    lost_share = lost * 100 / totals.core_hours if totals.core_hours else 0.0
    if lost_share >= FAILED_SHARE_ADVICE:
        advice.append(_(
            "%(share)s %% of the core-hours (%(hours)s h) went to jobs that failed, ran out "
            "of time or memory. Trying a new job on a small case first, and checkpointing "
            "long runs, would save most of that energy.") % {
            "share": number(lost_share, 1), "hours": number(lost)})
    else:
        advice.append(_(
            "Only %(share)s %% of the core-hours went to jobs that failed: little energy "
            "was lost to failures.") % {"share": number(lost_share, 1)})
    if limits.get("jobs"):
        over = limits["under_10_percent"] * 100 / limits["jobs"]
        if over >= OVERESTIMATED_LIMIT_ADVICE:
            advice.append(_(
                "%(share)s %% of the jobs used less than a tenth of the time they asked for. "
                "Closer time limits let the scheduler start them sooner and fill the gaps "
                "between large jobs.") % {"share": number(over, 1)})
    expected = elapsed_months(year) / 12
    for use in usage.resources:
        if use.granted and use.percent is not None and expected and (
                use.percent / 100 < expected * IDLE_GRANT_RATIO):
            advice.append(_(
                "Only %(share)s %% of the %(resource)s grant was used. Hours granted and "
                "not used are hours another project could not have: tell the staff if "
                "the project needs less.") % {"share": number(use.percent, 1),
                                              "resource": use.label})
    if totals.energy_kwh_estimated and not totals.energy_kwh_measured:
        advice.append(_(
            "The energy here is an estimate. Shorter jobs, fewer idle cores and running "
            "only what is needed lower it in the same proportion."))
    return advice

