"""Applicant pages of resource requests: the table with its totals and estimates, bad input,
the live estimate endpoint, submission, withdrawal, comments and permissions."""

import re
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from algoric.notifications.models import Notification
from members.models import OrganisationKind
from projects.models import RequestComment, ResourceRequest, ResourceRequestCell
from projects.selectors.requests import request_table
from projects.services import requests as services
from resources.models import ResourcePrice

from ..factories import (
    OrganisationFactory,
    OrganisationMemberFactory,
    ProjectFactory,
    ResourceFactory,
    ResourcePriceFactory,
    StaffFactory,
    UserFactory,
    allow,
)

pytestmark = pytest.mark.django_db
Status = ResourceRequest.Status
D = Decimal


# --- Fixtures and helpers (shared with test_staff_request_views) ----------------------------

def en(name, *args):
    """The English URL of ``name`` (the page then answers in English)."""
    with translation.override("en"):
        return reverse(name, args=args)


def text(response) -> str:
    return response.content.decode()


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def catalogue(db):
    """CPU (10 W per core, 4 GB per core), GPU (300 W), disk (no power figure), with SME
    prices 0.01 €/core-hour, 0.50 €/GPU-hour, 20 €/TB and cheaper lab prices; and an
    inactive resource."""
    cpu = ResourceFactory(name="CPU Bretagne", capacity_per_year=2_000_000, slurm_cluster="",
                          slurm_partition="", watts_per_core=D("10"),
                          memory_gb_per_core=D("4"), order=1)
    gpu = ResourceFactory(gpu=True, name="GPU V100", capacity_per_year=40_000, slurm_cluster="",
                          slurm_partition="", watts_per_gpu=D("300"), order=2)
    disk = ResourceFactory(disk=True, name="Disque projet", capacity_per_year=100, order=3)
    old = ResourceFactory(name="Ancien cluster", capacity_per_year=10, slurm_cluster="",
                          slurm_partition="", watts_per_core=D("20"), memory_gb_per_core=None,
                          is_active=False, order=4)
    for resource, sme, lab in ((cpu, "0.01", "0.005"), (gpu, "0.50", "0.25"),
                               (disk, "20", "10")):
        ResourcePriceFactory(resource=resource, organisation_kind="sme", price_per_unit=D(sme))
        ResourcePriceFactory(resource=resource, organisation_kind="lab", price_per_unit=D(lab))
    return {"cpu": cpu, "gpu": gpu, "disk": disk, "old": old}


@pytest.fixture
def project(organisation, catalogue):
    """The three-year draft project HouleGolfe (1 March this year to 30 June in two years)
    of ``organisation``: its representative is PI; ``.manager`` and ``.member`` too."""
    return ProjectFactory(organisation=organisation, acronym="HouleGolfe",
                          pi=organisation.representative, manager=True, member=True)


@pytest.fixture
def pi(project):
    return project.organisation.representative


@pytest.fixture
def draft(project, pi):
    return services.request_create(project=project, kind="new", actor=pi)


def table_post(catalogue, year, **extra) -> dict:
    """The form of a three-year table: CPU 100 000 / 150 000 / 50 000 core-hours, GPU
    1 000 / 2 000 / 500 GPU-hours, disk 2 / 2.5 / 3 TB, typed as people do."""
    cpu, gpu, disk = catalogue["cpu"].pk, catalogue["gpu"].pk, catalogue["disk"].pk
    data = {
        f"amount-{cpu}-{year}": "100 000", f"amount-{cpu}-{year + 1}": "150000",
        f"amount-{cpu}-{year + 2}": "50 000",
        f"amount-{gpu}-{year}": "1000", f"amount-{gpu}-{year + 1}": "2 000",
        f"amount-{gpu}-{year + 2}": "500",
        f"amount-{disk}-{year}": "2", f"amount-{disk}-{year + 1}": "2,5",
        f"amount-{disk}-{year + 2}": "3",
        f"justification-{cpu}": "Runs de houle à 50 m.", f"justification-{gpu}": "",
        f"justification-{disk}": "Sorties des modèles.",
        "justification": "Trois ans de simulations de submersion.",
    }
    data.update(extra)
    return data


def saved_table(resource_request) -> dict:
    return request_table(resource_request)


