"""The import from HAL (projects.outputs.services.hal and .imports, the task
projects.tasks.import_outputs_from_hal), driven by recorded answers of HAL's search API
(tests/projects/data/hal/): never the network. An import is asked for, then its task runs
on commit (eager Celery)."""

import datetime as dt
import json
from pathlib import Path

import pytest
import requests
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from algoric.audit.models import AuditEvent
from algoric.notifications.models import Notification
from projects.models import OutputImport, ResearchOutput
from projects.outputs.services import hal
from projects.outputs.services.hal import hal_session
from projects.outputs.services.imports import output_import_request, output_import_run
from projects.tasks import import_outputs_from_hal, output_import_enqueue_on_commit
from tests.factories import ResearchOutputFactory, UserFactory
from tests.projects.usage_helpers import add_member, make_project

DATA = Path(__file__).parent / "data" / "hal"


class RecordedAnswer:
    """A ``requests.Response`` stand-in holding a recorded HAL answer."""

    def __init__(self, name: str, status: int = 200):
        self.status_code = status
        self._text = (DATA / name).read_text(encoding="utf-8")

    def json(self):
        return json.loads(self._text)


class RecordedSession:
    """A session answering every GET with one recorded answer (or raising ``error``),
    keeping the calls it got."""

    def __init__(self, answer: RecordedAnswer | None = None, error: Exception | None = None):
        self.answer, self.error, self.calls = answer, error, []

    def get(self, url, params=None, timeout=None):
        self.calls.append({"url": url, "params": params, "timeout": timeout})
        if self.error is not None:
            raise self.error
        return self.answer


@pytest.fixture(autouse=True)
def english():
    """The outcomes are read in English (the site's default language is French)."""
    with translation.override("en"):
        yield



@pytest.fixture
def houle(organisation):
    return make_project(organisation)


@pytest.fixture
def recorded(monkeypatch):
    """Install a recorded session: ``recorded(name, status)`` or ``recorded(error=…)``."""
    def install(name: str | None = None, status: int = 200, error: Exception | None = None):
        session = RecordedSession(RecordedAnswer(name, status) if name else None, error)
        monkeypatch.setattr(hal, "hal_session", lambda: session)
        return session
    return install


@pytest.fixture
def run_import(django_capture_on_commit_callbacks):
    """``run_import(project, actor, hal_id=…, collection=…)``: ask for an import and run
    its task on commit, as a request does; returns the import, read again."""
    def run(project, actor, **query):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            output_import = output_import_request(project=project, actor=actor, **query)
            output_import_enqueue_on_commit(output_import)
        assert len(callbacks) >= 1
        output_import.refresh_from_db()
        return output_import
    return run


def _counts(output_import):
    return {name: getattr(output_import, name)
            for name in ("found", "added", "linked", "known", "refused")}


@pytest.mark.django_db
def test_a_collection_imports_every_document_and_a_second_import_adds_nothing(
        houle, recorded, run_import, settings):
    session = recorded("collection_algoric_houle.json")
    first = run_import(houle, houle.pi, collection="ALGORIC-HOULE")
    assert first.status == "done" and first.finished_at is not None
    assert _counts(first) == {"found": 4, "added": 4, "linked": 0, "known": 0, "refused": 0}
    call = session.calls[0]
    assert call["url"] == settings.HAL_API_URL
    assert call["params"]["fq"] == "collCode_s:ALGORIC-HOULE"
    assert call["params"]["wt"] == "json"
    assert call["timeout"] == (settings.HAL_CONNECT_TIMEOUT_SECONDS,
                               settings.HAL_READ_TIMEOUT_SECONDS)
    houle.refresh_from_db()
    assert houle.hal_collection == "ALGORIC-HOULE"
    article = ResearchOutput.objects.get(hal_id="hal-04512345")
    assert article.kind == "article" and article.year == 2024 and article.is_open
    assert article.doi == "10.1016/j.ocemod.2024.102301"
    assert article.authors == "Anne Le Goff and Yann Tanguy and Ronan Maël"
    assert article.source == "hal" and article.created_by == houle.pi
    software = ResearchOutput.objects.get(hal_id="hal-04700002")
    assert software.kind == "software"
    assert software.swhid == "swh:1:dir:5e1f6d0c3a9b8e7f2d4c6a1b0e9f8d7c6b5a4f3e"
    thesis = ResearchOutput.objects.get(hal_id="tel-03912345")
    assert thesis.kind == "thesis" and thesis.open_access == "unknown"
    assert ResearchOutput.objects.get(hal_id="hal-03876501").kind == "conference"
    again = run_import(houle, houle.pi)  # the stored collection
    assert again.status == "done" and again.known == 4 and again.added == 0
    assert ResearchOutput.objects.count() == 4
    assert AuditEvent.objects.filter(action="outputs.hal_imported").count() == 2
    assert AuditEvent.objects.filter(action="outputs.hal_import_requested").count() == 2


