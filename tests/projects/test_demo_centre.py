"""``manage.py demo_centre``: the demonstration association on real accounting traces
(skipped with the reason when ../shared/data is absent) or on synthetic files."""

import datetime as dt
import io
import os
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from billing.models import Invoice, Payment
from members.models import Agreement, Membership, Organisation, OrganisationKind, User
from projects.demo import traces
from projects.demo.centre import DemoCentre
from projects.demo.people import PROJECTS
from projects.models import (
    AccountAlias,
    Allocation,
    Project,
    ProjectMember,
    ResearchOutput,
    ResourceRequest,
    UsageReport,
)
from projects.selectors.statistics import public_statistics_compute
from projects.selectors.usage import allocation_use, unmatched_accounts
from resources.models import AccountingImport, JobRecord, Resource, UsageSummary

pytestmark = pytest.mark.django_db

REPOSITORY = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("ALGORIC_SHARED_DATA") or REPOSITORY.parent / "shared" / "data")
YEAR = timezone.localdate().year

def _tiny_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def quick_pdfs(monkeypatch):
    """Agreement and report PDFs as a blank page (the workflows still run in full)."""
    pdf = _tiny_pdf()
    monkeypatch.setattr("members.services.agreement_pdf._pdf_from_html", lambda html: pdf)
    monkeypatch.setattr("projects.reports.render.render_pdf", lambda content: pdf)


def snapshot() -> dict:
    """Counts and latest changes of everything the demo writes."""
    models = [User, Organisation, Membership, Agreement, Project, ProjectMember,
              ResourceRequest, Allocation, AccountAlias, AccountingImport, JobRecord,
              UsageSummary, Resource, UsageReport, ResearchOutput]
    counts = {model.__name__: model.objects.count() for model in models}
    counts["statuses"] = sorted(Agreement.objects.values_list("number", "status"))
    counts["memberships"] = sorted(Membership.objects.values_list("pk", "status", "updated_at"))
    counts["allocations"] = sorted(Allocation.objects.values_list("pk", "amount", "status"))
    counts["reports"] = sorted(UsageReport.objects.values_list("pk", "generation"))
    from algoric.notifications.models import Notification

    counts["notifications"] = Notification.objects.count()
    counts["invoices"] = sorted(Invoice.objects.values_list("pk", "number", "status"))
    counts["payments"] = Payment.objects.count()
    return counts


def test_demo_centre_refuses_without_debug():
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_centre")
    assert not Organisation.objects.exists()


@override_settings(DEBUG=True)
def test_without_the_data_folder_it_says_so_and_uses_synthetic_files(tmp_path, quick_pdfs,
                                                                      monkeypatch):
    monkeypatch.setenv("ALGORIC_SHARED_DATA", str(tmp_path / "absent"))
    monkeypatch.setattr("django.conf.settings.VAR_DIR", tmp_path)
    out = io.StringIO()
    call_command("demo_centre", "--reports", "none", stdout=out)
    text = out.getvalue()
    assert "Real traces not found" in text and "SYNTHETIC" in text
    names = sorted(AccountingImport.objects.values_list("file_name", flat=True))
    assert names == [f"synthetic-lcg-{YEAR}.swf", f"synthetic-pozidriv-{YEAR}.sacct.log"]
    assert all("synthetic" in name for name in names)
    # The synthetic jobs count for the same projects, in both years.
    for year in (YEAR - 1, YEAR):
        assert UsageSummary.objects.filter(month__year=year).exists()
    assert "member@demo.algoric.org" in text and "mairie@demo.algoric.org" in text