def fill(resource_request, catalogue, actor):
    """Save a small table through the service (CPU 1 000 core-hours the first year)."""
    year = resource_request.project.starts_on.year
    saved = services.request_save(
        request=resource_request, table={(catalogue["cpu"].pk, year): D("1000")},
        justification="Premiers essais.", row_justifications={catalogue["cpu"].pk: "Essais."},
        actor=actor)
    saved.project = resource_request.project  # keeps .manager and .member
    return saved


# --- Creating and editing the table ---------------------------------------------------------

def test_pi_starts_a_draft_and_lands_on_the_table(client, project, pi):
    client.force_login(pi)
    response = client.post(reverse("projects:request_create", args=[project.pk]),
                           {"kind": "new"})
    created = ResourceRequest.objects.get(project=project)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("projects:request_edit", args=[created.pk])
    assert created.status == Status.DRAFT and created.kind == "new"


def test_emergency_is_refused_to_an_sme_with_a_message(client, project, pi):
    client.force_login(pi)
    response = client.post(en("projects:request_create", project.pk), {"kind": "emergency"})
    assert response.status_code == HTTPStatus.FOUND
    assert not ResourceRequest.objects.exists()
    assert any("public" in message for message in message_texts(response))


def test_edit_page_shows_one_input_per_active_resource_and_year(client, draft, pi, catalogue):
    client.force_login(pi)
    response = client.get(en("projects:request_edit", draft.pk))
    assert response.status_code == HTTPStatus.OK
    page = text(response)
    for year in draft.project.years:
        for key in ("cpu", "gpu", "disk"):
            assert f'name="amount-{catalogue[key].pk}-{year}"' in page
    assert f'amount-{catalogue["old"].pk}-' not in page
    assert 'inputmode="decimal"' in page
    assert f'name="justification-{catalogue["cpu"].pk}"' in page
    for unit in ("core-hours", "GPU-hours", "TB"):
        assert unit in page
    # The script is a static file loaded with defer; no inline script.
    assert re.search(r'<script src="[^"]*js/request-table\.js" defer>', page)
    assert "<script>" not in page
    assert f'data-estimate-url="{en("projects:request_estimate", draft.pk)}"' in page


@override_settings(ENERGY_PUE=1.5)
def test_recalculate_saves_the_table_and_shows_totals_and_estimates(client, draft, pi,
                                                                    catalogue):
    year = draft.project.starts_on.year
    cpu, gpu, disk = catalogue["cpu"].pk, catalogue["gpu"].pk, catalogue["disk"].pk
    client.force_login(pi)
    response = client.post(en("projects:request_edit", draft.pk),
                           table_post(catalogue, year, recalculate="1"))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == en("projects:request_edit", draft.pk) + "#estimate"
    table = saved_table(draft)
    assert table[(cpu, year)] == D("100000")
    assert table[(gpu, year + 1)] == D("2000")
    assert table[(disk, year + 1)] == D("2.5")
    draft.refresh_from_db()
    assert draft.justification == "Trois ans de simulations de submersion."
    assert draft.rows.get(resource_id=cpu).justification == "Runs de houle à 50 m."

    response = client.get(response.url)
    view = response.context["table"]
    rows = {row["resource"].pk: row for row in view.rows}
    # Row totals in each resource's unit.
    assert rows[cpu]["total"] == D("300000") and rows[cpu]["unit"] == "core-hours"
    assert rows[gpu]["total"] == D("3500") and rows[gpu]["unit"] == "GPU-hours"
    assert rows[disk]["total"] == D("7.5") and rows[disk]["unit"] == "TB"
    # Cost at the SME prices: 300 000 × 0.01 + 3 500 × 0.50 + 7.5 × 20 = 4 900 €.
    assert view.total["cost_eur"] == D("4900.00")
    years = {item["year"]: item for item in view.years}
    assert years[year]["cost_eur"] == D("1540.00")  # 1 000 + 500 + 40
    # Energy with PUE 1.5: a core-hour is 1.5 × (10 + 4 × 0.3725) / 1000 = 0.017235 kWh,
    # a GPU-hour 1.5 × 300 / 1000 = 0.45 kWh; disk is not estimated.
    assert view.total["energy_kwh"] == D("6745.5")  # 5 170.5 + 1 575
    assert years[year]["energy_kwh"] == D("2173.5")  # 1 723.5 + 450
    assert years[year + 1]["energy_kwh"] == D("3485.3")  # 2 585.25 + 900, rounded
    # CO2e at 51.28 g/kWh: 6 745.5 × 0.05128 = 345.909 kg.
    assert view.total["co2e_kg"] == D("345.9")
    assert [resource.pk for resource in view.not_estimated] == [disk]
    assert view.unpriced == []
    page = text(response)
    assert "Disque projet" in page and "No energy estimate" in page
    assert "1.5" in page and "51.28" in page  # the constants are shown
    assert 'value="2.5"' in page  # the saved amount, as one would type it


