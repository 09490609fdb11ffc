"""Build the demonstration centre: people, organisations, memberships, agreements,
projects, requests and allocations around real accounting, then the yearly reports.

Every write goes through the apps' services (organisation_create, membership_*,
agreement_*, project_create, request_*, account_alias_create, accounting_import_*),
so the demo walks the same workflows as people do, with their status histories and
notifications. Each step first looks for what it would create and skips it when it
exists: a second run reads, and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command, get_commands
from django.utils import timezone

from members.models import (
    FeeSchedule,
    Membership,
    Organisation,
    OrganisationMember,
    User,
)
from members.services import (
    agreement_approve,
    agreement_countersign,
    agreement_create,
    agreement_reject,
    agreement_submit,
    agreement_update_draft,
    agreement_upload_signed,
    agreements_expire,
    invitation_accept,
    invitation_create,
    membership_open,
    membership_record_payment,
    membership_waive,
    memberships_lapse,
    organisation_create,
)
from members.services.fees import fee_schedule_set
from members.services.organisations import invitation_token
from members.validators import luhn_is_valid
from resources.accounting.services import (
    accounting_import_create,
    accounting_import_run,
    sha256_of,
)
from resources.models import AccountingImport, Resource
from resources.services import resource_save
from resources.usage import usage_sums

from ..models import AccountAlias, Project, ProjectMember, ResourceRequest, UsageReport
from ..selectors_stats import public_statistics_forget
from ..selectors_usage import account_attribution
from ..services.allocations import allocations_expire
from ..services.projects import project_create, project_member_add
from ..services.reports import projects_to_report
from ..services.requests import (
    request_create,
    request_decide,
    request_reject,
    request_save,
    request_start_review,
    request_submit,
    request_withdraw,
)
from ..services.usage import account_alias_create, usage_check_thresholds
from . import traces
from .people import EXTRA_REQUESTS, ORGANISATIONS, PEOPLE_PASSWORD, PROJECTS

#: Domain of every demonstration email address.
DOMAIN = "demo.algoric.org"

#: Local parts of the logins the demo prints (``member`` comes from ``demo_data``): the
#: demo generates by default the reports of their projects (the others: ``manage.py
#: generate_usage_reports --year …``), so whoever signs in with one finds them.
SHOWCASE_LOGINS = ("member", "mairie", "herve.le-meur", "nolwenn.le-roux", "soizic.tanguy")

#: Placeholder yearly fees (EUR) of last year (this year's are set by ``demo_data``).
FEES = {"sme": "250", "lab": "150", "public_body": "150", "school": "50",
        "association": "50", "individual": "20"}

#: Signatory's title by kind of organisation.
SIGNATORY_TITLES = {"sme": "Gérante", "lab": "Directeur du laboratoire",
                    "public_body": "Maire", "school": "Proviseure",
                    "association": "Président", "individual": "Membre individuel"}

#: The resources the traces' clusters map to: (name, cluster, capacity in core-hours a
#: year, French and English descriptions).
TRACE_RESOURCES = [
    ("Grappe Pozidriv (trace réelle)", traces.POZIDRIV, Decimal(1_500_000),
     "Comptabilité réelle d'une grappe Slurm (données de référence d'Open XDMoD, "
     "anonymisées), dates décalées pour la démonstration.",
     "Real accounting of a Slurm cluster (Open XDMoD reference data, anonymised), dates "
     "moved for the demonstration."),
    ("Grille LCG (trace réelle)", traces.LCG, Decimal(12_000_000),
     "Comptabilité réelle de la grille de calcul du LHC en 2005 (Parallel Workloads "
     "Archive), dates décalées pour la démonstration.",
     "Real accounting of the LHC Computing Grid in 2005 (Parallel Workloads Archive), "
     "dates moved for the demonstration."),
]
#: Price per core-hour of the trace resources by kind of organisation (EUR).
PRICES = {"sme": Decimal("0.02"), "lab": Decimal("0.01"), "public_body": Decimal("0.01"),
          "school": Decimal(0), "association": Decimal("0.005"),
          "individual": Decimal("0.005")}


def email_of(local: str) -> str:
    """The demonstration email address of ``local`` (``member`` → member@demo.algoric.org)."""
    return f"{local}@{DOMAIN}"


def nice_amount(value: float) -> Decimal:
    """A grant a person would write: ``value`` rounded up to three significant digits,
    at least 100 (core-hours)."""
    if value <= 100:
        return Decimal(100)
    step = 10 ** (int(math.floor(math.log10(value))) - 2)
    return Decimal(int(math.ceil(value / step)) * step)


def siret_for(index: int) -> str:
    """A made-up SIRET (14 digits, passes the Luhn check) distinct for each ``index``."""
    stem = f"8990{index:09d}"
    return next(stem + str(last) for last in range(10) if luhn_is_valid(stem + str(last)))


@dataclass
class DemoResult:
    """What a run did: ``created`` counts by kind of object, ``imports`` (file, jobs
    added, seconds), ``reports`` (label), ``notices`` (lines for the person running
    it), ``real`` (the real traces were used), ``seconds`` by step."""

    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    imports: list[tuple[str, int, float]] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    real: bool = False
    seconds: dict[str, float] = field(default_factory=dict)


class DemoCentre:
    """The demonstration centre of ``today``'s year and the year before.

    Args:
        data_dir: the folder of real data (``traces.shared_data_dir()`` by default);
            without both traces, synthetic files are written to ``var/demo/``.
        reports: which yearly reports of last year to generate (when the
            ``generate_usage_reports`` command exists): ``"showcase"`` (the centre and
            the projects of the :data:`SHOWCASE_LOGINS`, a few seconds each),
            ``"all"`` (every project with usage or grants) or ``"none"``.
        log: called with each line to show (progress of the steps).
        today: the day the demo is built for (default: today in ``TIME_ZONE``).
        synthetic_dir: where the synthetic files are written when the real traces
            are absent (default: ``var/demo``).
    """

    def __init__(self, *, data_dir: Path | None = None, reports: str = "showcase",
                 log: Callable[[str], None] = lambda line: None,
                 today: dt.date | None = None, synthetic_dir: Path | None = None):
        self.today = today or timezone.localdate()
        self.year = self.today.year
        self.data_dir = data_dir or traces.shared_data_dir()
        self.synthetic_dir = synthetic_dir or settings.VAR_DIR / "demo"
        self.reports = reports
        self.log = log
        self.result = DemoResult()
        self.users: dict[str, User] = {}
        self.organisations: dict[str, Organisation] = {}
        self.projects: dict[str, Project] = {}
        self.resources: dict[str, Resource] = {}

    # --- The steps, in order ---------------------------------------------------------

    def run(self) -> DemoResult:
        """Run every step; returns what was done."""
        for name, step in (("catalogue", self.catalogue), ("accounting", self.accounting),
                           ("people", self.people), ("organisations", self.organisations_step),
                           ("projects", self.projects_step), ("requests", self.requests_step),
                           ("thresholds", self.thresholds), ("reports", self.reports_step)):
            started = time.monotonic()
            step()
            self.result.seconds[name] = time.monotonic() - started
        public_statistics_forget(year=self.year)
        return self.result

    def staff(self) -> User:
        """The demo staff member of ``demo_data`` (created by running it when absent)."""
        from members.management.commands.demo_data import DEMO_USERS

        email = next(user[0] for user in DEMO_USERS if user[4])
        staff = User.objects.filter(email=email).first()
        if staff is None:
            call_command("demo_data", force=True, stdout=io.StringIO())
            staff = User.objects.get(email=email)
        return staff

    def catalogue(self) -> None:
        """Fees of last year and this year; one CPU resource per trace cluster, with its
        power figures (so the import estimates energy) and prices."""
        staff = self._staff = self.staff()
        for year in (self.year - 1, self.year):
            missing = {kind: Decimal(amount) for kind, amount in FEES.items()
                       if not FeeSchedule.objects.filter(kind=kind, year=year).exists()}
            if missing:
                fee_schedule_set(year=year, amounts=missing, actor=staff)
                self.result.created["fees"] += len(missing)
        order = Resource.objects.count()
        for name, cluster, capacity, text_fr, text_en in TRACE_RESOURCES:
            resource = Resource.objects.filter(slurm_cluster=cluster, kind="cpu").first()
            if resource is None:
                order += 1
                resource = resource_save(resource=None, actor=staff, prices=PRICES, data={
                    "name": name, "kind": "cpu", "capacity_per_year": capacity,
                    "description_fr": text_fr, "description_en": text_en,
                    "slurm_cluster": cluster, "slurm_partition": "",
                    "watts_per_core": Decimal("12"), "memory_gb_per_core": Decimal("4"),
                    "is_public": True, "is_active": True, "order": order})
                self.result.created["resources"] += 1
            self.resources[cluster] = resource

    def accounting(self) -> None:
        """Import the two real traces moved into the demo years (or synthetic files)."""
        found = traces.real_traces(data_dir=self.data_dir, today=self.today)
        if found is None:
            self.result.notices.append(
                f"Real traces not found in {self.data_dir / 'accounting'}: using small "
                "SYNTHETIC accounting files instead (set ALGORIC_SHARED_DATA to the folder "
                "holding accounting/ to use the real ones).")
            found = traces.synthetic_traces(folder=self.synthetic_dir, today=self.today)
        else:
            self.result.real = True
        for trace in found:
            self._import(trace)

    def _import(self, trace: traces.Trace) -> None:
        with trace.path.open("rb") as stream:
            digest = sha256_of(stream)
            if AccountingImport.objects.filter(sha256=digest).exclude(
                    status=AccountingImport.Status.FAILED).exists():
                return
            self.log(f"Importing {trace.path.name} (cluster {trace.cluster}"
                     + (f", moved by {trace.shift_days} days" if trace.shift_days else "")
                     + ") …")
            started = time.monotonic()
            accounting_import = accounting_import_create(
                file_name=trace.path.name, size_bytes=trace.path.stat().st_size,
                sha256=digest, format=trace.format, cluster=trace.cluster,
                source=AccountingImport.Source.COMMAND, actor=self._staff,
                time_shift=dt.timedelta(days=trace.shift_days))
            accounting_import = accounting_import_run(accounting_import=accounting_import,
                                                      stream=stream)
        seconds = time.monotonic() - started
        self.result.imports.append((trace.path.name, accounting_import.jobs_added, seconds))
        self.result.created["imports"] += 1

    # --- People and organisations ----------------------------------------------------

    def people(self) -> None:
        """Every person of :data:`ORGANISATIONS`, with a verified email (one password)."""
        wanted = {}
        for spec in ORGANISATIONS.values():
            for local, first, last, _role in spec["people"]:
                wanted[email_of(local)] = (first, last)
        existing = {user.email: user for user in User.objects.filter(email__in=list(wanted))}
        password = None
        for email, (first, last) in wanted.items():
            user = existing.get(email)
            if user is None:
                password = password or make_password(PEOPLE_PASSWORD)
                user = User.objects.create(email=email, first_name=first, last_name=last,
                                           password=password, language="fr")
                EmailAddress.objects.create(user=user, email=email, verified=True,
                                            primary=True)
                self.result.created["people"] += 1
            self.users[email] = user

    def organisations_step(self) -> None:
        """Organisations of every kind, their people, memberships and agreements."""
        for index, (key, spec) in enumerate(ORGANISATIONS.items(), 1):
            representative = self.users[email_of(spec["people"][0][0])]
            organisation = Organisation.objects.filter(name=spec["name"]).first()
            if organisation is None:
                organisation = organisation_create(actor=representative, data={
                    "kind": spec["kind"], "name": spec["name"],
                    "siret": siret_for(index) if spec["kind"] == "sme" else "",
                    "address": spec["address"], "postal_code": spec["postal_code"],
                    "city": spec["city"], "country": "France", "website": spec["website"],
                    "contact_email": representative.email, "language": "fr"})
                self.result.created["organisations"] += 1
            self.organisations[key] = organisation
            for local, _first, _last, role in spec["people"][1:]:
                self._join(organisation, representative, self.users[email_of(local)], role)
            self._memberships(organisation, spec["membership"], index)
            if spec["agreement"] and not organisation.agreements.exists():
                self._agreement(organisation, representative, spec)
        # Last year's memberships left unpaid lapse, as the daily task would do.
        memberships_lapse(today=self.today)

    def _join(self, organisation, representative, user, role) -> None:
        if OrganisationMember.objects.filter(organisation=organisation, user=user).exists():
            return
        invitation = invitation_create(organisation=organisation, email=user.email, role=role,
                                       actor=representative)
        invitation_accept(token=invitation_token(invitation), user=user)
        self.result.created["organisation members"] += 1

    def _memberships(self, organisation, states, index) -> None:
        this_year, last_year = states
        for year, state in ((self.year, this_year), (self.year - 1, last_year)):
            if state is None:
                continue
            membership = membership_open(organisation=organisation, year=year,
                                         actor=self._staff)
            if membership.status != Membership.Status.PENDING or state in ("pending",
                                                                          "lapsed"):
                continue
            if state == "paid":
                paid_on = min(self.today, dt.date(year, 1 + index % 3, 5 + index))
                membership_record_payment(membership=membership, paid_on=paid_on,
                                          reference=f"VIR-{year}-{index:04d}",
                                          actor=self._staff)
            elif state == "waived":
                membership_waive(membership=membership, actor=self._staff,
                                 note="Établissement scolaire partenaire : cotisation offerte.")
            self.result.created["memberships settled"] += 1

    def _agreement(self, organisation, representative, spec) -> None:
        state = spec["agreement"]
        staff = self._staff
        agreement = agreement_create(organisation=organisation, actor=representative)
        agreement = agreement_update_draft(agreement=agreement, actor=representative, data={
            "signatory_name": representative.get_full_name(),
            "signatory_title": SIGNATORY_TITLES[organisation.kind]})
        self.result.created["agreements"] += 1
        if state == "draft":
            return
        agreement = agreement_submit(agreement=agreement, actor=representative)
        if state == "submitted":
            return
        if state == "rejected":
            agreement_reject(agreement=agreement, actor=staff, reason=(
                "L'activité décrite relève d'un prestataire commercial, pas d'un accès au "
                "calcul : prenez contact avec nous pour en parler."))
            return
        agreement = agreement_approve(agreement=agreement, actor=staff)
        if state == "approved":
            return
        agreement.refresh_from_db()
        with agreement.pdf.open("rb") as handle:
            signed = SimpleUploadedFile("convention-signee.pdf", handle.read(),
                                        content_type="application/pdf")
        agreement = agreement_upload_signed(agreement=agreement, uploaded=signed,
                                            actor=representative)
        days = 420 if state == "expired" else spec.get("agreement_days", 100)
        agreement_countersign(agreement=agreement, actor=staff,
                              starts_on=self.today - dt.timedelta(days=days))
        if state == "expired":
            agreements_expire(today=self.today)

    # --- Projects, requests and allocations ------------------------------------------

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

    # --- Reports -----------------------------------------------------------------------

    def reports_step(self) -> None:
        """The yearly reports of last year (projects with usage or grants, and the
        centre), those not generated yet."""
        if self.reports == "none":
            return
        if "generate_usage_reports" not in get_commands():
            self.result.notices.append("The yearly reports are not available in this "
                                       "version: none generated.")
            return
        year = self.year - 1
        done = UsageReport.objects.filter(year=year, status=UsageReport.Status.DONE)
        showcase = set(Project.objects.filter(
            members__user__email__in=[f"{login}@{DOMAIN}" for login in SHOWCASE_LOGINS],
        ).values_list("pk", flat=True))
        targets = [["--project", project.slurm_account] for project in
                   projects_to_report(year=year)
                   if (self.reports == "all" or project.pk in showcase)
                   and not done.filter(project=project).exists()]
        if not done.filter(scope=UsageReport.Scope.CENTRE).exists():
            targets.append(["--centre"])
        for index, target in enumerate(targets, 1):
            self.log(f"Yearly report {year} {index}/{len(targets)}: {target[-1]} …")
            call_command("generate_usage_reports", "--year", str(year), *target,
                         stdout=io.StringIO())
            self.result.reports.append(target[-1])


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
