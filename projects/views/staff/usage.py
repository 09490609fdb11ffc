"""Staff usage pages: the centre's usage in a year, and the mapping of the Slurm accounts
that match no project (each mapping is one service call).

Every figure comes from ``projects.selectors.usage`` (sums of the ``resources`` usage
summaries, a fixed number of queries per page); charts are drawn in the browser from the
numbers the page carries (:mod:`projects.views.charts`), above the table that gives them.
"""

from __future__ import annotations

from http import HTTPStatus

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from algoric.core.feedback import form_error_texts, show_errors
from algoric.core.staff import staff_required
from resources.accounting.selectors import shifted_imports

from ...forms.usage import AccountAliasForm, YearForm
from ...models import AccountAlias, Project
from ...selectors.usage import (
    account_aliases,
    centre_usage,
    default_year,
    months_of,
    unmatched_accounts,
)
from ...services import usage as services
from ..charts import GREEN, monthly_bars
from ..usage import figure_text


@staff_required
@require_GET
def staff_dashboard(request):
    """The centre's usage in a year (``?year=YYYY``): by organisation kind, by project
    (the first 20), by month, against each resource's capacity; unmatched accounts."""
    year = YearForm(request.GET).year_or(default_year())
    usage = centre_usage(year=year)
    months = [item["month"] for item in usage.by_month]
    charts = [{
        "id": "usage-chart-core-hours",
        "title": _("Core-hours per month"),
        "data": monthly_bars(
            months=months, values=[item["sums"].core_hours for item in usage.by_month],
            unit=_("core-hours"), label=_("Core-hours per month")),
        "alt": _("Chart of the core-hours used each month of %(year)s, %(total)s in all. "
                 "The table below gives the figures.") % {
            "year": year, "total": figure_text(usage.totals.core_hours)},
    }]
    if usage.totals.gpu_hours:
        charts.append({
            "id": "usage-chart-gpu-hours",
            "title": _("GPU-hours per month"),
            "data": monthly_bars(
                months=months, values=[item["sums"].gpu_hours for item in usage.by_month],
                unit=_("GPU-hours"), label=_("GPU-hours per month"), colour=GREEN),
            "alt": _("Chart of the GPU-hours used each month of %(year)s, %(total)s in all. "
                     "The table below gives the figures.") % {
                "year": year, "total": figure_text(usage.totals.gpu_hours)},
        })
    return render(request, "projects/staff/usage_dashboard.html",
                  {"usage": usage, "year": year, "charts": charts, "months": months_of(year),
                   "shifted": shifted_imports()})


def _project_options(projects) -> str:
    """The ``<option>`` elements of every project, escaped, built once for the page:
    each unmatched account's form repeats them, and rendering them per row through the
    template cost (accounts × projects) template nodes."""
    return format_html_join(
        "", '<option value="{}">{} — {} ({})</option>',
        ((project.pk, project.acronym, Truncator(project.title).chars(40),
          project.slurm_account) for project in projects))


def _accounts_page(request, *, status: int = HTTPStatus.OK):
    projects = list(Project.objects.order_by("acronym", "pk")
                    .only("pk", "acronym", "title", "slurm_account"))
    return render(request, "projects/staff/usage_accounts.html", {
        "accounts": unmatched_accounts(),
        "aliases": list(account_aliases()),
        "projects": projects,
        "project_options": _project_options(projects),
    }, status=status)


@staff_required
@require_GET
def unmatched_accounts_page(request):
    """Accounts seen in the accounting that match no project and no alias, with their
    jobs and hours, each with a form to map it to a project; and the mappings made."""
    return _accounts_page(request)


@staff_required
@require_POST
def alias_create(request):
    """Map an account to a project (one service call); the page again with the reasons
    (400) when refused."""
    form = AccountAliasForm(request.POST)
    if not form.is_valid():
        for text in form_error_texts(form):
            messages.error(request, text)
        return _accounts_page(request, status=HTTPStatus.BAD_REQUEST)
    try:
        alias = services.account_alias_create(
            cluster=form.cleaned_data["cluster"], account=form.cleaned_data["account"],
            project=form.cleaned_data["project"], actor=request.user)
    except ValidationError as exc:
        show_errors(request, exc)
        return _accounts_page(request, status=HTTPStatus.BAD_REQUEST)
    messages.success(request, _("The jobs of %(account)s on %(cluster)s now count for "
                                "%(project)s, those already imported included.") % {
        "account": alias.account, "cluster": alias.cluster, "project": alias.project.acronym})
    return redirect("projects:staff_unmatched_accounts")


@staff_required
@require_POST
def alias_delete(request, pk: int):
    """Remove a mapping: the account's jobs no longer count for the project."""
    alias = get_object_or_404(AccountAlias.objects.select_related("project"), pk=pk)
    services.account_alias_delete(alias=alias, actor=request.user)
    messages.success(request, _("The jobs of %(account)s on %(cluster)s no longer count for "
                                "%(project)s.") % {
        "account": alias.account, "cluster": alias.cluster, "project": alias.project.acronym})
    return redirect("projects:staff_unmatched_accounts")
