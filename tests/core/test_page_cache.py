"""Public pages served whole from the page cache to anonymous readers: what is stored,
for whom, the HTTP caching headers, no cookie, and a page that changes right after
what it shows changes (algoric.core.page_cache)."""

import datetime as dt
import hashlib
import io
import json
import re
from http import HTTPStatus

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from algoric.core import page_cache
from algoric.pages.models import Page
from algoric.pages.services import page_update
from algoric.pages.views import page_detail
from projects.models import Project
from projects.outputs.services.manual import research_output_record
from projects.services.projects import project_close
from projects.views.public import public_project_detail, public_project_list
from projects.views.statistics import public_statistics_view
from resources.accounting.services.imports import accounting_import_create, accounting_import_run
from resources.views.hardware import hardware
from training.services.registrations import registration_create
from training.views.public import agenda, agenda_ics, event_detail, session_detail

from ..factories import (
    EventFactory,
    OrganisationFactory,
    PageFactory,
    ProjectFactory,
    ResourceFactory,
    SessionFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages():
    for slug in ("home", "missions", "hardware"):
        PageFactory(slug=slug)
        Page.objects.filter(slug=slug).update(
            title_fr=f"Titre {slug}", title_en=f"Title {slug}", body_fr=f"Texte de {slug}.",
            body_en=f"Text of {slug}.")


def _queries(client, url, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return response, [query["sql"] for query in captured.captured_queries]


def _page_tables(sql: list[str]) -> list[str]:
    """The queries that are not the cache's (the versions live in the database cache)."""
    return [query for query in sql if "algoric_cache" not in query]


def test_second_anonymous_reader_gets_the_stored_page_without_rendering(client, pages):
    url = reverse("pages:missions")
    first, first_sql = _queries(client, url)
    second, second_sql = _queries(client, url)

    assert first.status_code == second.status_code == HTTPStatus.OK
    assert second.content == first.content
    assert _page_tables(first_sql)  # the page was read from the database once
    assert _page_tables(second_sql) == []  # then served from the store
    assert len(second_sql) == 1  # one read of the content versions
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["Content-Language"] == "fr"


def test_public_answer_has_caching_headers_and_sets_no_cookie(client, pages):
    for url in (reverse("pages:home"), reverse("pages:missions"), reverse("resources:hardware"),
                reverse("projects:public_statistics"), reverse("projects:public_list")):
        for attempt in ("rendered", "stored"):
            response = client.get(url)
            assert response.status_code == HTTPStatus.OK, (url, attempt)
            assert "public" in response["Cache-Control"], (url, attempt)
            assert f"max-age={settings.PAGE_CACHE_MAX_AGE}" in response["Cache-Control"]
            assert "Cookie" in response["Vary"]  # never the anonymous copy once signed in
            assert response["ETag"] == (
                '"' + hashlib.md5(response.content, usedforsecurity=False).hexdigest() + '"')
            assert response["Last-Modified"]
            assert not response.cookies, (url, attempt, response.cookies)
            assert "csrfmiddlewaretoken" not in response.content.decode()
    assert not client.cookies


def test_conditional_get_answers_not_modified(client, pages):
    url = reverse("pages:missions")
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == HTTPStatus.NOT_MODIFIED
    assert again.content == b""
    since = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == HTTPStatus.NOT_MODIFIED
    other = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == HTTPStatus.OK


def test_each_language_has_its_own_page(client, pages):
    french = client.get(reverse("pages:missions")).content.decode()
    with translation.override("en"):
        url = reverse("pages:missions")
    english = client.get(url).content.decode()
    assert "Titre missions" in french and "Title missions" not in french
    assert "Title missions" in english and "Titre missions" not in english
    assert client.get(url).content.decode() == english


def test_signed_in_reader_gets_a_private_uncached_page(client, pages):
    url = reverse("pages:missions")
    client.get(url)  # stored for anonymous readers
    user = UserFactory(first_name="Gwenaëlle", last_name="Le Goff")
    client.force_login(user)
    response = client.get(url)
    assert "Gwenaëlle" in response.content.decode()
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert not response.has_header("ETag")
    client.logout()
    client.cookies.clear()
    anonymous = client.get(url)
    assert "Gwenaëlle" not in anonymous.content.decode()


def test_a_reader_with_a_session_is_not_served_the_stored_page(client, pages):
    url = reverse("pages:missions")
    client.get(url)
    client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session"
    response, sql = _queries(client, url)
    assert response.status_code == HTTPStatus.OK
    assert _page_tables(sql)  # rendered
    assert "public" not in response.get("Cache-Control", "")


def test_edited_page_is_shown_at_once(client, pages):
    url = reverse("pages:missions")
    assert "Texte de missions." in client.get(url).content.decode()
    page = Page.objects.get(slug="missions")
    page_update(page=page, data={"body_fr": "Nouvelles missions."}, version=page.version,
                actor=StaffFactory(mfa=True))
    text = client.get(url).content.decode()
    assert "Nouvelles missions." in text and "Texte de missions." not in text


def test_project_made_public_or_closed_is_listed_at_once(client, pages):
    url = reverse("projects:public_list")
    project = ProjectFactory(acronym="MAREE", status=Project.Status.ACTIVE,
                             summary_is_public=False)
    assert "MAREE" not in client.get(url).content.decode()
    project.summary_is_public = True
    project.save()
    assert "MAREE" in client.get(url).content.decode()
    # A status change through an update (no save()) also counts.
    draft = ProjectFactory(acronym="VENT", status=Project.Status.ACTIVE, summary_is_public=True)
    assert "VENT" in client.get(url).content.decode()
    Project.objects.filter(pk=draft.pk).update(status=Project.Status.DRAFT)
    page_cache.model_changed(Project)
    assert "VENT" not in client.get(url).content.decode()
    project_close(project=project, actor=StaffFactory(mfa=True))
    assert "MAREE" in client.get(url).content.decode()  # closed projects stay public


def test_catalogue_change_is_shown_at_once_on_the_hardware_page(client, pages):
    url = reverse("resources:hardware")
    before = client.get(url).content.decode()
    assert "Partition Iroise" not in before
    ResourceFactory(name="Partition Iroise", is_public=True)
    assert "Partition Iroise" in client.get(url).content.decode()


SACCT = (
    "4101|4101|breizh|standard|normal|proj-ocean|ocean|5001|maelle|6001|"
    "{day}T08:00:00|{day}T08:00:00|{day}T08:05:00|{day}T10:05:00|"
    "02:00:00|0:0|COMPLETED|1|8|8|16000Mn|billing=8,cpu=8,mem=16000M,node=1|"
    "billing=8,cpu=8,mem=16000M,node=1|04:00:00|node01|houle-sim\n"
)


def _statistics_chart(client) -> dict:
    text = client.get(reverse("projects:public_statistics")).content.decode()
    block = re.search(r'<script id="statistics-chart" type="application/json">(.*?)</script>',
                      text, re.DOTALL)
    return json.loads(block.group(1))


def test_new_usage_summaries_are_shown_at_once_on_the_statistics_page(client, pages):
    ProjectFactory(acronym="OCEAN", slurm_account="proj-ocean", status=Project.Status.ACTIVE,
                   organisation=OrganisationFactory())
    before = _statistics_chart(client)
    assert _statistics_chart(client) == before  # stored
    day = dt.date.today().replace(day=1).isoformat()
    data = SACCT.format(day=day).encode()
    accounting_import = accounting_import_create(
        file_name="day.sacct", size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
        format="sacct", cluster="breizh", source="upload")
    accounting_import_run(accounting_import=accounting_import, stream=io.BytesIO(data))
    after = _statistics_chart(client)
    assert after != before
    assert sum(after["datasets"][1]["data"]) == pytest.approx(
        sum(before["datasets"][1]["data"]) + 16)  # 8 cores × 2 h


def test_versions_are_replaced_again_after_the_commit(django_capture_on_commit_callbacks):
    before = page_cache.current_versions(["pages", "usage"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page_cache.content_changed("pages")
        during = page_cache.current_versions(["pages", "usage"])
    assert during["pages"] != before["pages"] and during["usage"] == before["usage"]
    assert [type(callback) for callback in callbacks] == [page_cache.VersionBump]
    callbacks[0]()
    after = page_cache.current_versions(["pages", "usage"])
    assert after["pages"] not in {before["pages"], during["pages"]}
    assert after["usage"] == before["usage"]


def test_unknown_kind_of_content_is_refused():
    with pytest.raises(ValueError, match="unknown kinds"):
        page_cache.public_page("weather")
    with pytest.raises(ValueError, match="unknown kinds"):
        page_cache.content_changed("weather")


def test_every_public_page_is_marked():
    for view in (page_detail, public_project_list, public_project_detail,
                 public_statistics_view, hardware, agenda, agenda_ics, session_detail,
                 event_detail):
        assert view.public_page_kinds, view


def test_a_new_session_or_event_is_in_the_agenda_and_its_feed_at_once(client, pages):
    url, feed = reverse("training:agenda"), reverse("training:agenda_ics")
    first = client.get(url)
    assert first.has_header("ETag") and "Initiation à Slurm" not in first.content.decode()
    client.get(feed)
    SessionFactory(course__title="Initiation à Slurm")
    EventFactory(title="Forum du calcul sobre")
    text = client.get(url).content.decode()
    assert "Initiation à Slurm" in text and "Forum du calcul sobre" in text
    assert "Forum du calcul sobre" in client.get(feed).content.decode()


def test_a_registration_changes_the_seats_left_at_once(client, pages):
    session = SessionFactory(capacity=2)
    url = reverse("training:session_detail", args=[session.pk])
    before = client.get(url).content.decode()
    attendee = UserFactory()
    registration_create(session=session, user=attendee, actor=attendee)
    after = client.get(url).content.decode()
    assert after != before


def test_a_research_output_is_on_the_public_project_page_at_once(client, pages):
    project = ProjectFactory(acronym="HOULE", status=Project.Status.ACTIVE,
                             summary_is_public=True)
    url = reverse("projects:public_detail", args=[project.pk])
    assert "Vagues de Quiberon" not in client.get(url).content.decode()
    research_output_record(project=project, data={
        "kind": "article", "title": "Vagues de Quiberon", "year": 2026,
        "doi": "10.5555/houle.2026"}, source="manual", actor=project.pi)
    assert "Vagues de Quiberon" in client.get(url).content.decode()
