"""Data of the load benchmark, written into the benchmark's own database.

Run by ``run.py`` with the portal's settings (``DJANGO_SETTINGS_MODULE`` and the
database in the environment); writes ``sessions.json`` (argument 1): for each simulated
member, a signed-in session key and the ids of their project, request, organisation and
report; and a staff session (staff with TOTP enrolled).

Per member: an SME with a paid membership and an active agreement, a project (the
member is its PI) with a draft request of one CPU row, and a done usage report whose
files (PDF, XLSX, CSV archive) are small real files in ``USAGE_REPORTS_DIR``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import django

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.utils import timezone  # noqa: E402

from members.models import (  # noqa: E402
    Agreement,
    FeeSchedule,
    Membership,
    Organisation,
    OrganisationMember,
    TermsTemplate,
    User,
)
from projects.models import (  # noqa: E402
    Allocation,
    Project,
    ProjectMember,
    ResourceRequest,
    ResourceRequestCell,
    ResourceRequestRow,
    UsageReport,
)
from resources.models import Cluster, Resource, ResourcePrice  # noqa: E402

PASSWORD = "Ty-Kreiz-Loch-2026-calcul"  # noqa: S105 (benchmark accounts, dropped after)


def session_for(user: User) -> str:
    """A signed-in session of ``user`` (as ``django.contrib.auth.login`` would store)."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def siret(n: int) -> str:
    from members.validators import luhn_is_valid

    stem = f"8321{n:09d}"
    return next(stem + str(d) for d in range(10) if luhn_is_valid(stem + str(d)))


def report_files(report: UsageReport) -> dict:
    from openpyxl import Workbook
    from pypdf import PdfWriter

    root = Path(settings.USAGE_REPORTS_DIR)
    folder = root / f"{report.year}/project-{report.project_id}"
    folder.mkdir(parents=True, exist_ok=True)
    pdf = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(pdf)
    xlsx = io.BytesIO()
    Workbook().save(xlsx)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("summary.csv", "month,core_hours\n1,100\n")
    files = {}
    for key, data, ext in (("pdf-fr", pdf, "pdf"), ("xlsx-fr", xlsx, "xlsx"),
                           ("csv-fr", archive, "zip")):
        name = f"algoric-p{report.project_id}-{report.year}-fr.{ext}"
        (folder / name).write_bytes(data.getvalue())
        files[key] = f"{report.year}/project-{report.project_id}/{name}"
    return files


def main(out: Path, members: int) -> None:
    today = timezone.localdate()
    year = today.year
    terms = TermsTemplate.objects.filter(kind="sme", is_published=True).first() or \
        TermsTemplate.objects.create(kind="sme", version=99, title_fr="Convention",
                                     title_en="Agreement", body_fr="Texte.", body_en="Text.",
                                     is_published=True)
    FeeSchedule.objects.get_or_create(kind="sme", year=year, defaults={"amount": 250})
    cpu = Resource.objects.create(name="CPU charge", kind="cpu",
                                  capacity_per_year=Decimal(10_000_000),
                                  slurm_cluster="charge", slurm_partition="cpu",
                                  watts_per_core=Decimal("10"), order=1)
    ResourcePrice.objects.create(resource=cpu, organisation_kind="sme",
                                 price_per_unit=Decimal("0.01"))
    Cluster.objects.create(name="charge")
    people = []
    for n in range(members):
        user = User.objects.create_user(email=f"charge{n}@example.org", password=PASSWORD,
                                        first_name="Membre", last_name=f"N{n}")
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        org = Organisation.objects.create(
            kind="sme", name=f"Charge {n} SAS", siret=siret(n), address="1 rue du Port",
            postal_code="56400", city="Auray", contact_email=f"org{n}@example.org")
        OrganisationMember.objects.create(organisation=org, user=user, role="representative")
        Membership.objects.create(organisation=org, year=year, fee=250, status="paid",
                                  paid_on=today, payment_reference=f"VIR-{n}")
        Agreement.objects.create(number=f"AG-{year}-{5000 + n}", organisation=org, kind="sme",
                                 terms=terms, status="active", starts_on=today,
                                 ends_on=today + dt.timedelta(days=364))
        project = Project.objects.create(
            title=f"Projet de charge {n}", acronym=f"CHG{n}", summary="Résumé.",
            field="earth", organisation=org, starts_on=dt.date(year, 1, 1),
            ends_on=dt.date(year + 1, 12, 31), slurm_account=f"chg{n}", status="active",
            summary_is_public=n % 2 == 0)
        ProjectMember.objects.create(project=project, user=user, role="pi")
        Allocation.objects.create(project=project, resource=cpu, year=year,
                                  amount=Decimal(100_000), starts_on=dt.date(year, 1, 1),
                                  ends_on=dt.date(year, 12, 31), status="active")
        request = ResourceRequest.objects.create(project=project, status="draft",
                                                 justification="Pour la charge.",
                                                 created_by=user)
        row = ResourceRequestRow.objects.create(request=request, resource=cpu)
        ResourceRequestCell.objects.create(row=row, year=year, requested=Decimal(1000))
        report = UsageReport.objects.create(scope="project", project=project, year=year - 1,
                                            status="done", progress=100)
        report.files = report_files(report)
        report.save(update_fields=["files"])
        people.append({"session": session_for(user), "project": project.pk,
                       "request": request.pk, "organisation": org.pk, "report": report.pk})
    staff = User.objects.create_user(email="equipe@example.org", password=PASSWORD,
                                     is_staff=True, is_superuser=True)
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    TOTP.activate(staff, generate_totp_secret())
    out.write_text(json.dumps({"members": people, "staff": [session_for(staff)
                                                              for _ in range(5)]}))
    print(f"seeded {members} members, sessions in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 50)
