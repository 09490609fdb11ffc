"""Usage report pages: who may see and download what, the missing-file page, the progress
JSON, and the staff's list and "generate" button."""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.models import Project, UsageReport
from projects.reports import views as report_views

from ..factories import OrganisationFactory, OrganisationMemberFactory, UserFactory
from .usage_helpers import YEAR, add_member, make_project

pytestmark = pytest.mark.django_db

LAST_YEAR = YEAR - 1
PDF = b"%PDF-1.7\n% a report\n"


@pytest.fixture
def reports_dir(tmp_path, settings):
    settings.USAGE_REPORTS_DIR = tmp_path / "reports"
    return settings.USAGE_REPORTS_DIR


def _done_report(*, scope, project=None, root: Path, files=("pdf-fr", "pdf-en", "csv-fr",
                                                            "xlsx-en")) -> UsageReport:
    folder = "centre" if project is None else f"project-{project.pk}"
    subject = "centre" if project is None else project.acronym.lower()
    report = UsageReport.objects.create(
        scope=scope, project=project, year=LAST_YEAR, status=UsageReport.Status.DONE,
        progress=100, totals={"jobs": 12, "core_hours": 3456.7, "gpu_hours": 0,
                              "energy_kwh_measured": 1.5, "energy_kwh_estimated": 40.0,
                              "co2e_kg": 2.1, "cost_eur": 8.3, "heat_kwh": 0})
    paths = {}
    extensions = {"pdf": "pdf", "xlsx": "xlsx", "csv": "zip"}
    for key in files:
        kind, language = key.split("-")
        relative = f"{LAST_YEAR}/{folder}/algoric-{subject}-{LAST_YEAR}-{language}." \
                   f"{extensions[kind]}"
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(PDF if kind == "pdf" else b"PK\x03\x04data")
        paths[key] = relative
    report.files = paths
    report.save()
    return report


@pytest.fixture
def reports(organisation, reports_dir):
    """HOULE (its PI and a member) with a done report, another organisation's project
    VAGUE with its own, and the centre report."""
    houle = make_project(organisation)
    member = add_member(houle)
    other_org = OrganisationFactory()
    other_pi = OrganisationMemberFactory(organisation=other_org, role="representative").user
    vague = make_project(other_org, acronym="VAGUE", slurm_account="vague", pi=other_pi)
    return {
        "houle": houle, "vague": vague, "member": member, "other": other_pi,
        "pi": organisation.representative,
        "houle_report": _done_report(scope=UsageReport.Scope.PROJECT, project=houle,
                                     root=reports_dir),
        "vague_report": _done_report(scope=UsageReport.Scope.PROJECT, project=vague,
                                     root=reports_dir),
        "centre_report": _done_report(scope=UsageReport.Scope.CENTRE, root=reports_dir),
    }


def download_url(report, key="pdf-fr"):
    return reverse("projects:reports:download", kwargs={"pk": report.pk, "key": key})


# --- Permissions ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["detail", "progress", "download"])
def test_anonymous_visitors_are_sent_to_login(client, reports, name):
    report = reports["houle_report"]
    url = download_url(report) if name == "download" else reverse(
        f"projects:reports:{name}", kwargs={"pk": report.pk})
    response = client.get(url)
    assert response.status_code == HTTPStatus.FOUND
    assert reverse("account_login") in response["Location"]


def test_project_member_downloads_the_report_as_an_attachment(client, reports):
    client.force_login(reports["member"])
    response = client.get(download_url(reports["houle_report"]))
    assert response.status_code == HTTPStatus.OK
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="algoric-houle-{LAST_YEAR}-fr.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert "no-store" in response["Cache-Control"]


