"""A signed-in user's page is served again from the store only while nothing it shows
changed (algoric.core.signed_in_cache, algoric.core.table_versions)."""

from __future__ import annotations

import threading

import pytest
from django.contrib import messages
from django.contrib.auth.models import update_last_login
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from algoric.core import table_versions
from algoric.core.signed_in_cache import _Pending
from algoric.core.table_versions import ANY_TABLE, tables_read_by, tables_written_by
from projects.models import Project

from ..factories import ProjectFactory, UserFactory
from ..projects.test_page_query_counts import build_centre, pages

pytestmark = pytest.mark.django_db

LIST = "/projects/"


def _get(client, url=LIST):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


@pytest.fixture
def pi(client):
    user = UserFactory(first_name="Anne", last_name="Le Goff")
    ProjectFactory(acronym="HOULE", title="Modèle de houle", pi=user)
    client.force_login(user)
    _get(client)  # the first page sets the CSRF cookie: the next ones share a key
    return user


def test_a_page_read_again_comes_from_the_store(client, pi):
    rendered, rendered_queries = _get(client)
    served, served_queries = _get(client)
    assert served.content == rendered.content
    assert b"HOULE" in served.content
    assert served_queries < rendered_queries
    assert served_queries <= 3  # the session, the user, the versions (database cache: none)


@pytest.mark.parametrize("change", ["save", "update", "raw"])
def test_a_change_to_what_the_page_shows_is_on_the_next_read(client, pi, change):
    _get(client)
    project = Project.objects.get(acronym="HOULE")
    if change == "save":
        project.title = "Houle et marées"
        project.save(update_fields=["title"])
    elif change == "update":
        Project.objects.filter(pk=project.pk).update(title="Houle et marées")
    else:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE projects_project SET title = %s WHERE id = %s",
                           ["Houle et marées", project.pk])
    response, _ = _get(client)
    assert "Houle et marées" in response.content.decode()


def test_another_user_never_gets_the_page_kept_for_someone_else(client, pi):
    _get(client)
    other = UserFactory()
    ProjectFactory(acronym="VENT", pi=other)
    client.force_login(other)
    response, _ = _get(client)
    _get(client)
    response, _ = _get(client)
    assert b"VENT" in response.content
    assert b"HOULE" not in response.content


def test_each_language_is_kept_apart(client, pi):
    _get(client)
    french, _ = _get(client)
    _get(client, "/en" + LIST)
    english, _ = _get(client, "/en" + LIST)
    assert french.content != english.content
    assert 'lang="en"' in english.content.decode()


def test_a_waiting_message_is_shown_not_a_kept_page(client, pi, rf):
    _get(client)
    storage = CookieStorage(rf.get("/"))
    client.cookies[CookieStorage.cookie_name] = storage._encode(
        [Message(messages.SUCCESS, "Votre demande est enregistrée.")])
    response, _ = _get(client)
    assert "Votre demande est enregistrée." in response.content.decode()


def test_settings_changed_are_on_the_next_read(client, pi, settings):
    _get(client)
    settings.PUBLIC_PROJECTS_PER_PAGE = 12
    _, queries = _get(client)
    assert queries > 3  # rendered again


def test_the_cache_can_be_turned_off(client, pi, settings):
    settings.SIGNED_IN_PAGE_CACHE_SECONDS = 0
    _, first = _get(client)
    _, second = _get(client)
    assert first == second > 3


def test_account_pages_are_never_kept(client, pi):
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/accounts/email/")
        assert response.status_code == 200
    assert len(queries) > 3


def test_a_page_whose_tables_change_while_it_renders_is_not_kept(client, pi, monkeypatch):
    original = _Pending.entry

    def entry(self, request, response):
        table_versions.replace_versions({"projects_project"})  # another process commits
        return original(self, request, response)

    monkeypatch.setattr(_Pending, "entry", entry)
    _get(client, "/en" + LIST)  # a new key: rendered, and a table changes meanwhile
    monkeypatch.undo()
    _, queries = _get(client, "/en" + LIST)
    assert queries > 3  # rendered again: the copy made while a table changed was not kept
    _, queries = _get(client, "/en" + LIST)
    assert queries <= 3


@pytest.mark.django_db(transaction=True)
def test_a_commit_from_another_connection_is_on_the_next_read(client):
    user = UserFactory()
    ProjectFactory(acronym="HOULE", pi=user)
    client.force_login(user)
    for _ in range(3):
        _get(client)

    def other_process():
        try:
            with transaction.atomic():
                Project.objects.filter(acronym="HOULE").update(title="Écrit ailleurs")
        finally:
            connection.close()

    thread = threading.Thread(target=other_process)
    thread.start()
    thread.join(timeout=30)
    response, _ = _get(client)
    assert "Écrit ailleurs" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_write_after_a_rolled_back_savepoint_is_still_announced_at_the_commit():
    """A savepoint rolled back drops the after-commit hook made inside it; the next write
    registers one again."""
    ProjectFactory(acronym="HOULE")
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            Project.objects.update(title="Annulé")
            raise RuntimeError
        Project.objects.update(title="Gardé")
        hooks = [hook for _, hook, _ in connection.run_on_commit
                 if isinstance(hook, table_versions._Replace)]
        assert any("projects_project" in hook.tables for hook in hooks)