@pytest.mark.django_db
def test_a_hal_document_with_a_known_doi_in_upper_case_completes_the_known_output(
        houle, recorded, run_import):
    known = ResearchOutputFactory(doi="10.1016/j.csr.2024.105158", hal_id="",
                                  open_access="unknown", projects=[houle])
    session = recorded("one_document.json")
    output_import = run_import(houle, houle.pi, hal_id="HAL-04533210v1")
    assert output_import.hal_id == "hal-04533210"
    assert session.calls[0]["params"]["q"] == 'halId_s:"hal-04533210"'
    assert output_import.known == 1
    known.refresh_from_db()
    assert known.hal_id == "hal-04533210"
    assert known.arxiv_id == "2402.04567"
    assert known.open_access == "open"
    assert ResearchOutput.objects.count() == 1


@pytest.mark.django_db
def test_a_query_that_is_not_a_collection_code_is_sent_as_the_query(houle, recorded,
                                                                     run_import):
    session = recorded("no_document.json")
    output_import = run_import(
        houle, houle.pi, collection='structId_i:12345 AND producedDateY_i:[2022 TO *]')
    assert session.calls[0]["params"]["q"].startswith("structId_i:12345")
    assert "fq" not in session.calls[0]["params"]
    assert output_import.status == "done" and output_import.found == 0


@pytest.mark.django_db
def test_an_unknown_hal_id_fails_and_says_so(houle, recorded, run_import):
    recorded("no_document.json")
    output_import = run_import(houle, houle.pi, hal_id="hal-09999999")
    assert output_import.status == "failed"
    assert "hal-09999999" in output_import.error_text


@pytest.mark.django_db
def test_a_query_hal_refuses_fails_with_a_clear_message(houle, recorded, run_import):
    recorded("error_bad_query.json", status=400)
    output_import = run_import(houle, houle.pi, collection="title_s:(houle")
    assert output_import.status == "failed"
    assert "HAL refused the search" in output_import.error_text
    houle.refresh_from_db()
    assert houle.hal_collection == ""


@pytest.mark.django_db
@pytest.mark.parametrize("failure", [
    {"name": "error_unavailable.json", "status": 503},
    {"error": requests.ConnectionError("Name or service not known")},
    {"error": requests.ReadTimeout("read timed out")},
])
def test_hal_out_of_reach_ends_failed_with_a_message_and_nothing_written(
        houle, recorded, run_import, failure):
    recorded(**failure)
    output_import = run_import(houle, houle.pi, collection="ALGORIC-HOULE")
    assert output_import.status == "failed" and output_import.finished_at is not None
    assert output_import.error_code == "hal_unavailable"
    message = output_import.error_text
    assert "HAL cannot be reached" in message and "BibTeX" in message
    assert "Traceback" not in output_import.error
    assert ResearchOutput.objects.count() == 0
    assert _counts(output_import) == {"found": 0, "added": 0, "linked": 0, "known": 0,
                                      "refused": 0}
    houle.refresh_from_db()
    assert houle.hal_collection == ""
    assert not AuditEvent.objects.filter(action="outputs.hal_imported").exists()
    assert AuditEvent.objects.filter(action="outputs.hal_import_failed").count() == 1
    notification = Notification.objects.get(event="outputs_hal_import")
    assert notification.recipient == houle.pi
    # Written in the PI's language.
    assert {"fr": "échoué", "en": "failed"}[houle.pi.language] in notification.subject


