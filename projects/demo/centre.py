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
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from algoric.core import registries
from members.models import FeeSchedule, Organisation, User
from members.services.fees import fee_schedule_set
from resources.accounting.services.imports import (
    accounting_import_create,
    accounting_import_run,
)
from resources.accounting.services.intake import sha256_of
from resources.models import AccountingImport, Resource
from resources.services.catalogue import resource_save

from ..models import Project
from ..selectors.statistics import public_statistics_forget
from . import traces
from .data import DEMO_FEES, DEMO_USERS
from .lifecycle import LifecycleSteps
from .organisations import SIGNATORY_TITLES, OrganisationSteps, siret_for
from .outputs import OutputSteps
from .people import DOMAIN, email_of
from .projects import ProjectSteps, nice_amount
from .reports import SHOWCASE_LOGINS, ReportSteps

__all__ = [
    "DOMAIN",
    "FEES",
    "PRICES",
    "SHOWCASE_LOGINS",
    "SIGNATORY_TITLES",
    "TRACE_RESOURCES",
    "DemoCentre",
    "DemoResult",
    "email_of",
    "nice_amount",
    "siret_for",
]

#: Placeholder yearly fees (EUR) of last year and this year: those of ``demo_data``
#: (which sets this year's when it runs first).
FEES = DEMO_FEES
#: (email, first name, last name) of the association's staff member who makes the
#: demonstration's decisions (payments, reviews, grants, countersignatures).
DECISIONS_BY = (f"bureau@{DOMAIN}", "Yann", "Kervella")

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


class DemoCentre(OrganisationSteps, ProjectSteps, LifecycleSteps, OutputSteps, ReportSteps):
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

    The steps live by subject in :mod:`~projects.demo.organisations`,
    :mod:`~projects.demo.projects`, :mod:`~projects.demo.lifecycle`,
    :mod:`~projects.demo.outputs` and :mod:`~projects.demo.reports`; the catalogue
    and the accounting imports are here.
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
                           ("lifecycle", self.lifecycle_step), ("thresholds", self.thresholds),
                           ("outputs", self.outputs_step),
                           ("reports", self.reports_step)):
            started = time.monotonic()
            step()
            self.result.seconds[name] = time.monotonic() - started
        # Steps of the apps above this one (training, billing…), registered in their ready().
        for name, builder in registries.demo_builders():
            started = time.monotonic()
            created = builder(staff=self._staff, year=self.year, today=self.today,
                              log=self.log) or {}
            for kind, count in created.items():
                self.result.created[kind] += count
            self.result.seconds[name] = time.monotonic() - started
        public_statistics_forget(year=self.year)
        return self.result

    def staff(self) -> User:
        """The staff member who makes the demonstration's decisions (:data:`DECISIONS_BY`).

        Every staff decision needs two-factor authentication, so this person has TOTP
        enrolled (a secret nobody keeps) and no usable password: a name in the histories,
        not a login. The demo logins of ``demo_data`` (created by running it when absent)
        keep theirs, and the demo staff login is asked to enrol TOTP at its first staff
        page."""
        if not User.objects.filter(email=next(user[0] for user in DEMO_USERS if user[4])).exists():
            call_command("demo_data", force=True, stdout=io.StringIO())
        email, first_name, last_name = DECISIONS_BY
        staff, created = User.objects.get_or_create(email=email, defaults={
            "first_name": first_name, "last_name": last_name, "is_staff": True})
        if created:
            staff.set_unusable_password()
            staff.save(update_fields=["password"])
            EmailAddress.objects.create(user=staff, email=email, verified=True, primary=True)
            TOTP.activate(staff, generate_totp_secret())
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