def test_prices_follow_the_organisation_kind(client, catalogue):
    lab = OrganisationFactory(kind=OrganisationKind.LAB, siret="", research_code="")
    lab.representative = OrganisationMemberFactory(organisation=lab,
                                                   role="representative").user
    project = ProjectFactory(organisation=lab, acronym="LabHoule", pi=lab.representative,
                             manager=True, member=True)
    draft = services.request_create(project=project, kind="new", actor=lab.representative)
    client.force_login(lab.representative)
    year = project.starts_on.year
    response = client.post(en("projects:request_estimate", draft.pk),
                           table_post(catalogue, year))
    # Lab prices: 300 000 × 0.005 + 3 500 × 0.25 + 7.5 × 10 = 2 450 €.
    assert response.json()["total"]["cost_eur"] == "2450.00"


def test_save_goes_to_the_request_page(client, draft, pi, catalogue):
    client.force_login(pi)
    response = client.post(reverse("projects:request_edit", args=[draft.pk]),
                           table_post(catalogue, draft.project.starts_on.year, save="1"))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("projects:request_detail", args=[draft.pk])
    assert len(saved_table(draft)) == 9


def test_unpriced_resource_is_named(client, draft, pi, catalogue):
    ResourcePrice.objects.filter(resource=catalogue["gpu"]).delete()
    client.force_login(pi)
    response = client.get(en("projects:request_edit", draft.pk))
    view = response.context["table"]
    assert [resource.pk for resource in view.unpriced] == [catalogue["gpu"].pk]
    assert "Not priced" in text(response)


@pytest.mark.parametrize("bad, expected", [
    ("beaucoup", "is not a number"),
    ("-5", "cannot be negative"),
    ("1.234", "is not a valid amount"),
])
def test_bad_amount_is_listed_and_nothing_is_saved(client, draft, pi, catalogue, bad,
                                                   expected):
    draft = fill(draft, catalogue, pi)
    before = saved_table(draft)
    version = draft.version
    year = draft.project.starts_on.year
    client.force_login(pi)
    data = table_post(catalogue, year, **{f"amount-{catalogue['gpu'].pk}-{year}": bad})
    response = client.post(en("projects:request_edit", draft.pk), {**data, "recalculate": "1"})
    assert response.status_code == HTTPStatus.OK
    page = text(response)
    assert expected in page and "Nothing was saved" in page
    assert f'value="{bad}"' in page  # what was typed is kept
    assert 'value="100 000"' in page
    assert "is-invalid" in page
    draft.refresh_from_db()
    assert saved_table(draft) == before and draft.version == version
    assert draft.justification == "Premiers essais."


def test_year_outside_the_project_is_refused(client, draft, pi, catalogue):
    draft = fill(draft, catalogue, pi)
    before = saved_table(draft)
    year = draft.project.starts_on.year
    client.force_login(pi)
    data = table_post(catalogue, year, **{f"amount-{catalogue['cpu'].pk}-{year + 5}": "10"})
    response = client.post(en("projects:request_edit", draft.pk), {**data, "save": "1"})
    assert response.status_code == HTTPStatus.OK
    assert f"{year + 5} is outside the project" in text(response)
    assert saved_table(draft) == before


@pytest.mark.parametrize("which", ["missing", "inactive"])
def test_resource_not_in_the_catalogue_is_refused(client, draft, pi, catalogue, which):
    draft = fill(draft, catalogue, pi)
    before = saved_table(draft)
    year = draft.project.starts_on.year
    resource_id = 999_999 if which == "missing" else catalogue["old"].pk
    client.force_login(pi)
    data = table_post(catalogue, year, **{f"amount-{resource_id}-{year}": "10"})
    response = client.post(en("projects:request_edit", draft.pk), {**data, "save": "1"})
    assert response.status_code == HTTPStatus.OK
    assert f"Resource {resource_id} is not in the catalogue" in text(response)
    assert saved_table(draft) == before


