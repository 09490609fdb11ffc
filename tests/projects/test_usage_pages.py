"""The project usage page: its numbers (from hand-made usage summaries), who may see it,
its charts, and a query count that does not grow with the summaries."""

import json
import re
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from projects.charts import grant_chart_svg, svg_data_uri
from projects.models import AccountAlias, Allocation
from projects.selectors.usage import months_of, project_usage

from ..factories import UserFactory
from .usage_helpers import (
    CLUSTER,
    YEAR,
    add_member,
    allocate,
    summary,
)

pytestmark = pytest.mark.django_db

ENERGY = {"ENERGY_CARBON_INTENSITY_G_PER_KWH": 51.28, "ENERGY_PRICE_EUR_PER_KWH": 0.2,
          "ENERGY_PUE": 1.5, "ENERGY_HEAT_RECOVERY_FRACTION": 0.0}


@pytest.fixture
def filled(project, resources):
    """A year of use: CPU and GPU grants, jobs over three months, two people, three
    states, measured and estimated energy, one partition with no resource."""
    cpu, gpu = resources
    allocate(project, cpu, 10_000)
    allocate(project, gpu, 200)
    summary(month=1, user="alice", state="COMPLETED", jobs=10, core_hours=1000,
            measured=30, wait=3600)
    summary(month=1, user="bob", state="FAILED", jobs=2, core_hours=200, estimated=5,
            wait=7200)
    summary(month=3, user="alice", state="COMPLETED", jobs=5, core_hours=3000, estimated=60)
    summary(month=3, user="alice", state="TIMEOUT", jobs=1, core_hours=500, estimated=10)
    summary(month=3, user="bob", partition="gpu", state="COMPLETED", jobs=2, core_hours=64,
            gpu_hours=120, measured=40)
    summary(month=5, user="bob", partition="debug", state="COMPLETED", jobs=2, core_hours=8,
            estimated=1)
    # Not this project's, or not this year's.
    summary(account="autre", month=1, core_hours=50_000)
    summary(month=12, year=YEAR - 1, core_hours=77_777)
    return project


def page_text(response) -> str:
    return response.content.decode()


# --- The numbers ----------------------------------------------------------------------------

@override_settings(**ENERGY)
def test_project_usage_per_resource_and_month_against_the_grant(filled, resources):
    cpu, gpu = resources

    usage = project_usage(project=filled, year=YEAR)

    rows = {(use.resource, use.kind): use for use in usage.resources}
    cpu_use = rows[(cpu, "cpu")]
    assert cpu_use.granted == 10_000
    assert [m.used for m in cpu_use.months[:4]] == [1200, 0, 3500, 0]
    assert [m.cumulative for m in cpu_use.months[:4]] == [1200, 1200, 4700, 4700]
    assert cpu_use.used == 4700
    assert cpu_use.percent == pytest.approx(47)
    assert cpu_use.months[0].percent == pytest.approx(12)
    gpu_use = rows[(gpu, "gpu")]
    assert (gpu_use.granted, gpu_use.used, gpu_use.percent) == (200, 120, pytest.approx(60))
    other = rows[(None, "cpu")]
    assert other.used == 8 and other.granted is None
    assert other.partitions == [f"{CLUSTER}/debug"]
    assert (None, "gpu") not in rows
    assert [use.label for use in usage.resources][:2] == ["Bigoudène CPU", "Bigoudène GPU"]
    assert usage.years == [YEAR - 1, YEAR]


@override_settings(**ENERGY)
def test_project_usage_per_user_state_and_energy(filled):
    usage = project_usage(project=filled, year=YEAR)

    users = {row["user"]: row for row in usage.users}
    assert [row["user"] for row in usage.users] == ["alice", "bob"]
    assert (users["alice"]["jobs"], users["alice"]["core_hours"]) == (16, 4500)
    assert (users["bob"]["jobs"], users["bob"]["core_hours"], users["bob"]["gpu_hours"]) == (
        6, 272, 120)
    states = {row["state"]: row["jobs"] for row in usage.states}
    assert states == {"COMPLETED": 19, "FAILED": 2, "TIMEOUT": 1}
    assert usage.success_percent == pytest.approx(19 * 100 / 22)
    assert usage.totals.jobs == 22
    assert usage.totals.core_hours == 4772
    assert usage.totals.gpu_hours == 120
    assert usage.totals.mean_wait_hours == pytest.approx(3 / 22)
    energy = usage.energy
    assert energy.measured_kwh == Decimal(70)
    assert energy.estimated_kwh == Decimal(76)
    assert energy.total_kwh == Decimal(146)
    assert energy.co2e_kg == pytest.approx(Decimal(146) * Decimal("51.28") / 1000)
    assert energy.cost_eur == pytest.approx(Decimal("29.2"))
    assert energy.constants.carbon_intensity_g_per_kwh == Decimal("51.28")


