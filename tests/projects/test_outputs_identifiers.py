"""Identifiers of research outputs: DOI, HAL id, arXiv id and SWHID checked and written
one way (projects.outputs.identifiers)."""

import pytest
from django.core.exceptions import ValidationError

from projects.outputs.identifiers import (
    normalise_arxiv_id,
    normalise_doi,
    normalise_hal_id,
    normalise_swhid,
    title_key,
)

HEX = "5e1f6d0c3a9b8e7f2d4c6a1b0e9f8d7c6b5a4f3e"


@pytest.mark.parametrize("written", [
    "10.1016/j.ocemod.2024.102301",
    "10.1016/J.OCEMOD.2024.102301",
    "https://doi.org/10.1016/j.ocemod.2024.102301",
    "HTTPS://DX.DOI.ORG/10.1016/J.OCEMOD.2024.102301",
    "http://dx.doi.org/10.1016/j.ocemod.2024.102301",
    "doi:10.1016/j.ocemod.2024.102301",
    "DOI: 10.1016/j.ocemod.2024.102301",
    " 10.1016%2Fj.ocemod.2024.102301 ",
])
def test_every_spelling_of_a_doi_is_the_same_doi(written):
    assert normalise_doi(written) == "10.1016/j.ocemod.2024.102301"


@pytest.mark.parametrize("bad", ["not-a-doi/2024", "10.1/x", "11.1016/abc", "10.1016",
                                 "https://example.org/10.1016/abc"])
def test_a_doi_that_is_not_one_is_refused_with_what_a_doi_looks_like(bad):
    with pytest.raises(ValidationError) as error:
        normalise_doi(bad)
    assert "10." in error.value.messages[0]


def test_an_empty_identifier_is_empty():
    assert normalise_doi("") == normalise_hal_id(" ") == normalise_arxiv_id("") == ""
    assert normalise_swhid("") == ""


@pytest.mark.parametrize(("written", "expected"), [
    ("hal-01234567", "hal-01234567"),
    ("hal-01234567v3", "hal-01234567"),
    ("HAL-01234567V2", "hal-01234567"),
    ("https://hal.science/hal-01234567v2", "hal-01234567"),
    ("https://theses.hal.science/tel-03912345/document", "tel-03912345"),
    ("https://hal.archives-ouvertes.fr/insu-01234567", "insu-01234567"),
])
def test_hal_ids_lose_their_version_and_address(written, expected):
    assert normalise_hal_id(written) == expected


@pytest.mark.parametrize("bad", ["01234567", "hal-12", "hal_01234567", "hal-01234567x"])
def test_a_hal_id_that_is_not_one_is_refused(bad):
    with pytest.raises(ValidationError):
        normalise_hal_id(bad)


@pytest.mark.parametrize(("written", "expected"), [
    ("2401.01234", "2401.01234"),
    ("2401.01234v2", "2401.01234"),
    ("arXiv:1501.0001v1", "1501.0001"),
    ("https://arxiv.org/abs/2503.01234", "2503.01234"),
    ("hep-th/9901001", "hep-th/9901001"),
    ("math.AG/0601001v2", "math.ag/0601001"),
    ("physics/0501012", "physics/0501012"),
])
def test_arxiv_ids_new_and_old_style(written, expected):
    assert normalise_arxiv_id(written) == expected


@pytest.mark.parametrize("bad", ["2401.123", "hep-th/99", "arXiv", "12345.67890"])
def test_an_arxiv_id_that_is_not_one_is_refused(bad):
    with pytest.raises(ValidationError):
        normalise_arxiv_id(bad)


@pytest.mark.parametrize("kind", ["cnt", "dir", "rev", "rel", "snp"])
def test_a_swhid_of_each_kind_is_accepted_without_its_qualifiers(kind):
    assert normalise_swhid(f"SWH:1:{kind.upper()}:{HEX.upper()};origin=https://x.org/r") == (
        f"swh:1:{kind}:{HEX}")


@pytest.mark.parametrize("bad", [f"swh:1:xyz:{HEX}", f"swh:2:dir:{HEX}", "swh:1:dir:abc",
                                 f"swh:1:dir:{HEX}0"])
def test_a_swhid_that_is_not_one_is_refused(bad):
    with pytest.raises(ValidationError):
        normalise_swhid(bad)


def test_title_keys_ignore_accents_case_and_punctuation():
    assert title_key("Modélisation de la houle : une approche spectrale") == title_key(
        "MODELISATION de la houle, une approche spectrale!")
