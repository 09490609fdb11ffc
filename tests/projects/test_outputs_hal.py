"""The import from HAL (projects.outputs.services.hal), driven by recorded answers of HAL's
search API (tests/projects/data/hal/): never the network."""

import json
from pathlib import Path

import pytest
import requests
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from algoric.audit.models import AuditEvent
from projects.models import ResearchOutput
from projects.outputs.services import hal
from projects.outputs.services.hal import HalUnavailable, hal_session, outputs_import_hal
from tests.factories import ResearchOutputFactory, UserFactory
from tests.projects.usage_helpers import make_project

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


@pytest.mark.django_db
def test_a_collection_imports_every_document_and_a_second_import_adds_nothing(
        houle, recorded, settings):
    session = recorded("collection_algoric_houle.json")
    report = outputs_import_hal(project=houle, actor=houle.pi, collection="ALGORIC-HOULE")
    assert report.counts == {"added": 4, "linked": 0, "known": 0, "refused": 0, "total": 4}
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
    assert article.source == "hal"
    software = ResearchOutput.objects.get(hal_id="hal-04700002")
    assert software.kind == "software"
    assert software.swhid == "swh:1:dir:5e1f6d0c3a9b8e7f2d4c6a1b0e9f8d7c6b5a4f3e"
    thesis = ResearchOutput.objects.get(hal_id="tel-03912345")
    assert thesis.kind == "thesis" and thesis.open_access == "unknown"
    assert ResearchOutput.objects.get(hal_id="hal-03876501").kind == "conference"
    again = outputs_import_hal(project=houle, actor=houle.pi)  # the stored collection
    assert again.counts["known"] == 4 and again.counts["added"] == 0
    assert ResearchOutput.objects.count() == 4
    assert AuditEvent.objects.filter(action="outputs.hal_imported").count() == 2


@pytest.mark.django_db
def test_a_hal_document_with_a_known_doi_in_upper_case_completes_the_known_output(
        houle, recorded):
    known = ResearchOutputFactory(doi="10.1016/j.csr.2024.105158", hal_id="",
                                  open_access="unknown", projects=[houle])
    session = recorded("one_document.json")
    report = outputs_import_hal(project=houle, actor=houle.pi, hal_id="HAL-04533210v1")
    assert session.calls[0]["params"]["q"] == 'halId_s:"hal-04533210"'
    assert report.entries[0].outcome == "known"
    known.refresh_from_db()
    assert known.hal_id == "hal-04533210"
    assert known.arxiv_id == "2402.04567"
    assert known.open_access == "open"
    assert ResearchOutput.objects.count() == 1


@pytest.mark.django_db
def test_a_query_that_is_not_a_collection_code_is_sent_as_the_query(houle, recorded):
    session = recorded("no_document.json")
    report = outputs_import_hal(project=houle, actor=houle.pi,
                                collection='structId_i:12345 AND producedDateY_i:[2022 TO *]')
    assert session.calls[0]["params"]["q"].startswith("structId_i:12345")
    assert "fq" not in session.calls[0]["params"]
    assert report.counts["total"] == 0


@pytest.mark.django_db
def test_an_unknown_hal_id_says_so(houle, recorded):
    recorded("no_document.json")
    with pytest.raises(ValidationError) as error:
        outputs_import_hal(project=houle, actor=houle.pi, hal_id="hal-09999999")
    assert "hal-09999999" in error.value.messages[0]


@pytest.mark.django_db
def test_a_query_hal_refuses_is_a_clear_error(houle, recorded):
    recorded("error_bad_query.json", status=400)
    with pytest.raises(ValidationError) as error:
        outputs_import_hal(project=houle, actor=houle.pi, collection="title_s:(houle")
    assert "HAL refused the search" in error.value.messages[0]
    assert not isinstance(error.value, HalUnavailable)
    houle.refresh_from_db()
    assert houle.hal_collection == ""


@pytest.mark.django_db
@pytest.mark.parametrize("failure", [
    {"name": "error_unavailable.json", "status": 503},
    {"error": requests.ConnectionError("Name or service not known")},
    {"error": requests.ReadTimeout("read timed out")},
])
def test_hal_out_of_reach_imports_nothing_and_says_what_to_do(houle, recorded, failure):
    recorded(**failure)
    with pytest.raises(HalUnavailable) as error:
        outputs_import_hal(project=houle, actor=houle.pi, collection="ALGORIC-HOULE")
    message = error.value.messages[0]
    assert "HAL cannot be reached" in message and "BibTeX" in message
    assert ResearchOutput.objects.count() == 0


@pytest.mark.django_db
def test_nothing_to_search_is_refused(houle, recorded):
    recorded("no_document.json")
    with pytest.raises(ValidationError):
        outputs_import_hal(project=houle, actor=houle.pi)


@pytest.mark.django_db
def test_someone_outside_the_project_may_not_import(houle, recorded):
    session = recorded("collection_algoric_houle.json")
    with pytest.raises(PermissionDenied):
        outputs_import_hal(project=houle, actor=UserFactory(), collection="ALGORIC-HOULE")
    assert session.calls == []


def test_the_session_retries_connection_errors_and_busy_answers_with_backoff(settings):
    settings.HAL_RETRIES = 3
    retry = hal_session().get_adapter("https://api.archives-ouvertes.fr/").max_retries
    assert retry.total == 3 and retry.connect == 3
    assert {429, 500, 502, 503, 504} <= set(retry.status_forcelist)
    assert retry.backoff_factor > 0
    assert "GET" in retry.allowed_methods