@override_settings(**ENERGY)
def test_usage_page_shows_the_figures(client, filled):
    client.force_login(filled.pi)

    response = client.get(reverse("projects:project_usage", args=[filled.pk]))

    assert response.status_code == HTTPStatus.OK
    assert response.context["year"] == YEAR
    text = page_text(response)
    assert "Bigoudène CPU" in text and "Bigoudène GPU" in text
    assert "4\xa0700" in text  # French grouping
    assert "47 %" in text
    assert "146,0 kWh" in text
    assert "7,5 kg CO2e" in text  # 146 × 51.28 / 1000 = 7.49
    assert "29,20 €" in text
    assert "alice" in text and "TIMEOUT" in text
    # One chart per resource row, drawn in the browser from its numbers: a hidden figure
    # with a labelled canvas, and a JSON block; no image drawn on the server.
    labels = re.findall(r'<canvas role="img" aria-label="([^"]+)"></canvas>', text)
    assert len(labels) == 3
    assert all(label.strip() for label in labels)
    assert text.count('<figure class="usage-chart my-2" data-usage-chart="usage-chart-') == 3
    assert "data:image/svg+xml" not in text
    blocks = re.findall(r'<script id="usage-chart-(\d+)" type="application/json">(.*?)</script>',
                        text, re.DOTALL)
    assert [number for number, _ in blocks] == ["1", "2", "3"]
    charts = [json.loads(block) for _, block in blocks]
    assert all(len(chart["labels"]) == 12 for chart in charts)
    assert any(dataset["dashed"] for chart in charts for dataset in chart["datasets"])
    assert "js/usage-charts.js" in text and "vendor/chartjs/chart.umd.min.js" in text
    # The constants and their sources.
    assert "51,28" in text
    assert "<svg" not in text  # no inline SVG: its style attributes would break the CSP


def test_usage_page_in_english(client, filled):
    client.force_login(filled.pi)
    with translation.override("en"):
        url = reverse("projects:project_usage", args=[filled.pk])
    assert url.startswith("/en/")
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert "Use of the grants, month by month" in page_text(response)


def test_usage_page_for_another_year(client, filled, resources):
    cpu, _gpu = resources
    client.force_login(filled.pi)
    response = client.get(reverse("projects:project_usage", args=[filled.pk]),
                          {"year": YEAR - 1})
    usage = response.context["usage"]
    assert usage.year == YEAR - 1
    assert usage.totals.core_hours == 77_777
    assert [(use.resource, use.granted, use.used) for use in usage.resources] == [
        (cpu, None, 77_777)]


def test_usage_page_with_a_bad_year_shows_this_year(client, filled):
    client.force_login(filled.pi)
    for bad in ["abc", "1800", "99999", ""]:
        response = client.get(reverse("projects:project_usage", args=[filled.pk]), {"year": bad})
        assert response.status_code == HTTPStatus.OK
        assert response.context["year"] == YEAR


def test_usage_page_counts_the_aliases(client, filled):
    AccountAlias.objects.create(cluster=CLUSTER, account="grp-9", project=filled)
    summary(account="grp-9", month=2, core_hours=300)
    client.force_login(filled.pi)
    usage = client.get(reverse("projects:project_usage", args=[filled.pk])).context["usage"]
    assert usage.totals.core_hours == 4772 + 300
    assert usage.accounts == ["houle", f"{CLUSTER}:grp-9"]


def test_usage_page_without_any_job(client, project):
    client.force_login(project.pi)
    response = client.get(reverse("projects:project_usage", args=[project.pk]))
    assert response.status_code == HTTPStatus.OK
    assert response.context["usage"].resources == []
    assert response.context["usage"].success_percent is None