@override_settings(DEBUG=True)
def test_the_association_is_believable_and_a_second_run_changes_nothing(tmp_path, quick_pdfs):
    centre = DemoCentre(data_dir=tmp_path / "absent", synthetic_dir=tmp_path, reports="none")
    centre.run()

    # Organisations of every kind, memberships and agreements in various states.
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(
        OrganisationKind.values)
    assert {"paid", "pending", "waived"} <= set(
        Membership.objects.filter(year=YEAR).values_list("status", flat=True))
    assert "lapsed" in set(Membership.objects.filter(year=YEAR - 1).values_list("status",
                                                                                 flat=True))
    statuses = Counter(Agreement.objects.values_list("status", flat=True))
    assert {"active", "expired", "submitted", "approved", "draft", "rejected"} <= set(statuses)
    # Projects on the traces' accounts: pozidriv's as Slurm accounts, LCG groups mapped.
    assert Project.objects.count() == len(PROJECTS) == 21
    assert Project.objects.filter(status=Project.Status.ACTIVE).count() == 21
    assert AccountAlias.objects.filter(cluster=traces.LCG).count() == 15
    assert set(Project.objects.values_list("slurm_account", flat=True)) >= {
        "calla", "taifl", "caste", "balsh", "field", "savwa"}
    unmatched = {(row["cluster"], row["account"]) for row in unmatched_accounts()}
    assert ("pozidriv", "ibech") in unmatched and ("lcg", "25") in unmatched
    assert not {(cluster, account) for (_k, _o, _a, _t, _f, _s, (cluster, account), *_r)
                in PROJECTS} & unmatched
    # Requests in several states, one emergency waiting first in the staff's queue.
    requests = Counter(ResourceRequest.objects.values_list("status", flat=True))
    assert {"approved", "partially_approved", "submitted", "under_review", "rejected",
            "withdrawn", "draft"} <= set(requests)
    emergency = ResourceRequest.objects.get(kind="emergency")
    assert emergency.status == "submitted"
    assert emergency.project.organisation.kind == "public_body"
    # Grants sized to the use: some past 80 %, some past 100 % this year.
    use = allocation_use(year=YEAR)
    shares = [use.get((a.project_id, a.resource_id), 0) * 100 / float(a.amount)
              for a in Allocation.objects.filter(year=YEAR, amount__gt=0)]
    assert any(80 <= share < 100 for share in shares)
    assert any(share >= 100 for share in shares)
    assert Allocation.objects.filter(year=YEAR - 1, status="expired").count() == 21
    # Research outputs, clearly the demo's: DOIs under the example prefix, a data set, a
    # piece of software archived in Software Heritage.
    outputs = ResearchOutput.objects.all()
    assert outputs.count() >= 8 and set(outputs.values_list("source", flat=True)) == {"demo"}
    assert all(doi.startswith("10.5555/") for doi in outputs.exclude(doi="").values_list(
        "doi", flat=True))
    assert outputs.filter(kind="dataset").exists()
    assert outputs.filter(kind="software").exclude(swhid="").exists()
    # Billing (a registered demo step): this year's membership invoices, paid ones paid,
    # one SME's usage invoice with a payment, each with its Factur-X PDF.
    invoiced = Membership.objects.filter(year=YEAR, fee__gt=0).exclude(status="waived")
    assert set(Invoice.objects.filter(membership__isnull=False).values_list(
        "membership_id", flat=True)) == set(invoiced.values_list("pk", flat=True))
    assert not Invoice.objects.filter(membership__status="paid").exclude(status="paid").exists()
    usage = Invoice.objects.get(membership__isnull=True, kind="invoice")
    assert usage.organisation.kind == "sme" and usage.lines.filter(kind="usage").exists()
    assert usage.payments.exists()
    assert all(invoice.pdf for invoice in Invoice.objects.all())
    # Demo people can log in.
    pi = User.objects.get(email="mairie@demo.algoric.org")
    assert pi.check_password("demo-people-Gwened-2026")
    assert pi.emailaddress_set.filter(verified=True).exists()

    before = snapshot()
    out = io.StringIO()
    call_command("demo_centre", "--force", "--reports", "none", "--data-dir",
                 str(tmp_path / "absent"), stdout=out)
    assert "nothing changed" in out.getvalue()
    assert snapshot() == before
    second = DemoCentre(data_dir=tmp_path / "absent", synthetic_dir=tmp_path, reports="none")
    second.run()
    assert snapshot() == before
    assert not any(second.result.created.values())


@override_settings(DEBUG=True)
def test_showcase_reports_are_generated_once(tmp_path, quick_pdfs):
    centre = DemoCentre(data_dir=tmp_path / "absent", synthetic_dir=tmp_path)
    centre.run()
    done = UsageReport.objects.filter(year=YEAR - 1, status=UsageReport.Status.DONE)
    assert done.filter(scope=UsageReport.Scope.CENTRE).count() == 1
    assert set(done.filter(scope=UsageReport.Scope.PROJECT).values_list(
        "project__slurm_account", flat=True)) == {
            "calla", "taifl",        # HOULE and SEDIMENT: member@ (PI, member)
            "grid-atlas",            # GRILLE-A: herve.le-meur
            "grid-crue",             # CRUE-LOCH: mairie
            "grid-eolien"}           # EOLIEN: nolwenn.le-roux
    member_projects = Project.objects.filter(members__user__email="member@demo.algoric.org")
    assert member_projects.count() == 2
    assert not member_projects.exclude(usage_reports__in=done).exists()
    generations = sorted(done.values_list("pk", "generation"))
    again = DemoCentre(data_dir=tmp_path / "absent", synthetic_dir=tmp_path)
    again.run()
    assert sorted(done.values_list("pk", "generation")) == generations
    assert again.result.reports == []


