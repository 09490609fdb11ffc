"""Two people recording the same DOI at once, for two projects, on two connections: one
output, linked to both."""

import pytest

from projects.models import ResearchOutput
from projects.outputs.services.manual import research_output_record

from ..factories import OrganisationFactory, UserFactory
from ..members.test_concurrency import run_at_once
from .usage_helpers import make_project


@pytest.fixture
def two_projects(transactional_db):
    organisation = OrganisationFactory()
    return (make_project(organisation, pi=UserFactory()),
            make_project(organisation, acronym="DERIVE", slurm_account="derive",
                         pi=UserFactory()))


def test_the_same_doi_recorded_twice_at_once_is_one_output_of_both_projects(two_projects):
    houle, derive = two_projects

    def record(project, spelling):
        return research_output_record(
            project=project, data={"kind": "article", "title": "Houle et dérive", "year": 2025,
                                   "doi": spelling}, source="form", actor=project.pi).outcome

    results = run_at_once(lambda: record(houle, "10.5555/race.1"),
                          lambda: record(derive, "https://doi.org/10.5555/RACE.1"))
    assert all(kind == "ok" for kind, _value in results), results
    assert sorted(value for _kind, value in results) == ["added", "linked"]
    output = ResearchOutput.objects.get()
    assert set(output.projects.all()) == {houle, derive}
