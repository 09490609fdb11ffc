"""The outputs section of the project page, adding one by hand, the BibTeX upload, the
HAL import, removing one, the public page and the public statistics."""

from __future__ import annotations

import json
from http import HTTPStatus
from pathlib import Path

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from projects.models import OutputImport, ResearchOutput
from projects.outputs.services import hal
from projects.selectors.statistics import public_statistics
from tests.factories import ResearchOutputFactory, UserFactory

from .usage_helpers import add_member, make_project

DATA = Path(__file__).parent / "data"
HEX = "5e1f6d0c3a9b8e7f2d4c6a1b0e9f8d7c6b5a4f3e"


def en(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.fixture
def houle(organisation):
    return make_project(organisation)


@pytest.fixture
def pi_client(client, houle):
    client.force_login(houle.pi)
    return client


def _form(**fields):
    data = {"kind": "article", "title": "Houle et submersion", "authors": "Le Goff, Anne",
            "year": "2024", "venue": "Ocean Modelling", "doi": "", "hal_id": "",
            "arxiv_id": "", "swhid": "", "url": "", "open_access": "open", "licence": ""}
    data.update(fields)
    return data


@pytest.mark.django_db
def test_the_project_page_lists_outputs_with_their_badges(pi_client, houle):
    ResearchOutputFactory(title="Houle spectrale", hal_id="hal-04512345", projects=[houle])
    ResearchOutputFactory(title="houle-solver", kind="software", doi="",
                          swhid=f"swh:1:dir:{HEX}", open_access="unknown", projects=[houle])
    ResearchOutputFactory(title="Not this project's")
    page = pi_client.get(en("projects:project_detail", houle.pk))
    text = page.content.decode()
    assert "Houle spectrale" in text and "houle-solver" in text
    assert "Not this project" not in text
    assert "Open access" in text and ">HAL</a>" in text and "Software archived" in text
    assert f"https://archive.softwareheritage.org/swh:1:dir:{HEX}" in text


@pytest.mark.django_db
def test_a_member_adds_an_output_by_hand_with_a_doi_in_any_spelling(client, houle):
    member = add_member(houle)
    client.force_login(member)
    url = en("projects:outputs:add", houle.pk)
    response = client.post(url, _form(doi="https://doi.org/10.1016/J.OCEMOD.2024.1"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].endswith("#outputs")
    output = houle.outputs.get()
    assert output.doi == "10.1016/j.ocemod.2024.1" and output.created_by == member
    again = client.post(url, _form(title="Same DOI, other title",
                                   doi="doi:10.1016/j.ocemod.2024.1"), follow=True)
    assert "already among the project" in again.content.decode()
    assert ResearchOutput.objects.count() == 1


@pytest.mark.django_db
def test_a_doi_recorded_for_another_project_is_linked_not_duplicated(pi_client, houle,
                                                                     organisation):
    derive = make_project(organisation, acronym="DERIVE", slurm_account="derive")
    known = ResearchOutputFactory(doi="10.1016/j.x.2024.5", projects=[derive])
    response = pi_client.post(en("projects:outputs:add", houle.pk),
                              _form(doi="10.1016/J.X.2024.5"), follow=True)
    assert "now linked to this one too" in response.content.decode()
    assert set(known.projects.all()) == {houle, derive}


@pytest.mark.django_db
def test_a_doi_recorded_exactly_as_typed_is_linked_too(pi_client, houle, organisation):
    """The form leaves the unique DOI to the recording service, which links the output."""
    derive = make_project(organisation, acronym="DERIVE", slurm_account="derive")
    known = ResearchOutputFactory(doi="10.1016/j.x.2024.5", projects=[derive])
    response = pi_client.post(en("projects:outputs:add", houle.pk),
                              _form(doi="10.1016/j.x.2024.5"), follow=True)
    assert "now linked to this one too" in response.content.decode()
    assert set(known.projects.all()) == {houle, derive}


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value", "error"), [
    ("doi", "not-a-doi", "is not a DOI"),
    ("hal_id", "hal_0123", "is not a HAL id"),
    ("arxiv_id", "12.3", "is not an arXiv id"),
    ("swhid", "swh:1:dir:abc", "is not a Software Heritage id"),
    ("year", "1850", "The year must be from 1900"),
    ("title", "", "This field is required"),
])
def test_bad_fields_are_shown_on_the_form_and_nothing_is_saved(pi_client, houle, field,
                                                               value, error):
    response = pi_client.post(en("projects:outputs:add", houle.pk), _form(**{field: value}))
    assert response.status_code == HTTPStatus.OK
    assert error in response.content.decode()
    assert ResearchOutput.objects.count() == 0