def test_justification_for_an_unknown_resource_is_refused(client, draft, pi, catalogue):
    client.force_login(pi)
    data = table_post(catalogue, draft.project.starts_on.year,
                      **{"justification-999999": "???"})
    response = client.post(en("projects:request_edit", draft.pk), {**data, "save": "1"})
    assert response.status_code == HTTPStatus.OK
    assert "is not in the catalogue" in text(response)
    assert not saved_table(draft)


def test_submitted_request_cannot_be_edited(client, draft, pi, catalogue):
    draft = fill(draft, catalogue, pi)
    allow(draft.project.organisation)
    services.request_submit(request=draft, actor=pi)
    client.force_login(pi)
    response = client.get(reverse("projects:request_edit", args=[draft.pk]))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("projects:request_detail", args=[draft.pk])
    response = client.post(reverse("projects:request_edit", args=[draft.pk]),
                           table_post(catalogue, draft.project.starts_on.year, save="1"))
    assert response.status_code == HTTPStatus.FOUND
    assert saved_table(draft) == {(catalogue["cpu"].pk, draft.project.starts_on.year):
                                  D("1000")}


# --- The live estimate endpoint -------------------------------------------------------------

@override_settings(ENERGY_PUE=1.5)
def test_estimate_answers_json_and_saves_nothing(client, draft, pi, catalogue):
    draft = fill(draft, catalogue, pi)
    before, version = saved_table(draft), draft.version
    year = draft.project.starts_on.year
    client.force_login(pi)
    response = client.post(en("projects:request_estimate", draft.pk),
                           table_post(catalogue, year))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/json"
    data = response.json()
    cpu, gpu, disk = (str(catalogue[key].pk) for key in ("cpu", "gpu", "disk"))
    assert data["rows"][cpu] == {"total": "300000.00", "unit": "core-hours",
                                 "cost_eur": "3000.00", "energy_kwh": "5170.5"}
    assert data["rows"][gpu]["unit"] == "GPU-hours"
    assert data["rows"][disk]["total"] == "7.50" and data["rows"][disk]["unit"] == "TB"
    assert data["rows"][disk]["energy_kwh"] is None
    assert data["years"][str(year)] == {"cost_eur": "1540.00", "energy_kwh": "2173.5",
                                        "co2e_kg": "111.5"}
    assert data["total"] == {"cost_eur": "4900.00", "energy_kwh": "6745.5",
                             "co2e_kg": "345.9"}
    assert data["errors"] == [] and data["invalid"] == []
    draft.refresh_from_db()
    assert saved_table(draft) == before and draft.version == version


def test_estimate_lists_errors_and_counts_the_good_cells(client, draft, pi, catalogue):
    year = draft.project.starts_on.year
    cpu = catalogue["cpu"].pk
    client.force_login(pi)
    response = client.post(en("projects:request_estimate", draft.pk), {
        f"amount-{cpu}-{year}": "1 000", f"amount-{cpu}-{year + 1}": "deux",
        f"amount-{catalogue['gpu'].pk}-{year}": "-1"})
    data = response.json()
    assert response.status_code == HTTPStatus.OK
    assert len(data["errors"]) == 2
    assert data["invalid"] == sorted([f"amount-{cpu}-{year + 1}",
                                      f"amount-{catalogue['gpu'].pk}-{year}"])
    assert data["rows"][str(cpu)]["total"] == "1000.00"
    assert not saved_table(draft)


def test_plain_member_may_use_the_estimate(client, draft, catalogue):
    client.force_login(draft.project.member)
    response = client.post(reverse("projects:request_estimate", args=[draft.pk]),
                           table_post(catalogue, draft.project.starts_on.year))
    assert response.status_code == HTTPStatus.OK


def test_estimate_needs_the_csrf_token(draft, pi, catalogue):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(pi)
    response = client.post(reverse("projects:request_estimate", args=[draft.pk]),
                           table_post(catalogue, draft.project.starts_on.year))
    assert response.status_code == HTTPStatus.FORBIDDEN


# --- Submission, withdrawal ------------------------------------------------------------------