def test_shifts_move_the_traces_last_year_into_last_year():
    days = traces.shifts(today=dt.date(2026, 11, 22))
    assert traces.POZIDRIV_ANCHOR + dt.timedelta(days=days["pozidriv"]) == dt.date(2025, 12, 30)
    assert dt.date(2017, 1, 1) + dt.timedelta(days=days["pozidriv"]) == dt.date(2026, 1, 1)
    assert traces.LCG_ANCHOR + dt.timedelta(days=days["lcg"]) == dt.date(2026, 1, 1)
    assert dt.date(2005, 11, 20) + dt.timedelta(days=days["lcg"]) == dt.date(2025, 12, 25)


# --- With the real traces ---------------------------------------------------------------

@pytest.fixture
def real_data():
    if not (SHARED_DATA / "accounting" / "pozidriv.sacct.log").is_file() or not (
            SHARED_DATA / "accounting" / "LCG-2005-1.swf.gz").is_file():
        pytest.skip(f"real traces absent from {SHARED_DATA / 'accounting'} (set "
                    "ALGORIC_SHARED_DATA to the folder holding accounting/)")
    return SHARED_DATA


@override_settings(DEBUG=True)
def test_real_traces_are_moved_into_the_demo_years_and_shown(client, real_data, quick_pdfs,
                                                             tmp_path):
    from resources.accounting.selectors import shifted_imports

    centre = DemoCentre(data_dir=real_data, synthetic_dir=tmp_path, reports="none")
    result = centre.run()
    assert result.real and not result.notices
    assert JobRecord.objects.filter(cluster="pozidriv").count() == 11704
    assert JobRecord.objects.filter(cluster="lcg").count() == 188041
    shifted = {item["cluster"]: item for item in shifted_imports()}
    days = traces.shifts(today=timezone.localdate())
    assert shifted["pozidriv"]["shift_days"] == days["pozidriv"]
    assert shifted["lcg"]["shift_days"] == days["lcg"]
    for item in shifted.values():
        assert item["first_end"].year == YEAR - 1
        assert item["last_end"].year == YEAR
    # Both years have real usage, of both clusters.
    for year in (YEAR - 1, YEAR):
        clusters = set(UsageSummary.objects.filter(month__year=year).values_list(
            "cluster", flat=True))
        assert clusters == {"pozidriv", "lcg"}
    # The remaining accounts are left unmatched: 13 LCG groups and pozidriv's ibech.
    unmatched = {(row["cluster"], row["account"]) for row in unmatched_accounts()}
    assert len(unmatched) == 14 and ("pozidriv", "ibech") in unmatched
    # Grants follow the real use: some near 80 %, some past 100 % this year.
    use = allocation_use(year=YEAR)
    shares = {a.project.acronym: use.get((a.project_id, a.resource_id), 0) * 100
              / float(a.amount)
              for a in Allocation.objects.filter(year=YEAR).select_related("project")}
    assert 80 <= shares["GRILLE-A"] < 100
    assert shares["EOLIEN"] >= 100
    # The public statistics equal independent sums of the job records (Paris year).
    zone = timezone.get_default_timezone()
    stats = public_statistics_compute(year=YEAR)
    for figures, year in ((stats.this_year, YEAR), (stats.last_year, YEAR - 1)):
        start = dt.datetime(year, 1, 1, tzinfo=zone)
        end = dt.datetime(year + 1, 1, 1, tzinfo=zone)
        expected = JobRecord.objects.filter(end_time__gte=start, end_time__lt=end).aggregate(
            total=Sum("core_hours"))["total"]
        assert figures.totals.core_hours == pytest.approx(expected, rel=1e-9)
        assert figures.totals.core_hours > 10_000
    with translation.override("en"):
        page = client.get(reverse("projects:public_statistics")).content.decode()
    assert "pozidriv.sacct.log" in page and "LCG-2005-1.swf.gz" in page
    assert f"moved by {days['lcg']:,} days" in page
    # The pages that show usage say the dates were moved: a project's usage page, the
    # staff's usage dashboard.
    houle = Project.objects.get(slurm_account="calla")
    client.force_login(User.objects.get(email="member@demo.algoric.org"))
    with translation.override("en"):
        usage = client.get(reverse("projects:project_usage", args=[houle.pk])).content.decode()
    assert "pozidriv.sacct.log" in usage and "LCG-2005-1.swf.gz" not in usage
