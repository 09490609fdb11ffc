"""Outputs from a BibTeX file (projects.outputs.services.bibtex) and from the shell
(``manage.py import_outputs``): every entry accounted for, the same file twice adds
nothing, the same DOI in any spelling is one output."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from algoric.audit.models import AuditEvent
from projects.models import ResearchOutput
from projects.outputs.services import manual
from projects.outputs.services.bibtex import bibtex_decode, outputs_import_bibtex
from projects.outputs.services.manual import research_output_record
from tests.factories import ResearchOutputFactory, UserFactory
from tests.projects.usage_helpers import make_project

EXPORT = Path(__file__).parent / "data" / "outputs_export.bib"
#: The export holds 39 entries (two @string and one @comment are not entries): 35 are new,
#: one repeats the first article's DOI in upper case with a resolver prefix, two are
#: refused by the checks (a DOI that is not one, no year) and one cannot be parsed.
ENTRIES, ADDED, REPEATED, REFUSED = 39, 35, 1, 3


@pytest.fixture(autouse=True)
def english():
    """The outcomes are read in English (the site's default language is French)."""
    with translation.override("en"):
        yield



@pytest.fixture
def houle(organisation):
    return make_project(organisation)


def _import(project, actor=None):
    return outputs_import_bibtex(project=project, text=EXPORT.read_text(encoding="utf-8"),
                                 actor=actor or project.pi)


@pytest.mark.django_db
def test_a_real_export_imports_with_every_entry_accounted_for(houle):
    report = _import(houle)
    assert report.counts == {"added": ADDED, "linked": 0, "known": REPEATED,
                             "refused": REFUSED, "total": ENTRIES}
    assert [entry.line for entry in report.entries] == sorted(
        entry.line for entry in report.entries)
    assert houle.outputs.count() == ADDED
    refused = {entry.key: entry.reasons[0] for entry in report.entries
               if entry.outcome == "refused"}
    assert set(refused) == {"bad_doi_entry", "no_year_entry", "broken_entry"}
    assert "not a DOI" in refused["bad_doi_entry"]
    assert "year" in refused["no_year_entry"]
    assert "could not be read" in refused["broken_entry"]
    repeated = next(entry for entry in report.entries if entry.key == "legoff2024houle_again")
    assert repeated.outcome == "known"
    assert repeated.output.doi == "10.1016/j.ocemod.2024.102301"
    assert AuditEvent.objects.filter(action="outputs.bibtex_imported").count() == 1


@pytest.mark.django_db
def test_importing_the_same_file_again_adds_nothing(houle):
    _import(houle)
    again = _import(houle)
    assert again.counts == {"added": 0, "linked": 0, "known": ADDED + REPEATED,
                            "refused": REFUSED, "total": ENTRIES}
    assert ResearchOutput.objects.count() == ADDED


@pytest.mark.django_db
def test_another_project_importing_the_file_links_the_same_outputs(houle, organisation):
    _import(houle)
    derive = make_project(organisation, acronym="DERIVE", slurm_account="derive")
    report = _import(derive)
    assert report.counts["linked"] == ADDED and report.counts["added"] == 0
    assert ResearchOutput.objects.count() == ADDED
    assert derive.outputs.count() == ADDED


@pytest.mark.django_db
def test_latex_escapes_become_unicode_and_identifiers_are_normalised(houle):
    _import(houle)
    article = ResearchOutput.objects.get(doi="10.1016/j.ocemod.2024.102301")
    assert article.title == ("Modélisation de la houle dans le golfe du Morbihan : une "
                             "approche spectrale")
    assert article.authors == "Le Goff, Anne and Tanguy, Yann and Maël, Ronan"
    assert article.hal_id == "hal-04512345" and article.is_open
    sediments = ResearchOutput.objects.get(hal_id="hal-04211122")
    assert sediments.authors.startswith("Le Bihan, François")
    assert ResearchOutput.objects.get(doi="10.5802/crgeos.212").title.startswith(
        "Submersion marine et élévation")
    assert ResearchOutput.objects.get(doi="10.1016/j.jcp.2024.112688").is_open
    assert ResearchOutput.objects.get(doi="10.1016/j.jcp.2024.112688").venue == (
        "Journal of Computational Physics")
    assert ResearchOutput.objects.get(doi="10.1016/j.marpolbul.2023.115987")
    assert ResearchOutput.objects.get(doi="10.1016/j.ecss.2021.107712")
    salinity = ResearchOutput.objects.get(doi="10.1016/j.csr.2024.105158")
    assert "sea-level rise – a numerical" in salinity.title


@pytest.mark.django_db
def test_entry_types_give_the_kinds_of_output(houle):
    _import(houle)
    kinds = dict(ResearchOutput.objects.values_list("title", "kind"))
    assert kinds["Porting a coastal ocean model to heterogeneous nodes: lessons learnt"] == (
        "conference")
    assert kinds["Maillages adaptatifs pour les estrans"] == "thesis"
    assert kinds["Reduced-order models for storm surges"] == "chapter"
    assert kinds["Machine-learnt emulators of coastal flooding"] == "preprint"
    assert kinds["Hindcast of waves in the Gulf of Morbihan, 1990–2023"] == "dataset"
    assert kinds["Scripts for measuring energy per job with Slurm"] == "software"
    solver = ResearchOutput.objects.get(title__startswith="houle-solver: spectral")
    assert solver.kind == "software" and solver.licence == "GPL-3.0-or-later"
    assert solver.swhid == "swh:1:dir:5e1f6d0c3a9b8e7f2d4c6a1b0e9f8d7c6b5a4f3e"
    old = ResearchOutput.objects.get(arxiv_id="physics/0501012")
    assert old.kind == "preprint" and old.year == 2005
    assert ResearchOutput.objects.get(arxiv_id="2503.01234").kind == "preprint"


@pytest.mark.django_db
def test_a_file_of_no_entry_is_refused(houle):
    with pytest.raises(ValidationError):
        outputs_import_bibtex(project=houle, text="% nothing here\n@comment{x}\n",
                              actor=houle.pi)


@pytest.mark.django_db
def test_a_repeated_citation_key_is_refused_with_its_reason(houle):
    text = ("@article{same, title={One}, year=2024, doi={10.1000/one}}\n"
            "@article{same, title={Two}, year=2024, doi={10.1000/two}}\n")
    report = outputs_import_bibtex(project=houle, text=text, actor=houle.pi)
    assert report.counts["added"] == 1 and report.counts["refused"] == 1
    assert "used twice" in report.entries[1].reasons[0]


@pytest.mark.django_db
def test_someone_outside_the_project_may_not_import(houle):
    with pytest.raises(PermissionDenied):
        _import(houle, actor=UserFactory())
    assert ResearchOutput.objects.count() == 0


def test_a_file_that_is_not_utf8_is_refused_clearly():
    with pytest.raises(ValidationError) as error:
        bibtex_decode("@article{a, title={Modélisation}}".encode("latin-1"))
    assert "UTF-8" in error.value.messages[0]


def test_a_file_too_large_is_refused_before_reading(settings):
    settings.OUTPUTS_BIBTEX_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        bibtex_decode(b"%" * 101)
    assert "too large" in error.value.messages[0]


def test_a_byte_order_mark_is_dropped():
    assert bibtex_decode("\ufeff@misc{a}".encode()) == "@misc{a}"


@pytest.mark.django_db
def test_a_creation_that_loses_a_race_links_the_winners_output(houle, monkeypatch):
    """Another import created the same DOI between the look-up and the insert: the
    unique constraint refuses the second row, and the winner's output is linked."""
    winner = ResearchOutputFactory(doi="10.1000/race")
    real_find = manual._find
    calls = []

    def find_too_early(clean):
        calls.append(clean["doi"])
        return None if len(calls) == 1 else real_find(clean)

    monkeypatch.setattr(manual, "_find", find_too_early)
    result = research_output_record(
        project=houle, data={"kind": "article", "title": "Race", "year": 2024,
                             "doi": "https://doi.org/10.1000/RACE"},
        source="form", actor=houle.pi)
    assert result.output == winner and result.outcome == "linked"
    assert ResearchOutput.objects.filter(doi="10.1000/race").count() == 1


@pytest.mark.django_db
def test_the_command_prints_the_counts_and_adds_nothing_the_second_time(houle):
    out = StringIO()
    call_command("import_outputs", str(EXPORT), "--project", "houle", stdout=out)
    assert (f"{ENTRIES} entries: {ADDED} added, 0 linked, {REPEATED} already known, "
            f"{REFUSED} refused") in out.getvalue()
    assert "(bad_doi_entry): refused" in out.getvalue()
    out = StringIO()
    call_command("import_outputs", str(EXPORT), "--project", "HOULE", stdout=out)
    assert f"0 added, 0 linked, {ADDED + REPEATED} already known" in out.getvalue()
    assert ResearchOutput.objects.count() == ADDED


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_project_and_an_unreadable_file(houle, tmp_path):
    with pytest.raises(CommandError):
        call_command("import_outputs", str(EXPORT), "--project", "nope")
    with pytest.raises(CommandError):
        call_command("import_outputs", str(tmp_path / "missing.bib"), "--project", "houle")
    latin = tmp_path / "latin.bib"
    latin.write_bytes("@misc{a, title={Été}, year=2024}".encode("latin-1"))
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("import_outputs", str(latin), "--project", "houle")


@pytest.mark.django_db
def test_a_link_that_is_not_http_is_refused(houle):
    with pytest.raises(ValidationError) as error:
        research_output_record(project=houle, data={
            "kind": "other", "title": "Lien", "year": 2024, "url": "javascript:alert(1)"},
            source="form", actor=houle.pi)
    assert "https://" in error.value.messages[0]
