"""Steps of the demonstration centre that bring in its projects and their resources:
the projects with their people and account mappings, resource requests granted from
the real use (and a few in other states), allocations, and the usage thresholds.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from members.models import OrganisationMember
from resources.selectors.usage import usage_sums

from ..models import AccountAlias, Project, ProjectMember, ResourceRequest
from ..selectors.usage import account_attribution
from ..services.allocations import allocations_expire
from ..services.projects import project_create, project_member_add
from ..services.renewals import activity_report_save, request_renew
from ..services.request_review import request_decide, request_reject, request_start_review
from ..services.requests import request_create, request_save, request_submit, request_withdraw
from ..services.usage import account_alias_create, usage_check_thresholds
from . import traces
from .people import EXTRA_REQUESTS, PROJECTS, email_of


def nice_amount(value: float) -> Decimal:
    """A grant a person would write: ``value`` rounded up to three significant digits,
    at least 100 (core-hours)."""
    if value <= 100:
        return Decimal(100)
    step = 10 ** (int(math.floor(math.log10(value))) - 2)
    return Decimal(int(math.ceil(value / step)) * step)


class ProjectSteps:
    """The ``projects_step``, ``requests_step`` and ``thresholds`` steps of
    :class:`~projects.demo.centre.DemoCentre`.

    A mixin: it reads the centre's ``today``, ``year``, ``_staff``, ``users``,
    ``organisations`` and ``resources`` (by cluster), uses its ``_join`` (of
    :class:`~projects.demo.organisations.OrganisationSteps`), fills its ``projects``
    (by key of :data:`PROJECTS`) and counts what it creates in ``result.created``.
    """

    def projects_step(self) -> None:
        """The projects, their people, and the mappings of the LCG groups to them."""
        for key, org_key, acronym, title, field_name, summary, (cluster, account), pi_local, \
                others, _ratios in PROJECTS:
            organisation = self.organisations[org_key]
            pi = self.users[email_of(pi_local)]
            slurm_account = account if cluster == traces.POZIDRIV else f"grid-{key}"
            project = Project.objects.filter(slurm_account=slurm_account).first()
            if project is None:
                self._join(organisation, organisation.members.filter(
                    role=OrganisationMember.Role.REPRESENTATIVE).first().user, pi, "member")
                start_year = self.year - 1 - (len(key) % 2)
                project = project_create(organisation=organisation, actor=pi, data={
                    "title": title, "acronym": acronym, "summary": summary,
                    "summary_is_public": True, "field": field_name,
                    "starts_on": dt.date(start_year, 1 + len(key) % 6, 1),
                    "ends_on": dt.date(self.year + 1, 12, 31),
                    "dmp_url": "", "slurm_account": slurm_account,
                    "open_science_statement": "Articles en accès ouvert (HAL), code sous "
                                              "licence libre."})
                self.result.created["projects"] += 1
            self.projects[key] = project
            for local, role in others:
                user = self.users[email_of(local)]
                if not ProjectMember.objects.filter(project=project, user=user).exists():
                    project_member_add(project=project, email=user.email, role=role, actor=pi)
                    self.result.created["project members"] += 1
            if cluster == traces.LCG and not AccountAlias.objects.filter(
                    cluster=cluster, account=account).exists():
                account_alias_create(cluster=cluster, account=account, project=project,
                                     actor=self._staff)
                self.result.created["account mappings"] += 1

    def _usage(self) -> dict[tuple[int, int], float]:
        """Core-hours of each (project id, year) for last year and this year."""
        attribution = account_attribution()
        used: dict[tuple[int, int], float] = defaultdict(float)
        for year in (self.year - 1, self.year):
            for row in usage_sums(group_by=["cluster", "account"], year=year):
                project_id = attribution.project_id(cluster=row["cluster"],
                                                    account=row["account"])
                if project_id is not None:
                    used[(project_id, year)] += row["core_hours"]
        return used

    def requests_step(self) -> None:
        """For each project: a new request for last year and a renewal for this year,
        granted from the real use (some in part); then requests in other states."""
        used = self._usage()
        staff = self._staff
        grants: dict[str, Decimal] = {}
        for index, (key, _org, _acr, _title, _field, _summary, (cluster, _account), pi_local,
                    _others, ratios) in enumerate(PROJECTS):
            project = self.projects[key]
            resource = self.resources[cluster]
            pi = self.users[email_of(pi_local)]
            last = nice_amount(used[(project.pk, self.year - 1)] / ratios[0])
            this = nice_amount(used[(project.pk, self.year)] / ratios[1])
            grants[key] = this
            if project.requests.exists():
                continue
            partial = index % 3 == 2
            for kind, year, granted in (("new", self.year - 1, last),
                                        ("renewal", self.year, this)):
                asked = nice_amount(float(granted) * 1.25) if partial else granted
                request = self._request(project, pi, kind, {(resource.pk, year): asked},
                                        _justification(kind, project, year))
                if index % 2:
                    request = request_start_review(request=request, actor=staff)
                request_decide(
                    request=request, actor=staff, version=request.version,
                    granted={(resource.pk, year): granted},
                    note=("Accordé en partie : la capacité de l'année est partagée entre "
                          "les projets." if partial and granted != asked else ""))
                if year < self.year:
                    self._backdate(request, year=year, index=index)
                self.result.created["requests"] += 1
        for key, kind, state, share, justification, note in EXTRA_REQUESTS:
            project = self.projects[key]
            if project.requests.filter(kind=kind).exists():
                continue
            self._extra_request(project, kind, state, grants[key] * Decimal(str(share)),
                                justification, note)
        allocations_expire(today=self.today)

    def _backdate(self, request: ResourceRequest, *, year: int, index: int) -> None:
        """Date last year's request in last year (January), as if the centre had been
        running then: its submission, decision and status events."""
        zone = timezone.get_default_timezone()
        submitted = dt.datetime(year, 1, 6 + index % 20, 9, 30, tzinfo=zone)
        decided = submitted + dt.timedelta(days=3 + index % 5, hours=5)
        ResourceRequest.objects.filter(pk=request.pk).update(
            created_at=submitted - dt.timedelta(days=2), submitted_at=submitted,
            decided_at=decided, updated_at=decided)
        request.events.filter(to_status="submitted").update(created_at=submitted)
        request.events.exclude(to_status__in=["draft", "submitted"]).update(created_at=decided)

    def _request(self, project, pi, kind, table, justification) -> ResourceRequest:
        if kind == ResourceRequest.Kind.RENEWAL:  # from last year's grant, with its report
            request = request_renew(project=project, actor=pi)
            activity_report_save(request=request, actor=pi, **_activity_report(project))
        else:
            request = request_create(project=project, kind=kind, actor=pi)
        request = request_save(request=request, table=table, justification=justification,
                               row_justifications={resource_id: justification
                                                   for resource_id, _year in table},
                               actor=pi)
        return request_submit(request=request, actor=pi)

    def _extra_request(self, project, kind, state, amount, justification, note) -> None:
        cluster = next(spec[6][0] for spec in PROJECTS if spec[0] == _key_of(project))
        resource = self.resources[cluster]
        pi = project.pi
        table = {(resource.pk, self.year): nice_amount(float(amount))}
        if state == "draft":
            request = request_create(project=project, kind=kind, actor=pi)
            request_save(request=request, table=table, justification=justification,
                         row_justifications={}, actor=pi)
        else:
            request = self._request(project, pi, kind, table, justification)
            if state == "under_review":
                request_start_review(request=request, actor=self._staff)
            elif state == "rejected":
                request = request_start_review(request=request, actor=self._staff)
                request_reject(request=request, note=note, actor=self._staff,
                               version=request.version)
            elif state == "withdrawn":
                request_withdraw(request=request, actor=pi)
        self.result.created["requests"] += 1

    def thresholds(self) -> None:
        """Tell the PIs whose grants of this year reached 80 % or 100 % (as the daily
        task does)."""
        self.result.created["threshold notifications"] += usage_check_thresholds(
            today=self.today)


def _key_of(project: Project) -> str:
    slurm = project.slurm_account
    for key, *_rest, (_cluster, account), _pi, _others, _ratios in PROJECTS:
        if slurm in (account, f"grid-{key}"):
            return key
    raise KeyError(slurm)


def _justification(kind: str, project: Project, year: int) -> str:
    if kind == "new":
        return (f"Première année de {project.acronym} : calculs de production estimés "
                f"d'après les essais menés sur nos postes de travail ({year}).")
    return (f"Poursuite de {project.acronym} en {year} au rythme de l'année passée, "
            "d'après la consommation mesurée.")


def _activity_report(project: Project) -> dict[str, str]:
    return {"work": f"Calculs de production de {project.acronym} tout au long de l'année, "
                    "au rythme prévu par la demande.",
            "results": "Résultats présentés en conférence ; un article en préparation.",
            "problems": "Aucun problème notable, hormis quelques jours d'attente en juin."}
