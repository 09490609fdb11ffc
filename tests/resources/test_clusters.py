"""The one cluster loop of the Slurm sync and the accounting collection: which clusters,
their lock, what each run gave."""

import logging

import pytest
from django.utils import translation

from resources.models import Cluster
from resources.services.clusters import (
    NoCluster,
    UnknownCluster,
    clusters_run,
    clusters_run_all,
)
from resources.slurm_cli import SlurmBusy, cluster_lock

pytestmark = pytest.mark.django_db


class Broken(Exception):
    pass


def _names(cluster: Cluster) -> str:
    return cluster.name.upper()


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_every_cluster_runs_by_name_and_one_failure_does_not_stop_the_others():
    for name in ("zeta", "alpha", "mid"):
        Cluster.objects.create(name=name)

    def run(cluster):
        if cluster.name == "mid":
            raise Broken("sacct failed")
        return cluster.name.upper()

    outcomes = clusters_run(work="collect", run=run, errors=(Broken,), lock_seconds=60)
    assert [o.cluster.name for o in outcomes] == ["alpha", "mid", "zeta"]
    assert [(o.ok, o.result) for o in outcomes] == [(True, "ALPHA"), (False, None),
                                                    (True, "ZETA")]
    assert str(outcomes[1].error) == "sacct failed"


def test_one_cluster_by_name_case_insensitive():
    Cluster.objects.create(name="breizh")
    Cluster.objects.create(name="other")
    outcomes = clusters_run(work="sync", run=_names, errors=(), name=" BREIZH ",
                            lock_seconds=60)
    assert [(o.cluster.name, o.result) for o in outcomes] == [("breizh", "BREIZH")]


def test_an_unknown_name_or_no_cluster_is_a_clear_error():
    with pytest.raises(NoCluster, match="No cluster is registered"):
        clusters_run(work="sync", run=_names, errors=(), lock_seconds=60)
    Cluster.objects.create(name="breizh")
    with pytest.raises(UnknownCluster, match="Unknown cluster “nope”"):
        clusters_run(work="sync", run=_names, errors=(), name="nope", lock_seconds=60)


def test_a_cluster_whose_lock_is_held_is_left_alone_and_the_lock_is_released():
    Cluster.objects.create(name="breizh")
    with cluster_lock(work="collect", cluster="breizh", seconds=60):
        [busy] = clusters_run(work="collect", run=_names, errors=(), lock_seconds=60)
        assert isinstance(busy.error, SlurmBusy)
        # Another work on the same cluster is not blocked.
        [other] = clusters_run(work="sync", run=_names, errors=(), lock_seconds=60)
        assert other.result == "BREIZH"
    [done] = clusters_run(work="collect", run=_names, errors=(), lock_seconds=60)
    assert done.result == "BREIZH"


def test_an_unexpected_error_stops_the_loop_and_frees_the_lock():
    Cluster.objects.create(name="breizh")
    with pytest.raises(RuntimeError):
        clusters_run(work="sync", run=_raise, errors=(Broken,), lock_seconds=60)
    [done] = clusters_run(work="sync", run=_names, errors=(), lock_seconds=60)
    assert done.ok


def _raise(cluster):
    raise RuntimeError("bug")


def test_for_a_beat_task_failures_are_logged_and_kept_as_text(caplog):
    assert clusters_run_all(work="sync", run=_names, errors=(), lock_seconds=60,
                            logger=logging.getLogger("tests"), label="Slurm sync") == {}
    Cluster.objects.create(name="alpha")
    Cluster.objects.create(name="beta")

    def run(cluster):
        if cluster.name == "beta":
            raise Broken("sacctmgr timed out")
        return 3

    with caplog.at_level(logging.WARNING, logger="tests"):
        summary = clusters_run_all(work="sync", run=run, errors=(Broken,), lock_seconds=60,
                                   logger=logging.getLogger("tests"), label="Slurm sync")
    assert summary == {"alpha": 3, "beta": "sacctmgr timed out"}
    assert [r.getMessage() for r in caplog.records] == ["Slurm sync of beta: sacctmgr timed out"]
