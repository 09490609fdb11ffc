"""The computing an organisation used in a period, priced at the catalogue's prices."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from members.models import Organisation
from projects.models import Project
from projects.selectors.usage.attribution import project_accounts
from resources.models import Resource
from resources.selectors.estimates import price_table
from resources.selectors.usage import (
    USAGE_KINDS,
    metered_resources,
    resources_for_partition,
    usage_sums,
)


@dataclass(frozen=True)
class UsageToInvoice:
    """One resource's use in the period: ``quantity`` in its unit (core-hours or
    GPU-hours, 4 decimals) at ``unit_price`` EUR (``None``: no price for the kind)."""

    resource: Resource
    quantity: Decimal
    unit_price: Decimal | None


def month_range(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The months covering the days ``start`` to ``end`` (both included), as the
    ``(first month, month after the last)`` that ``usage_sums(months=…)`` takes."""
    first = start.replace(day=1)
    after = (end.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first, after


def organisation_usage(*, organisation: Organisation, start: dt.date,
                       end: dt.date) -> list[UsageToInvoice]:
    """What ``organisation``'s projects used from ``start`` to ``end`` (whole months, as
    the monthly usage summaries count them: a job in the month it ended), per metered
    resource, at the catalogue's price for the organisation's kind.

    One query per project plus two; resources with no use are left out. The attribution
    of accounts to projects is ``projects.selectors.usage.project_accounts``.
    """
    catalogue = metered_resources()
    months = month_range(start, end)
    used: dict[int, float] = defaultdict(float)
    for project in Project.objects.filter(organisation=organisation):
        for row in usage_sums(group_by=["cluster", "partition"],
                              accounts=project_accounts(project=project), months=months):
            matches = resources_for_partition(catalogue, cluster=row["cluster"],
                                              partition=row["partition"])
            for kind, resource in matches.items():
                used[resource.pk] += row[USAGE_KINDS[kind]]
    by_id = {resource.pk: resource for resource in catalogue}
    prices = price_table(resources=[by_id[pk] for pk in used],
                         organisation_kind=organisation.kind)
    return [UsageToInvoice(resource=by_id[pk],
                           quantity=Decimal(str(round(hours, 4))),
                           unit_price=prices.get(pk))
            for pk, hours in sorted(used.items(), key=lambda item: by_id[item[0]].order)
            if hours > 0]