@pytest.mark.django_db
def test_an_error_while_recording_leaves_nothing_half_written(houle, recorded, run_import,
                                                              monkeypatch):
    recorded("collection_algoric_houle.json")
    real = hal.research_output_record
    calls = []

    def breaks_on_the_third(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(hal, "research_output_record", breaks_on_the_third)
    output_import = run_import(houle, houle.pi, collection="ALGORIC-HOULE")
    assert output_import.status == "failed" and output_import.error_code == "internal"
    assert "disk full" not in output_import.error_text
    assert ResearchOutput.objects.count() == 0


@pytest.mark.django_db
def test_nothing_to_search_is_refused_before_anything_is_queued(houle, recorded):
    session = recorded("no_document.json")
    with pytest.raises(ValidationError):
        output_import_request(project=houle, actor=houle.pi)
    with pytest.raises(ValidationError):
        output_import_request(project=houle, actor=houle.pi, hal_id="hal_0123")
    assert not OutputImport.objects.exists() and session.calls == []


@pytest.mark.django_db
def test_someone_outside_the_project_may_not_import(houle, recorded):
    session = recorded("collection_algoric_houle.json")
    with pytest.raises(PermissionDenied):
        output_import_request(project=houle, actor=UserFactory(), collection="ALGORIC-HOULE")
    assert session.calls == [] and not OutputImport.objects.exists()


@pytest.mark.django_db
def test_a_second_import_while_one_is_queued_is_refused(houle, recorded):
    recorded("collection_algoric_houle.json")
    first = output_import_request(project=houle, actor=houle.pi, collection="ALGORIC-HOULE")
    assert first.status == "queued"
    with pytest.raises(ValidationError) as error:
        output_import_request(project=houle, actor=houle.pi, hal_id="hal-04512345")
    assert "already on its way" in error.value.messages[0]
    assert OutputImport.objects.count() == 1
    other = make_project(houle.organisation, acronym="DERIVE", slurm_account="derive")
    assert output_import_request(project=other, actor=other.pi,
                                 collection="ALGORIC-DERIVE").status == "queued"


@pytest.mark.django_db
def test_a_lost_import_no_longer_blocks_the_project(houle, recorded):
    recorded("collection_algoric_houle.json")
    lost = output_import_request(project=houle, actor=houle.pi, collection="ALGORIC-HOULE")
    OutputImport.objects.filter(pk=lost.pk).update(
        created_at=lost.created_at - dt.timedelta(hours=1))
    output_import_request(project=houle, actor=houle.pi, collection="ALGORIC-HOULE")
    lost.refresh_from_db()
    assert lost.status == "failed" and lost.error_code == "interrupted"


@pytest.mark.django_db
def test_the_requester_is_told_the_counts(houle, recorded, run_import):
    recorded("collection_algoric_houle.json")
    output_import = run_import(houle, houle.pi, collection="ALGORIC-HOULE")
    notification = Notification.objects.get(event="outputs_hal_import")
    assert notification.recipient == houle.pi
    assert notification.category == "outputs"
    assert notification.dedupe_key == f"outputs_hal_import:{output_import.pk}"
    assert houle.acronym in notification.subject
    assert "4" in notification.body


@pytest.mark.django_db
def test_a_duplicate_task_run_adds_nothing(houle, recorded, run_import):
    session = recorded("collection_algoric_houle.json")
    output_import = run_import(houle, houle.pi, collection="ALGORIC-HOULE")
    assert import_outputs_from_hal(output_import.pk) == "skipped"
    assert output_import_run(import_id=output_import.pk) == "skipped"
    assert len(session.calls) == 1
    assert ResearchOutput.objects.count() == 4
    assert Notification.objects.filter(event="outputs_hal_import").count() == 1
    output_import.refresh_from_db()
    assert output_import.status == "done" and output_import.added == 4


@pytest.mark.django_db
def test_a_requester_no_longer_in_the_project_imports_nothing(houle, recorded):
    recorded("collection_algoric_houle.json")
    member = add_member(houle)
    output_import = output_import_request(project=houle, actor=member,
                                          collection="ALGORIC-HOULE")
    houle.members.filter(user=member).delete()
    assert output_import_run(import_id=output_import.pk) == "failed"
    output_import.refresh_from_db()
    assert output_import.error_code == "not_allowed"
    assert ResearchOutput.objects.count() == 0


def test_the_session_retries_connection_errors_and_busy_answers_with_backoff(settings):
    settings.HAL_RETRIES = 3
    retry = hal_session().get_adapter("https://api.archives-ouvertes.fr/").max_retries
    assert retry.total == 3 and retry.connect == 3
    assert {429, 500, 502, 503, 504} <= set(retry.status_forcelist)
    assert retry.backoff_factor > 0
    assert "GET" in retry.allowed_methods