def test_zip_and_xlsx_are_served_with_their_types(client, reports):
    client.force_login(reports["pi"])
    response = client.get(download_url(reports["houle_report"], "csv-fr"))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].endswith(f'-{LAST_YEAR}-fr.zip"')
    response = client.get(download_url(reports["houle_report"], "xlsx-en"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("name", ["detail", "progress", "download"])
def test_member_of_another_project_gets_404(client, reports, name):
    client.force_login(reports["other"])
    report = reports["houle_report"]
    url = download_url(report) if name == "download" else reverse(
        f"projects:reports:{name}", kwargs={"pk": report.pk})
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND


def test_member_cannot_see_the_project_list_of_another_project(client, reports):
    client.force_login(reports["other"])
    response = client.get(reverse("projects:reports:project_list",
                                  kwargs={"pk": reports["houle"].pk}))
    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("who", ["pi", "member", "other"])
def test_centre_report_is_for_staff_only(client, reports, who):
    client.force_login(reports[who])
    report = reports["centre_report"]
    assert client.get(download_url(report)).status_code == HTTPStatus.NOT_FOUND
    assert client.get(reverse("projects:reports:detail", kwargs={"pk": report.pk})).status_code == (
        HTTPStatus.NOT_FOUND)


def test_staff_without_two_factor_is_treated_as_a_member(client, reports, staff):
    client.force_login(staff)
    assert client.get(download_url(reports["centre_report"])).status_code == (
        HTTPStatus.NOT_FOUND)
    assert client.get(reverse("projects:reports:staff_list")).status_code == HTTPStatus.FOUND


def test_staff_download_every_report(client, reports, staff_with_mfa):
    client.force_login(staff_with_mfa)
    for name in ("houle_report", "vague_report", "centre_report"):
        response = client.get(download_url(reports[name], "pdf-en"))
        assert response.status_code == HTTPStatus.OK, name
        assert b"".join(response.streaming_content) == PDF


def test_unknown_file_key_is_404(client, reports):
    client.force_login(reports["pi"])
    for key in ("pdf-de", "exe-fr", "..-fr"):
        response = client.get(download_url(reports["houle_report"], key))
        assert response.status_code == HTTPStatus.NOT_FOUND


def test_missing_file_gives_a_clear_404_page(client, reports, reports_dir):
    report = reports["houle_report"]
    (reports_dir / report.files["pdf-fr"]).unlink()
    client.force_login(reports["pi"])
    response = client.get(download_url(report))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "projects/reports/file_missing.html" in [t.name for t in response.templates]
    # A format that was never written: the same page.
    response = client.get(download_url(report, "xlsx-fr"))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "projects/reports/file_missing.html" in [t.name for t in response.templates]


def test_a_path_outside_the_reports_folder_is_never_served(client, reports, tmp_path):
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"secret")
    report = reports["houle_report"]
    report.files = {**report.files, "pdf-fr": "../secret.pdf"}
    report.save()
    client.force_login(reports["pi"])
    assert client.get(download_url(report)).status_code == HTTPStatus.NOT_FOUND


def test_download_answers_405_to_post(client, reports):
    client.force_login(reports["pi"])
    assert client.post(download_url(reports["houle_report"])).status_code == (
        HTTPStatus.METHOD_NOT_ALLOWED)


# --- Pages ------------------------------------------------------------------------------

def test_report_page_lists_files_and_totals(client, reports):
    client.force_login(reports["member"])
    report = reports["houle_report"]
    response = client.get(reverse("projects:reports:detail", kwargs={"pk": report.pk}))
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert download_url(report, "pdf-fr") in html
    assert download_url(report, "xlsx-en") in html
    assert download_url(report, "xlsx-fr") not in html  # not written
    assert "3\u202f457" in html or "3 457" in html or "3\xa0457" in html
    assert reverse("projects:reports:staff_generate") not in html  # members cannot generate
    assert "<script>" not in html


def test_project_reports_list_is_linked_from_the_project_page(client, reports):
    client.force_login(reports["member"])
    project = reports["houle"]
    page = client.get(reverse("projects:project_detail", kwargs={"pk": project.pk}))
    url = reverse("projects:reports:project_list", kwargs={"pk": project.pk})
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert reverse("projects:reports:detail", kwargs={"pk": reports["houle_report"].pk}) in (
        response.content.decode())
    assert reverse("projects:reports:detail", kwargs={"pk": reports["vague_report"].pk}) not in (
        response.content.decode())


def test_progress_json_follows_the_report(client, reports):
    report = reports["houle_report"]
    report.status = UsageReport.Status.RUNNING
    report.progress = 42
    report.step = "Writing the PDF file (fr)"
    report.save()
    client.force_login(reports["member"])
    response = client.get(reverse("projects:reports:progress", kwargs={"pk": report.pk}))
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "running", "status_label": "en cours",
                               "percent": 42, "step": "Writing the PDF file (fr)",
                               "done": False}
    assert "no-store" in response["Cache-Control"]
    page = client.get(reverse("projects:reports:detail", kwargs={"pk": report.pk})).content.decode()
    assert "js/report-progress.js" in page
    assert "import-progress-42" in page
    report.status = UsageReport.Status.DONE
    report.progress = 100
    report.save()
    assert client.get(reverse("projects:reports:progress", kwargs={"pk": report.pk})).json()["done"]


# --- Staff ------------------------------------------------------------------------------

def test_staff_list_filters_by_year_scope_and_status(client, reports, staff_with_mfa):
    UsageReport.objects.create(scope=UsageReport.Scope.CENTRE, year=LAST_YEAR - 1,
                               status=UsageReport.Status.FAILED)
    client.force_login(staff_with_mfa)
    url = reverse("projects:reports:staff_list")
    everything = client.get(url)
    assert everything.status_code == HTTPStatus.OK
    assert len(everything.context["page"].object_list) == 4
    centre = client.get(url, {"scope": "centre"}).context["page"].object_list
    assert {report.scope for report in centre} == {"centre"} and len(centre) == 2
    failed = client.get(url, {"status": "failed"}).context["page"].object_list
    assert [report.year for report in failed] == [LAST_YEAR - 1]
    year = client.get(url, {"year": LAST_YEAR}).context["page"].object_list
    assert len(year) == 3
    # Bad filters are ignored, not a 500.
    assert client.get(url, {"year": "soon", "status": "lost"}).status_code == HTTPStatus.OK
    assert url in client.get(reverse("projects:staff_usage_dashboard")).content.decode()