@pytest.mark.django_db
def test_someone_outside_the_project_gets_404(client, houle):
    client.force_login(UserFactory())
    assert client.post(en("projects:outputs:add", houle.pk), _form()).status_code == 404
    assert client.post(en("projects:outputs:bibtex", houle.pk)).status_code == 404
    assert client.post(en("projects:outputs:hal", houle.pk)).status_code == 404
    assert ResearchOutput.objects.count() == 0


@pytest.mark.django_db
def test_the_import_urls_want_a_post(pi_client, houle):
    for name in ("bibtex", "hal"):
        response = pi_client.get(en(f"projects:outputs:{name}", houle.pk))
        assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.django_db
def test_the_bibtex_upload_reports_every_entry(pi_client, houle):
    upload = SimpleUploadedFile("export.bib", (DATA / "outputs_export.bib").read_bytes(),
                                content_type="application/x-bibtex")
    response = pi_client.post(en("projects:outputs:bibtex", houle.pk), {"file": upload})
    assert response.status_code == HTTPStatus.OK
    text = response.content.decode()
    assert "39 entries: 35 added, 0 already recorded and now linked to the project, " \
           "1 already among its outputs, 3 refused." in text
    assert "bad_doi_entry" in text and "is not a DOI" in text
    assert houle.outputs.count() == 35


@pytest.mark.django_db
def test_a_bibtex_file_that_is_not_utf8_is_refused_clearly(pi_client, houle):
    upload = SimpleUploadedFile("latin.bib", "@misc{a, title={Été}, year=2024}".encode("latin-1"))
    response = pi_client.post(en("projects:outputs:bibtex", houle.pk), {"file": upload},
                              follow=True)
    assert "is not UTF-8 text" in response.content.decode()
    assert ResearchOutput.objects.count() == 0


@pytest.mark.django_db
def test_a_bibtex_file_too_large_is_refused(pi_client, houle, settings):
    settings.OUTPUTS_BIBTEX_MAX_BYTES = 50
    upload = SimpleUploadedFile("big.bib", b"@misc{a, title={x}, year=2024}" + b" " * 60)
    response = pi_client.post(en("projects:outputs:bibtex", houle.pk), {"file": upload},
                              follow=True)
    assert "too large" in response.content.decode()
    assert ResearchOutput.objects.count() == 0


class _Answer:
    status_code = 200

    def json(self):
        return json.loads((DATA / "hal" / "collection_algoric_houle.json").read_text())


class _Session:
    def __init__(self, error=None):
        self.error = error

    def get(self, url, params=None, timeout=None):
        if self.error:
            raise self.error
        return _Answer()


