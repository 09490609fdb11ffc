"""Reads of clusters: by name or API token, the failed or overdue runs, jobs per account."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from ..models import Cluster, JobRecord
from ..models.clusters import token_hash


def clusters_by_name() -> list[Cluster]:
    """Every registered cluster, by name."""
    return list(Cluster.objects.order_by("name"))


def cluster_for_name(*, name: str) -> Cluster | None:
    """The registered cluster called ``name`` (case-insensitive, as Slurm lowercases
    cluster names), or ``None``."""
    return Cluster.objects.filter(name__iexact=(name or "").strip()).first()


def cluster_for_token(token: str) -> Cluster | None:
    """The cluster whose API token is ``token``, or ``None``.

    The lookup is by the token's SHA-256; the stored and computed hashes are then
    compared with :func:`hmac.compare_digest` (constant time). An empty token, or a
    cluster without a token, never matches.
    """
    if not token:
        return None
    digest = token_hash(token)
    cluster = Cluster.objects.filter(api_token_hash=digest).first()
    if cluster is None or not cluster.api_token_hash:
        return None
    if not hmac.compare_digest(cluster.api_token_hash.encode("ascii"), digest.encode("ascii")):
        return None
    return cluster


# --- Slurm synchronisation and accounting collection, per cluster ------------------------

#: A run older than this, while its beat task is enabled, counts as a failure (it
#: should have run again): three hourly syncs, four 15-minute collections.
SYNC_STALE_AFTER = timedelta(hours=3)
COLLECT_STALE_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class ClusterFailure:
    """A cluster whose last Slurm sync or accounting collection failed, or is overdue.

    ``work``: ``"sync"`` or ``"collect"``; ``at``: when it last ran (``None``:
    never); ``error``: why it failed (empty when it is only overdue); ``overdue``:
    the beat task is enabled but has not run for too long.
    """

    cluster: str
    work: str
    at: datetime | None
    error: str
    overdue: bool = False


def cluster_failures(*, now: datetime | None = None) -> list[ClusterFailure]:
    """The clusters whose last sync or collection failed, or is overdue, by cluster name.

    A run is overdue when its beat task is enabled (``SLURM_SYNC``,
    ``ACCOUNTING_COLLECT``) and it last ran more than :data:`SYNC_STALE_AFTER`
    (:data:`COLLECT_STALE_AFTER`) ago, or never. Read by the staff dashboard and the
    health endpoint.
    """
    now = now or timezone.now()
    failures = []
    for cluster in Cluster.objects.order_by("name"):
        for work, at, ok, error, enabled, stale_after in (
            ("sync", cluster.last_sync_at, cluster.last_sync_ok, cluster.last_sync_error,
             settings.SLURM_SYNC, SYNC_STALE_AFTER),
            ("collect", cluster.last_collect_at, cluster.last_collect_ok,
             cluster.last_collect_error, settings.ACCOUNTING_COLLECT, COLLECT_STALE_AFTER),
        ):
            if ok is False:
                failures.append(ClusterFailure(cluster=cluster.name, work=work, at=at,
                                               error=error))
            elif enabled and (at is None or now - at > stale_after):
                failures.append(ClusterFailure(cluster=cluster.name, work=work, at=at,
                                               error="", overdue=True))
    return failures


def cluster_accounts_with_jobs(*, cluster: str, accounts: set[str], since: datetime) -> set[str]:
    """Those of ``accounts`` with a job record of ``cluster`` (case-insensitive) that
    ended at or after ``since`` (aware)."""
    if not accounts:
        return set()
    return set(JobRecord.objects.filter(cluster__iexact=cluster, account__in=accounts,
                                        end_time__gte=since)
               .values_list("account", flat=True).distinct())