@pytest.mark.parametrize(("sql", "tables"), [
    ('INSERT INTO "projects_project" ("acronym") VALUES (%s)', {"projects_project"}),
    ("INSERT INTO resources_usagesummary (a) VALUES (%s) ON CONFLICT (a) DO UPDATE SET a = 1",
     {"resources_usagesummary"}),
    ('INSERT OR IGNORE INTO "resources_jobrecord" ("a") VALUES (?)', {"resources_jobrecord"}),
    ('UPDATE "members_user" SET "first_name" = %s WHERE "id" = %s', {"members_user"}),
    ('DELETE FROM "projects_projectmember" WHERE "id" IN (1)', {"projects_projectmember"}),
    ('TRUNCATE "a", "b" RESTART IDENTITY CASCADE;', {"a", "b"}),
    ("WITH moved AS (DELETE FROM x RETURNING *) SELECT * FROM moved", {ANY_TABLE}),
    ("SELECT 1", None),
    ("SAVEPOINT s1", None),
    ("SET LOCAL TIME ZONE 'UTC'", None),
])
def test_the_tables_a_write_changes_are_read_from_its_statement(sql, tables):
    assert tables_written_by(sql) == tables


def test_every_table_a_select_names_counts_as_read():
    sql = ('SELECT "projects_project"."id" FROM "projects_project" INNER JOIN '
           '"projects_projectmember" ON (1) WHERE EXISTS(SELECT 1 AS "a" FROM '
           '"projects_allocation" U0 LIMIT 1) AND x IN (SELECT y FROM resources_usagesummary)')
    assert tables_read_by(sql) >= {"projects_project", "projects_projectmember",
                                   "projects_allocation", "resources_usagesummary"}


def test_every_signed_in_page_is_served_again_from_the_store(client):
    """The pages of the query-count matrix, each read three times by one signed-in
    client: the first sets the CSRF cookie, the second is stored, the third is served
    from the store in at most three queries (session, user, versions)."""
    centre = build_centre()
    served = {}
    for name, (who, url) in pages(centre).items():
        client.force_login(centre[who])
        for _ in range(2):
            assert client.get(url).status_code == 200, name
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, name
        served[name] = len(queries)
    assert {name: count for name, count in served.items() if count > 3} == {}


def test_what_the_session_holds_is_part_of_the_key(client, pi):
    _get(client)
    _get(client)
    session = client.session
    session["projects_filter"] = "archived"
    session.save()
    _, queries = _get(client)
    assert queries > 3  # rendered for the session as it is now


def test_without_the_versions_store_pages_are_rendered_and_nothing_is_kept(
        client, pi, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("versions store down")

    monkeypatch.setattr(table_versions, "current_versions", unreachable)
    monkeypatch.setattr(table_versions, "write_stamp", unreachable)
    for _ in range(2):
        response, queries = _get(client)
        assert b"HOULE" in response.content
        assert queries > 3


def test_a_change_to_the_user_s_own_row_is_on_the_next_read(client, pi):
    _get(client)
    type(pi).objects.filter(pk=pi.pk).update(first_name="Annaïg")
    response, _ = _get(client)
    assert "Annaïg" in response.content.decode()


def test_someone_else_signing_in_does_not_make_the_page_render_again(client, pi):
    other = UserFactory()
    _get(client)
    _get(client)
    update_last_login(None, other)
    _, queries = _get(client)
    assert queries <= 3


@pytest.mark.parametrize(("sql", "tables"), [
    ('UPDATE "members_user" SET "last_login" = %s WHERE "members_user"."id" = %s', set()),
    ('UPDATE "members_user" SET "last_login" = %s, "first_name" = %s WHERE "id" = %s',
     {"members_user"}),
    ('UPDATE "members_user" SET "first_name" = %s WHERE "last_login" = %s', {"members_user"}),
])
def test_an_update_of_the_last_sign_in_alone_changes_no_page(sql, tables):
    assert tables_written_by(sql) == tables


@pytest.mark.django_db(transaction=True)
def test_with_the_database_cache_an_autocommit_write_is_announced_by_the_next_commit(settings):
    """The database cache is on the writing connection: a write in autocommit is not
    announced from inside the statement, but by the connection's next commit (or at the
    end of the request or task)."""
    settings.TABLE_VERSIONS_ALIAS = "default"
    project = ProjectFactory(acronym="HOULE")
    key = table_versions.version_key("projects_project")
    before = table_versions.current_versions([key])[key]
    Project.objects.filter(pk=project.pk).update(title="Écrit en autocommit")
    assert table_versions.current_versions([key])[key] == before
    with transaction.atomic():
        UserFactory()
    assert table_versions.current_versions([key])[key] != before
