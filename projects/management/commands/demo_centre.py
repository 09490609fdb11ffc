"""``manage.py demo_centre``: a believable association computing on real accounting."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from projects.demo.centre import DemoCentre, email_of
from projects.demo.data import DEMO_USERS
from projects.demo.people import PEOPLE_PASSWORD
from projects.demo.traces import LCG_ANCHOR, POZIDRIV_ANCHOR, shifts

#: Logins worth trying, beside the staff and member of ``demo_data``: (local part, what
#: the person shows).
SHOWN_LOGINS = [
    ("mairie", "PI of CRUE-LOCH (Ville d'Auray), with an emergency request waiting"),
    ("herve.le-meur", "PI of GRILLE-A, the largest project (laboratory), near its grant"),
    ("nolwenn.le-roux", "representative of an SME; PI of EOLIEN, over 100 % of its grant"),
    ("soizic.tanguy", "representative of an SME whose agreement waits for staff"),
]


class Command(BaseCommand):
    """Build the demonstration centre (``projects.demo``) and print what to look at.

    Organisations of every kind with memberships and agreements in various states,
    21 projects whose Slurm accounts are those of the real traces in
    ``../shared/data/accounting`` (or ``$ALGORIC_SHARED_DATA``), requests and grants
    sized to the real use, both traces imported with their dates moved into last year
    and this year, and last year's reports. Without the data folder, small synthetic
    files are used and the command says so. Safe to run again: what exists is kept.
    Refuses to run with ``DEBUG`` off unless ``--force``.
    """

    help = "Build a demonstration association computing on real accounting traces."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="run even with DEBUG off (never in production)")
        parser.add_argument("--data-dir", type=Path, default=None,
                            help="folder holding accounting/ (default: $ALGORIC_SHARED_DATA "
                                 "or ../shared/data)")
        parser.add_argument("--reports", choices=["showcase", "all", "none"],
                            default="showcase",
                            help="last year's reports to generate: the centre and the "
                                 "projects of the printed logins (default), all, or none")

    def handle(self, *args, force: bool = False, data_dir: Path | None = None,
               reports: str = "showcase", **options):
        if not settings.DEBUG and not force:
            raise CommandError("demo_centre only runs with DEBUG on (use --force to override).")
        started = time.monotonic()
        centre = DemoCentre(data_dir=data_dir, reports=reports,
                            log=lambda line: self.stdout.write(line))
        result = centre.run()
        seconds = time.monotonic() - started
        for notice in result.notices:
            self.stdout.write(self.style.WARNING(notice))
        if result.real:
            days = shifts(today=centre.today)
            self.stdout.write(
                f"Real accounting traces, dates moved into {centre.year - 1}–{centre.year}: "
                f"pozidriv.sacct.log by {days['pozidriv']} days ({POZIDRIV_ANCHOR} → 30 Dec "
                f"{centre.year - 1}), LCG-2005-1.swf.gz by {days['lcg']} days "
                f"({LCG_ANCHOR} → 1 Jan {centre.year}).")
        for name, jobs, import_seconds in result.imports:
            self.stdout.write(f"  imported {name}: {jobs:,} jobs in {import_seconds:.1f} s")
        created = {name: count for name, count in result.created.items() if count}
        if created:
            self.stdout.write("Created: " + ", ".join(f"{count} {name}"
                                                      for name, count in created.items()))
        else:
            self.stdout.write("The demonstration centre was already there: nothing changed.")
        if result.reports:
            self.stdout.write(
                f"Yearly reports of {centre.year - 1} generated: {', '.join(result.reports)}. "
                f"The other projects' reports: manage.py generate_usage_reports --year "
                f"{centre.year - 1} (or from the staff's report page).")
        self.stdout.write("Seconds by step: " + ", ".join(
            f"{name} {step:.1f}" for name, step in result.seconds.items()))
        self.stdout.write(self.style.SUCCESS(
            f"Demonstration centre ready in {seconds:.0f} s. Logins (local use only):"))
        for email, password, _first, _last, is_staff in DEMO_USERS:
            role = ("staff (asked to set up TOTP)" if is_staff
                    else "member; PI of HOULE, a laboratory project")
            self.stdout.write(f"  {email:34} {password:30} {role}")
        for local, role in SHOWN_LOGINS:
            self.stdout.write(f"  {email_of(local):34} {PEOPLE_PASSWORD:30} {role}")
        self.stdout.write(f"  (every other …@demo.algoric.org person: {PEOPLE_PASSWORD})")
        member = next(email for email, *_rest, is_staff in DEMO_USERS if not is_staff)
        self.stdout.write(
            f"API (docs/api.md, /api/v1/docs/): `manage.py create_api_token {member} --scope "
            f"read` prints a read token of the PI of HOULE (a token is shown only when made).")
