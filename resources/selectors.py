"""Reads of the resource catalogue shared by views, the request form and reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from members.models import OrganisationKind

from .estimates import energy_per_unit_kwh
from .models import AccountingImport, Cluster, JobRecord, Resource, ResourcePrice


def public_resources() -> QuerySet[Resource]:
    """Resources shown on the public hardware page: active and public, in catalogue order."""
    return Resource.objects.public().order_by("order", "kind", "name")


def catalogue_for_request() -> QuerySet[Resource]:
    """Resources a project may ask for (active ones, public or not), in catalogue order."""
    return Resource.objects.active().order_by("order", "kind", "name")


def trim_decimal(value: Decimal) -> Decimal:
    """``value`` without trailing zeros after the decimal point (``0.0100`` → ``0.01``,
    ``100.00`` → ``100``), for display; never in exponent form."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


@dataclass(frozen=True)
class PublicRow:
    """One line of the public hardware table.

    ``energy_kwh_per_unit`` and ``co2e_g_per_unit``: the Green Algorithms estimate
    for one unit (core-hour or GPU-hour), PUE included; ``None`` when the kind is
    not estimated or the resource has no power figure.
    """

    resource: Resource
    energy_kwh_per_unit: Decimal | None
    co2e_g_per_unit: Decimal | None


def public_hardware_table(*, carbon_intensity_g_per_kwh: Decimal) -> list[PublicRow]:
    """The public resources with their energy per unit (one query).

    Args:
        carbon_intensity_g_per_kwh: grid carbon intensity, gCO2e per kWh, used to turn
            each unit's kWh into grams of CO2e.
    """
    rows = []
    for resource in public_resources():
        kwh = energy_per_unit_kwh(resource)
        rows.append(PublicRow(
            resource=resource,
            energy_kwh_per_unit=None if kwh is None else kwh.quantize(Decimal("0.0001")),
            co2e_g_per_unit=(None if kwh is None
                             else (kwh * carbon_intensity_g_per_kwh).quantize(Decimal("0.01"))),
        ))
    return rows


@dataclass(frozen=True)
class CatalogueRow:
    """One line of the staff catalogue: the resource and its price per organisation kind.

    ``prices``: ``[(kind label, price in EUR per unit or None)]`` in the order of
    :class:`~members.models.OrganisationKind`, prices trimmed of trailing zeros.
    """

    resource: Resource
    prices: list[tuple[str, Decimal | None]]


def catalogue_for_staff() -> list[CatalogueRow]:
    """Every resource (inactive and private ones too) with its prices, in catalogue order.

    Two queries whatever the size of the catalogue.
    """
    resources = Resource.objects.order_by("order", "kind", "name").prefetch_related(
        Prefetch("prices", queryset=ResourcePrice.objects.all()))
    rows = []
    for resource in resources:
        by_kind = {price.organisation_kind: price.price_per_unit
                   for price in resource.prices.all()}
        rows.append(CatalogueRow(resource=resource, prices=[
            (label, None if by_kind.get(kind) is None else trim_decimal(by_kind[kind]))
            for kind, label in OrganisationKind.choices
        ]))
    return rows


def resource_prices(*, resource: Resource) -> dict[str, Decimal]:
    """``{organisation kind: price per unit (EUR)}`` of ``resource`` for the kinds priced."""
    return dict(resource.prices.values_list("organisation_kind", "price_per_unit"))


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


# --- Demonstration data --------------------------------------------------------------------


def shifted_imports() -> list[dict]:
    """The finished imports whose jobs were moved in time (real traces replayed for a
    demonstration), so pages can say where their figures come from.

    Reads the import rows only, never the jobs. Returns, oldest import first,
    ``[{"cluster": str, "file_name": str, "shift_days": int, "first_end": datetime |
    None, "last_end": datetime | None}]``. ``shift_days``: the shift in days,
    negative for a move back (a float when it is not a whole number of days);
    ``first_end``, ``last_end``: the earliest and latest end time of the file's jobs
    once shifted (aware, UTC; ``None`` when the import kept no job).
    """
    day = timedelta(days=1)
    rows = (AccountingImport.objects
            .filter(status__in=[AccountingImport.Status.DONE,
                                AccountingImport.Status.DONE_WITH_ERRORS])
            .exclude(time_shift=timedelta(0))
            .order_by("created_at", "pk")
            .values("cluster", "file_name", "time_shift", "first_end", "last_end"))
    found = []
    for row in rows:
        days = row["time_shift"] / day
        found.append({"cluster": row["cluster"], "file_name": row["file_name"],
                      "shift_days": int(days) if days == int(days) else days,
                      "first_end": row["first_end"], "last_end": row["last_end"]})
    return found