@pytest.mark.django_db
def test_the_hal_import_runs_after_the_request_and_shows_on_the_project_page(
        pi_client, houle, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(hal, "hal_session", lambda: _Session())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = pi_client.post(en("projects:outputs:hal", houle.pk),
                                  {"hal_id": "", "collection": "ALGORIC-HOULE"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].endswith("#outputs")
    output_import = OutputImport.objects.get(project=houle)
    assert output_import.status == "queued" and houle.outputs.count() == 0
    for callback in callbacks:
        callback()
    output_import.refresh_from_db()
    assert output_import.status == "done" and houle.outputs.count() == 4
    page = pi_client.get(response["Location"]).content.decode()
    assert "The import from HAL has started" in page
    assert "4 added, 0 linked, 0 already recorded, 0 refused." in page


@pytest.mark.django_db
def test_a_second_hal_import_while_one_is_on_its_way_is_refused(pi_client, houle):
    url = en("projects:outputs:hal", houle.pk)
    pi_client.post(url, {"hal_id": "", "collection": "ALGORIC-HOULE"})
    assert OutputImport.objects.get(project=houle).status == "queued"
    response = pi_client.post(url, {"hal_id": "hal-01234567", "collection": ""}, follow=True)
    assert "already on its way" in response.content.decode()
    assert OutputImport.objects.filter(project=houle).count() == 1


@pytest.mark.django_db
def test_hal_out_of_reach_gives_an_offline_friendly_message(
        pi_client, houle, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(hal, "hal_session",
                        lambda: _Session(requests.ConnectionError("no route to host")))
    with django_capture_on_commit_callbacks(execute=True):
        response = pi_client.post(en("projects:outputs:hal", houle.pk),
                                  {"hal_id": "hal-01234567", "collection": ""})
    response = pi_client.get(response["Location"])
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "HAL cannot be reached right now" in page
    assert "no route to host" not in page
    assert OutputImport.objects.get(project=houle).status == "failed"
    assert ResearchOutput.objects.count() == 0


@pytest.mark.django_db
def test_the_pi_removes_an_output_a_member_may_not(client, houle):
    output = ResearchOutputFactory(projects=[houle])
    member = add_member(houle)
    client.force_login(member)
    url = en("projects:outputs:remove", houle.pk, output.pk)
    assert client.post(url).status_code == HTTPStatus.FORBIDDEN
    client.force_login(houle.pi)
    assert client.post(url).status_code == HTTPStatus.FOUND
    assert not ResearchOutput.objects.filter(pk=output.pk).exists()


@pytest.mark.django_db
def test_the_public_page_lists_outputs_only_when_the_summary_is_public(client, houle):
    ResearchOutputFactory(title="Houle spectrale publique", projects=[houle])
    url = en("projects:public_detail", houle.pk)
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND
    houle.summary_is_public = True
    houle.save()
    response = client.get(url)
    assert "Houle spectrale publique" in response.content.decode()
    assert "Remove from the project" not in response.content.decode()


@pytest.mark.django_db
def test_public_statistics_count_outputs_per_year_and_refresh_when_one_is_added(
        pi_client, houle, django_capture_on_commit_callbacks):
    year = timezone.localdate().year
    ResearchOutputFactory(year=year - 1, open_access="open", projects=[houle])
    ResearchOutputFactory(year=year - 1, open_access="closed", projects=[houle])
    stats = public_statistics()
    row = next(r for r in stats.outputs["by_year"] if r["year"] == year - 1)
    assert (row["outputs"], row["open"], row["open_percent"]) == (2, 1, 50.0)
    with django_capture_on_commit_callbacks(execute=True):
        pi_client.post(en("projects:outputs:add", houle.pk), _form(year=str(year - 1)))
    assert public_statistics().outputs["total"] == 3
    page = pi_client.get(en("projects:public_statistics")).content.decode()
    assert "Research outputs" in page and "The projects reported 3 publications" in page


@pytest.mark.django_db
def test_the_outputs_a_person_recorded_are_in_their_personal_data(pi_client, houle):
    pi_client.post(en("projects:outputs:add", houle.pk), _form(doi="10.5555/mine.1"))
    response = pi_client.get(reverse("members:personal_data_download"))
    recorded = json.loads(response.content)["research_outputs"]
    assert [(row["title"], row["doi"], row["source"]) for row in recorded] == [
        ("Houle et submersion", "10.5555/mine.1", "form")]
