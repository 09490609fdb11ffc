"""The last Slurm synchronisation and accounting collection of each cluster.

``slurm_sync`` (projects) and ``collect_accounting`` (resources) record here when
they ran against a cluster, whether it worked and why not; staff see the failures on
their dashboard and the health endpoint reads them through
:func:`resources.selectors.cluster_failures`.
"""

from __future__ import annotations

from django.utils import timezone

from .models import Cluster

#: Longest failure message kept, characters.
ERROR_LENGTH = 2000


def cluster_for_name(*, name: str) -> Cluster | None:
    """The registered cluster called ``name`` (case-insensitive, as Slurm lowercases
    cluster names), or ``None``."""
    return Cluster.objects.filter(name__iexact=(name or "").strip()).first()


def cluster_sync_record(*, cluster: Cluster, ok: bool, error: str = "", changes: int = 0) -> None:
    """Record a Slurm synchronisation of ``cluster`` that just ended.

    ``ok``: it read and applied everything; ``error``: why not (cut to
    :data:`ERROR_LENGTH` characters); ``changes``: how many ``sacctmgr`` changes it
    applied (also on failure: those applied before it stopped).
    """
    now = timezone.now()
    values = {"last_sync_at": now, "last_sync_ok": ok, "last_sync_error": error[:ERROR_LENGTH],
              "last_sync_changes": changes}
    Cluster.objects.filter(pk=cluster.pk).update(**values)
    for field, value in values.items():
        setattr(cluster, field, value)


def cluster_collect_record(*, cluster: Cluster, ok: bool, error: str = "", jobs: int = 0) -> None:
    """Record an accounting collection of ``cluster`` that just ended.

    ``ok``: ``sacct`` ran and its output was imported; ``error``: why not;
    ``jobs``: how many job records the collection added.
    """
    now = timezone.now()
    values = {"last_collect_at": now, "last_collect_ok": ok,
              "last_collect_error": error[:ERROR_LENGTH], "last_collect_jobs": jobs}
    Cluster.objects.filter(pk=cluster.pk).update(**values)
    for field, value in values.items():
        setattr(cluster, field, value)