def test_resource_with_a_grant_and_no_partition_is_shown_unmapped(client, project):
    from resources.models import Resource

    unmapped = Resource.objects.create(name="Vieux CPU", kind="cpu",
                                       capacity_per_year=Decimal(1000))
    allocate(project, unmapped, 100)
    client.force_login(project.pi)
    with translation.override("en"):
        url = reverse("projects:project_usage", args=[project.pk])
    response = client.get(url)
    use = response.context["usage"].resources[0]
    assert (use.resource, use.used, use.is_mapped) == (unmapped, 0, False)
    assert "mapped to no Slurm partition" in page_text(response)


def test_project_page_links_to_its_usage(client, project):
    client.force_login(project.pi)
    response = client.get(reverse("projects:project_detail", args=[project.pk]))
    assert reverse("projects:project_usage", args=[project.pk]) in page_text(response)


# --- Who may see it -------------------------------------------------------------------------

def test_usage_page_is_404_for_someone_outside_the_project(client, filled):
    client.force_login(UserFactory())
    response = client.get(reverse("projects:project_usage", args=[filled.pk]))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_usage_page_is_open_to_a_plain_member_and_staff(client, filled, staff_with_mfa):
    client.force_login(add_member(filled))
    assert client.get(reverse("projects:project_usage", args=[filled.pk])).status_code == 200
    client.force_login(staff_with_mfa)
    assert client.get(reverse("projects:project_usage", args=[filled.pk])).status_code == 200


def test_usage_page_sends_anonymous_visitors_to_login(client, filled):
    response = client.get(reverse("projects:project_usage", args=[filled.pk]))
    assert response.status_code == HTTPStatus.FOUND
    assert reverse("account_login") in response["Location"]


def test_usage_page_answers_405_to_post(client, filled):
    client.force_login(filled.pi)
    response = client.post(reverse("projects:project_usage", args=[filled.pk]))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


# --- Speed -----------------------------------------------------------------------------------

def test_usage_page_queries_do_not_grow_with_the_summaries(client, filled):
    client.force_login(filled.pi)
    url = reverse("projects:project_usage", args=[filled.pk])
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == HTTPStatus.OK
    for month in range(1, 13):
        for user in ("u1", "u2", "u3", "u4"):
            for state in ("COMPLETED", "FAILED", "CANCELLED"):
                for partition in ("cpu", "gpu", "debug", "bigmem"):
                    summary(month=month, user=user, state=state, partition=partition,
                            core_hours=10, gpu_hours=1, estimated=0.5)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == HTTPStatus.OK
    assert len(many) == len(few)
    assert not any("resources_jobrecord" in q["sql"] for q in many.captured_queries)


# --- Charts ----------------------------------------------------------------------------------

def test_grant_chart_is_an_svg_without_xml_prologue():
    svg = grant_chart_svg(months=months_of(YEAR), used=[10.0] * 12, granted=200.0,
                          unit="core-hours",
                          legend={"month": "month", "cumulative": "since January",
                                  "granted": "<granted & co>"})
    assert svg.startswith("<svg")
    assert "<?xml" not in svg
    assert "&lt;granted &amp; co&gt;" in svg
    assert svg_data_uri(svg).startswith("data:image/svg+xml;base64,")
    # Same data, same drawing.
    again = grant_chart_svg(months=months_of(YEAR), used=[10.0] * 12, granted=200.0,
                            unit="core-hours",
                            legend={"month": "month", "cumulative": "since January",
                                    "granted": "<granted & co>"})
    assert again == svg


def test_suspended_allocation_still_shows_its_grant(client, project, resources):
    cpu, _gpu = resources
    allocate(project, cpu, 1000, status=Allocation.Status.SUSPENDED)
    summary(core_hours=500)
    client.force_login(project.pi)
    usage = client.get(reverse("projects:project_usage", args=[project.pk])).context["usage"]
    assert usage.resources[0].percent == pytest.approx(50)


def test_months_not_begun_are_marked_future(project, resources):
    cpu, _gpu = resources
    allocate(project, cpu, 1000, year=YEAR + 1)
    next_year = project_usage(project=project, year=YEAR + 1).resources[0]
    assert all(month.future for month in next_year.months)
    summary(core_hours=10, year=YEAR - 1, month=12)
    last_year = project_usage(project=project, year=YEAR - 1).resources[0]
    assert not any(month.future for month in last_year.months)