def test_reports_staff_page_is_for_staff(client, reports):
    client.force_login(reports["pi"])
    assert client.get(reverse("projects:reports:staff_list")).status_code == HTTPStatus.FORBIDDEN
    response = client.post(reverse("projects:reports:staff_generate"),
                           {"report": "centre", "year": LAST_YEAR})
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_staff_generate_button_calls_the_service(client, reports, staff_with_mfa,
                                                 monkeypatch):
    calls = []

    def fake_request(**kwargs):
        calls.append(kwargs)
        return reports["houle_report"]

    monkeypatch.setattr(report_views.report_services, "usage_report_request", fake_request)
    client.force_login(staff_with_mfa)
    response = client.post(reverse("projects:reports:staff_generate"),
                           {"report": f"project-{reports['houle'].pk}", "year": LAST_YEAR})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("projects:reports:detail",
                                           kwargs={"pk": reports["houle_report"].pk})
    assert calls == [{"scope": "project", "year": LAST_YEAR, "project": reports["houle"],
                      "actor": staff_with_mfa}]
    calls.clear()
    client.post(reverse("projects:reports:staff_generate"), {"report": "centre", "year": LAST_YEAR})
    assert calls == [{"scope": "centre", "year": LAST_YEAR, "project": None,
                      "actor": staff_with_mfa}]


def test_staff_generate_shows_the_service_refusal(client, reports, staff_with_mfa,
                                                  monkeypatch):
    def refuse(**kwargs):
        raise ValidationError({"project": "A draft project has no usage to report."})

    monkeypatch.setattr(report_views.report_services, "usage_report_request", refuse)
    client.force_login(staff_with_mfa)
    response = client.post(reverse("projects:reports:staff_generate"),
                           {"report": "centre", "year": LAST_YEAR})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "A draft project has no usage to report." in response.content.decode()


@pytest.mark.parametrize("data", [
    {"report": "centre", "year": YEAR + 1},
    {"report": "centre", "year": "last"},
    {"report": "project-999999", "year": LAST_YEAR},
    {"report": "", "year": LAST_YEAR},
])
def test_staff_generate_refuses_bad_input_without_calling_the_service(
        client, reports, staff_with_mfa, monkeypatch, data):
    monkeypatch.setattr(report_views.report_services, "usage_report_request",
                        lambda **kwargs: pytest.fail("service called"))
    client.force_login(staff_with_mfa)
    response = client.post(reverse("projects:reports:staff_generate"), data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert UsageReport.objects.count() == 3


def test_staff_generate_really_queues_and_makes_the_report(client, organisation, reports_dir,
                                                           staff_with_mfa,
                                                           django_capture_on_commit_callbacks):
    project = make_project(organisation, acronym="CALME", slurm_account="calme")
    client.force_login(staff_with_mfa)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("projects:reports:staff_generate"),
                               {"report": f"project-{project.pk}", "year": LAST_YEAR})
    report = UsageReport.objects.get(project=project, year=LAST_YEAR)
    assert response["Location"] == reverse("projects:reports:detail", kwargs={"pk": report.pk})
    assert report.status == UsageReport.Status.DONE
    assert set(report.files) == {"pdf-fr", "pdf-en", "xlsx-fr", "xlsx-en", "csv-fr", "csv-en"}
    response = client.get(download_url(report, "pdf-en"))
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert Path(settings.USAGE_REPORTS_DIR, report.files["pdf-en"]).is_file()


def test_draft_projects_are_not_offered(client, organisation, reports, staff_with_mfa):
    draft = make_project(organisation, acronym="BROUILLON", slurm_account="brouillon",
                         status=Project.Status.DRAFT)
    client.force_login(staff_with_mfa)
    html = client.get(reverse("projects:reports:staff_list")).content.decode()
    assert f'value="project-{reports["houle"].pk}"' in html
    assert f'value="project-{draft.pk}"' not in html


def test_user_text_is_escaped_on_the_report_page(client, reports_dir, staff_with_mfa):
    organisation = OrganisationFactory(name="<script>alert(1)</script> Lab")
    pi = UserFactory()
    project = make_project(organisation, acronym="XSS", slurm_account="xss", pi=pi)
    project.title = "<img src=x onerror=alert(1)>"
    project.save()
    report = _done_report(scope=UsageReport.Scope.PROJECT, project=project, root=reports_dir)
    client.force_login(staff_with_mfa)
    html = client.get(reverse("projects:reports:detail", kwargs={"pk": report.pk})).content.decode()
    assert "<img src=x onerror" not in html
    assert "<script>alert(1)</script>" not in html
