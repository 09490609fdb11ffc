"""The public statistics page and the key figures of the home page: figures equal
independent sums of the fixtures, a bounded number of queries that does not grow
with the jobs, a cache of a few minutes, French and English."""

import datetime as dt
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from members.models import Membership, OrganisationKind, OrganisationMember
from projects.models import Project
from projects.selectors import statistics as selectors_stats
from projects.selectors.statistics import (
    public_statistics,
    public_statistics_compute,
    public_statistics_forget,
)

from ..factories import OrganisationFactory, UserFactory
from .usage_helpers import YEAR, make_project, summary

pytestmark = pytest.mark.django_db

#: (kind, account, year, month, partition, jobs, core-hours, GPU-hours, kWh measured,
#: kWh estimated) — the usage fixtures, summed independently below.
ROWS = [
    ("lab", "houle", YEAR, 1, "cpu", 10, 1200.5, 0.0, 0.0, 30.25),
    ("lab", "houle", YEAR, 3, "gpu", 4, 80.0, 16.0, 5.5, 2.0),
    ("public_body", "crue", YEAR, 3, "cpu", 7, 300.0, 0.0, 0.0, 9.0),
    ("public_body", "crue", YEAR - 1, 11, "cpu", 20, 5000.0, 0.0, 0.0, 120.0),
    ("lab", "houle", YEAR - 1, 12, "gpu", 2, 40.0, 8.0, 0.0, 3.5),
    (None, "orphan", YEAR, 2, "cpu", 3, 90.0, 0.0, 0.0, 1.5),
    (None, "orphan", YEAR - 2, 6, "cpu", 99, 9999.0, 0.0, 0.0, 99.0),
]


def _organisation(kind: str, paid: bool):
    siret = {} if kind == "sme" else {"siret": ""}
    organisation = OrganisationFactory(kind=kind, **siret)
    representative = UserFactory()
    OrganisationMember.objects.create(organisation=organisation, user=representative,
                                      role=OrganisationMember.Role.REPRESENTATIVE)
    organisation.representative = representative
    Membership.objects.create(
        organisation=organisation, year=YEAR, fee=Decimal(50),
        status=Membership.Status.PAID if paid else Membership.Status.PENDING,
        paid_on=dt.date(YEAR, 1, 15) if paid else None,
        payment_reference="VIR-1" if paid else "")
    return organisation


@pytest.fixture
def centre():
    """Organisations of three kinds (two paid), two active projects and a closed one,
    and the usage summaries of :data:`ROWS`."""
    lab = _organisation("lab", paid=True)
    town = _organisation("public_body", paid=True)
    sme = _organisation("sme", paid=False)
    OrganisationMember.objects.create(organisation=town, user=lab.representative)
    make_project(lab, acronym="HOULE", slurm_account="houle")
    make_project(town, acronym="CRUE", slurm_account="crue")
    make_project(sme, acronym="OLD", slurm_account="old", status=Project.Status.CLOSED)
    for _kind, account, year, month, partition, jobs, core, gpu, measured, estimated in ROWS:
        summary(account=account, year=year, month=month, partition=partition, jobs=jobs,
                core_hours=core, gpu_hours=gpu, measured=measured, estimated=estimated)
    return {"lab": lab, "town": town, "sme": sme}


def independent(year: int, column: int) -> float:
    return sum(row[column] for row in ROWS if row[2] == year)


def test_figures_equal_independent_sums_of_the_fixtures(centre):
    stats = public_statistics_compute(year=YEAR)
    assert stats.year == YEAR
    assert stats.people == 3  # the lab's representative is also in the town hall
    assert stats.organisations == 3
    assert stats.members == 2
    by_kind = {row["kind"]: row for row in stats.by_kind}
    assert [row["kind"] for row in stats.by_kind] == list(OrganisationKind.values)
    assert by_kind["lab"] == {"kind": "lab", "organisations": 1, "members": 1}
    assert by_kind["sme"] == {"kind": "sme", "organisations": 1, "members": 0}
    assert by_kind["school"]["organisations"] == 0
    assert stats.active_projects == 2
    for figures, year in ((stats.this_year, YEAR), (stats.last_year, YEAR - 1)):
        assert figures.year == year
        assert figures.totals.jobs == independent(year, 5)
        assert figures.totals.core_hours == pytest.approx(independent(year, 6))
        assert figures.totals.gpu_hours == pytest.approx(independent(year, 7))
        kwh = independent(year, 8) + independent(year, 9)
        assert float(figures.energy.total_kwh) == pytest.approx(kwh)
        assert float(figures.energy.co2e_kg) == pytest.approx(
            kwh * settings.ENERGY_CARBON_INTENSITY_G_PER_KWH / 1000)
        for row in figures.by_month:
            month_rows = [r for r in ROWS if r[2] == year and r[3] == row["month"].month]
            assert row["core_hours"] == pytest.approx(sum(r[6] for r in month_rows))
            assert row["gpu_hours"] == pytest.approx(sum(r[7] for r in month_rows))
            assert row["energy_kwh"] == pytest.approx(sum(r[8] + r[9] for r in month_rows))
        assert len(figures.by_month) == 12
    # Projects that computed: the orphan account is not a project.
    assert stats.this_year.projects == 2
    assert stats.last_year.projects == 2
    assert stats.core_hours_change_percent == pytest.approx(
        (independent(YEAR, 6) - independent(YEAR - 1, 6)) * 100 / independent(YEAR - 1, 6))