def test_submit_without_access_lists_the_reasons(client, draft, pi, catalogue):
    draft = fill(draft, catalogue, pi)
    client.force_login(pi)
    with translation.override("en"):
        response = client.post(en("projects:request_submit", draft.pk), follow=True)
    assert response.status_code == HTTPStatus.OK
    page = text(response)
    assert "The request was not submitted" in page
    assert f"No membership for {timezone.localdate().year}" in page
    assert "No active agreement" in page
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_submit_with_access_notifies_staff_by_email(client, draft, pi, catalogue,
                                                    django_capture_on_commit_callbacks):
    staff = [StaffFactory(mfa=True), StaffFactory(mfa=True)]
    draft = fill(draft, catalogue, pi)
    allow(draft.project.organisation)
    client.force_login(pi)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("projects:request_submit", args=[draft.pk]))
    assert response.status_code == HTTPStatus.FOUND
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED and draft.submitted_at is not None
    recipients = {address for message in mail.outbox for address in message.to}
    assert {person.email for person in staff} <= recipients
    assert pi.email not in recipients


def test_empty_request_cannot_be_submitted(client, draft, pi):
    allow(draft.project.organisation)
    client.force_login(pi)
    with translation.override("en"):
        response = client.post(en("projects:request_submit", draft.pk), follow=True)
    assert "asks for nothing" in text(response)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_emergency_from_a_public_body_reaches_every_staff_inbox_and_email(
        client, catalogue, django_capture_on_commit_callbacks):
    staff = [StaffFactory(mfa=True), StaffFactory(mfa=True), StaffFactory(mfa=True)]
    town = OrganisationFactory(kind=OrganisationKind.PUBLIC_BODY, name="Mairie d'Auray")
    town.representative = OrganisationMemberFactory(organisation=town,
                                                    role="representative").user
    allow(town)
    project = ProjectFactory(organisation=town, acronym="CrueLoch", pi=town.representative,
                             manager=True, member=True)
    client.force_login(town.representative)
    response = client.post(reverse("projects:request_create", args=[project.pk]),
                           {"kind": "emergency"})
    emergency = ResourceRequest.objects.get(project=project)
    assert response.url == reverse("projects:request_edit", args=[emergency.pk])
    year = project.starts_on.year
    client.post(reverse("projects:request_edit", args=[emergency.pk]), {
        f"amount-{catalogue['cpu'].pk}-{year}": "20 000",
        "justification": "Crue du Loch : modélisation des zones inondables."})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("projects:request_submit", args=[emergency.pk]))
    emergency.refresh_from_db()
    assert emergency.status == Status.SUBMITTED
    for person in staff:
        assert Notification.objects.filter(recipient=person, event="request_emergency",
                                           in_inbox=True).exists()
        assert any(person.email in message.to for message in mail.outbox)


def test_pi_withdraws_before_a_decision(client, draft, pi):
    client.force_login(pi)
    response = client.post(reverse("projects:request_withdraw", args=[draft.pk]))
    assert response.status_code == HTTPStatus.FOUND
    draft.refresh_from_db()
    assert draft.status == Status.WITHDRAWN
    response = client.post(reverse("projects:request_withdraw", args=[draft.pk]))
    assert response.status_code == HTTPStatus.FOUND  # refused with a message, no change
    assert message_texts(response)


# --- Detail page and comments ---------------------------------------------------------------

def test_detail_shows_table_comments_oldest_first_and_history(client, draft, pi, catalogue):
    draft = fill(draft, catalogue, pi)
    reviewer = StaffFactory(first_name="Gwen", last_name="Le Goff", mfa=True)
    services.request_comment(request=draft, body="Premier message du projet.", actor=pi)
    services.request_comment(request=draft, body="Question de l'équipe <b>Algoric</b>.",
                             actor=reviewer)
    client.force_login(draft.project.member)
    response = client.get(en("projects:request_detail", draft.pk))
    assert response.status_code == HTTPStatus.OK
    page = text(response)
    assert page.index("Premier message du projet.") < page.index("Question de l")
    assert "Algoric staff" in page
    assert "&lt;b&gt;Algoric&lt;/b&gt;" in page  # escaped
    assert "core-hours" in page and "Essais." in page
    assert "History" in page
    # A plain member reads and comments but does not act.
    assert "Send the comment" in page
    assert "Submit the request" not in page and "Edit the amounts" not in page