def test_page_shows_the_figures_in_french(client, centre):
    response = client.get(reverse("projects:public_statistics"))
    assert response.status_code == HTTPStatus.OK
    text = response.content.decode()
    assert "Algoric en chiffres" in text
    assert "Heures-cœur" in text or "heures-cœur" in text
    # 1200.5 + 80 + 300 + 90 = 1670.5 core-hours this year, French grouping.
    assert "1\u202f671" in text or "1 671" in text or "1\xa0671" in text
    assert "5\u202f040" in text or "5 040" in text or "5\xa0040" in text  # last year
    assert '<script id="statistics-chart" type="application/json">' in text
    assert "Laboratoire" in text
    assert "Chiffres au" in text


def test_page_is_in_english_under_en(client, centre):
    with translation.override("en"):
        url = reverse("projects:public_statistics")
    assert url == "/en/statistics/"
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    text = response.content.decode()
    assert "Algoric in figures" in text
    assert "Figures as of" in text
    assert "1,671" in text and "5,040" in text
    assert "Laboratory" in text
    assert 'lang="en"' in text


def test_home_page_shows_the_key_figures(client, centre):
    response = client.get(reverse("pages:home"))
    text = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Algoric en chiffres" in text
    assert reverse("projects:public_statistics") in text
    with translation.override("en"):
        response = client.get(reverse("pages:home"))
    assert "1,671" in response.content.decode()


def test_menu_links_to_the_statistics(client, db):
    response = client.get(reverse("pages:missions"))
    assert f'href="{reverse("projects:public_statistics")}"' in response.content.decode()


def _queries(callable_):
    with CaptureQueriesContext(connection) as ctx:
        callable_()
    return ctx.captured_queries


def test_queries_are_bounded_and_do_not_grow_with_jobs(centre):
    few = _queries(lambda: public_statistics_compute(year=YEAR))
    assert len(few) <= 12
    # Ten times more accounts, users and months of usage.
    for index in range(40):
        summary(account=f"acct{index}", year=YEAR - index % 2, month=1 + index % 12,
                user=f"user{index}", jobs=1000, core_hours=10.0 * index)
    many = _queries(lambda: public_statistics_compute(year=YEAR))
    assert len(many) == len(few)
    # Never a scan of the job records.
    assert not any("resources_jobrecord" in query["sql"] for query in many)


def test_page_query_count_does_not_grow_with_jobs(client, centre):
    url = reverse("projects:public_statistics")

    def fresh_page():
        public_statistics_forget()
        caches["pages"].clear()  # rendered, not the stored page
        client.get(url)

    fresh_page()  # the content versions are set once, by the first reader
    few = len(_queries(fresh_page))
    for index in range(30):
        summary(account=f"acct{index}", month=1 + index % 12, user=f"u{index}", jobs=500,
                core_hours=5.0)
    assert len(_queries(fresh_page)) == few


def test_figures_are_cached_for_a_few_minutes(client, centre, settings):
    settings.PUBLIC_STATISTICS_CACHE_SECONDS = 300
    url = reverse("projects:public_statistics")
    first = client.get(url).content.decode()
    assert "1\u202f671" in first or "1\xa0671" in first or "1 671" in first
    # New usage arrives: the cached figures are served until they expire.
    summary(account="houle", month=5, jobs=1, core_hours=1000.0)
    cached_queries = _queries(lambda: client.get(url))
    assert len(cached_queries) <= 3  # the cache reads, nothing summed
    assert not any("resources_usagesummary" in q["sql"] for q in cached_queries)
    assert public_statistics().this_year.totals.core_hours == pytest.approx(1670.5)
    public_statistics_forget()
    assert public_statistics().this_year.totals.core_hours == pytest.approx(2670.5)


def test_page_says_when_the_figures_come_from_shifted_traces(client, centre, monkeypatch):
    first = timezone.make_aware(dt.datetime(YEAR - 1, 12, 30, 3, 0))
    last = timezone.make_aware(dt.datetime(YEAR, 1, 1, 12, 0))
    monkeypatch.setattr(selectors_stats, "shifted_imports", lambda: [{
        "cluster": "pozidriv", "file_name": "pozidriv.sacct.log", "shift_days": 3652,
        "first_end": first, "last_end": last}])
    public_statistics_forget()
    with translation.override("en"):
        text = client.get(reverse("projects:public_statistics")).content.decode()
        home = client.get(reverse("pages:home")).content.decode()
    assert "pozidriv.sacct.log" in text
    assert "moved by 3,652 days" in text
    assert "real, public accounting traces" in home


def test_no_shift_notice_without_shifted_imports(client, centre):
    text = client.get(reverse("projects:public_statistics")).content.decode()
    assert "pozidriv.sacct.log" not in text


def test_empty_centre_page_answers(client, db):
    response = client.get(reverse("projects:public_statistics"))
    assert response.status_code == HTTPStatus.OK
    stats = public_statistics()
    assert stats.this_year.totals.core_hours == 0
    assert stats.year == timezone.localdate().year