def test_pi_sees_the_actions_of_a_draft(client, draft, pi):
    client.force_login(pi)
    page = text(client.get(en("projects:request_detail", draft.pk)))
    assert "Submit the request" in page and "Edit the amounts" in page
    assert "Withdraw the request" in page


def test_member_comments_and_staff_are_notified(client, draft, django_capture_on_commit_callbacks):
    reviewer = StaffFactory(mfa=True)
    client.force_login(draft.project.member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("projects:request_comment", args=[draft.pk]),
                               {"body": "Peut-on avoir plus de GPU ?"})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.endswith("#comments")
    comment = RequestComment.objects.get(request=draft)
    assert not comment.from_staff and comment.author == draft.project.member
    assert any(reviewer.email in message.to for message in mail.outbox)


def test_empty_comment_is_refused(client, draft, pi):
    client.force_login(pi)
    response = client.post(reverse("projects:request_comment", args=[draft.pk]), {"body": " "})
    assert response.status_code == HTTPStatus.FOUND
    assert not RequestComment.objects.exists()


# --- Permissions ------------------------------------------------------------------------------

def test_outsiders_get_404_everywhere(client, draft, catalogue):
    client.force_login(UserFactory())
    year = draft.project.starts_on.year
    for name in ("request_detail", "request_edit"):
        assert client.get(reverse(f"projects:{name}", args=[draft.pk])).status_code == \
            HTTPStatus.NOT_FOUND
    for name in ("request_estimate", "request_submit", "request_withdraw", "request_comment"):
        response = client.post(reverse(f"projects:{name}", args=[draft.pk]),
                               {"body": "x", **table_post(catalogue, year)})
        assert response.status_code == HTTPStatus.NOT_FOUND, name
    response = client.post(reverse("projects:request_create", args=[draft.project.pk]),
                           {"kind": "new"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert ResourceRequest.objects.count() == 1


def test_anonymous_is_sent_to_login(client, draft):
    response = client.get(reverse("projects:request_detail", args=[draft.pk]))
    assert response.status_code == HTTPStatus.FOUND
    assert reverse("account_login") in response.url


def test_plain_member_gets_403_on_edit_submit_withdraw_create(client, draft, catalogue):
    allow(draft.project.organisation)
    client.force_login(draft.project.member)
    year = draft.project.starts_on.year
    assert client.get(reverse("projects:request_edit", args=[draft.pk])).status_code == \
        HTTPStatus.FORBIDDEN
    response = client.post(reverse("projects:request_edit", args=[draft.pk]),
                           table_post(catalogue, year, save="1"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert client.post(reverse("projects:request_submit", args=[draft.pk])).status_code == \
        HTTPStatus.FORBIDDEN
    assert client.post(reverse("projects:request_withdraw", args=[draft.pk])).status_code == \
        HTTPStatus.FORBIDDEN
    assert client.post(reverse("projects:request_create", args=[draft.project.pk]),
                       {"kind": "new"}).status_code == HTTPStatus.FORBIDDEN
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and not saved_table(draft)


def test_manager_may_edit(client, draft, catalogue):
    client.force_login(draft.project.manager)
    response = client.post(reverse("projects:request_edit", args=[draft.pk]),
                           table_post(catalogue, draft.project.starts_on.year, save="1"))
    assert response.status_code == HTTPStatus.FOUND
    assert len(saved_table(draft)) == 9


@pytest.mark.parametrize("name", ["request_estimate", "request_submit", "request_withdraw",
                                  "request_comment"])
def test_get_on_action_urls_is_405(client, draft, pi, name):
    client.force_login(pi)
    response = client.get(reverse(f"projects:{name}", args=[draft.pk]))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_get_on_create_is_405(client, project, pi):
    client.force_login(pi)
    response = client.get(reverse("projects:request_create", args=[project.pk]))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_cells_are_not_left_half_saved(client, draft, pi, catalogue):
    """One bad cell among many: no cell of the new table is stored."""
    year = draft.project.starts_on.year
    client.force_login(pi)
    data = table_post(catalogue, year, **{f"amount-{catalogue['disk'].pk}-{year + 2}": "x"})
    client.post(reverse("projects:request_edit", args=[draft.pk]), {**data, "save": "1"})
    assert not ResourceRequestCell.objects.exists()
