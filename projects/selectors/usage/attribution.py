"""Attribution of Slurm accounts to projects, and the use of allocations it gives.

A job belongs to the project whose ``slurm_account`` is the job's account (on every
cluster), or to the project staff mapped its (cluster, account) to with an
:class:`~projects.models.AccountAlias` — on its cluster, an alias wins over a Slurm
account of the same name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from resources.selectors.usage import (
    USAGE_KINDS,
    AccountSelection,
    accounts_seen,
    metered_resources,
    resources_for_partition,
    usage_by_account,
    usage_sums,
)

from ...models import AccountAlias, Project


def project_accounts(*, project: Project) -> AccountSelection:
    """The accounts whose usage is ``project``'s — one query.

    Its Slurm account on every cluster, except on clusters where staff mapped that
    account name to another project, plus the aliases mapped to it.
    """
    aliases = AccountAlias.objects.filter(Q(project=project) | Q(account=project.slurm_account))
    pairs, excluded = set(), set()
    for cluster, account, project_id in aliases.values_list("cluster", "account", "project_id"):
        (pairs if project_id == project.pk else excluded).add((cluster, account))
    return AccountSelection(names=frozenset({project.slurm_account}), pairs=frozenset(pairs),
                            excluded=frozenset(excluded))


@dataclass(frozen=True)
class Attribution:
    """Who owns which account: ``by_name`` maps Slurm account names to project ids,
    ``by_pair`` maps aliased ``(cluster, account)`` pairs to project ids."""

    by_name: dict[str, int]
    by_pair: dict[tuple[str, str], int]

    def project_id(self, *, cluster: str, account: str) -> int | None:
        """The id of the project the jobs of ``account`` on ``cluster`` count for, or
        ``None`` when the account matches no project and no alias."""
        return self.by_pair.get((cluster, account), self.by_name.get(account))

    def selection(self, *, project_ids: set[int] | None = None) -> AccountSelection:
        """Every attributed account, as a filter: the rows it selects are those for
        which :meth:`project_id` is not ``None``. With ``project_ids``, only the
        accounts of those projects (a superset on a cluster where an alias gives one of
        their account names to another project: check :meth:`project_id` of each row)."""
        if project_ids is None:
            return AccountSelection(names=frozenset(self.by_name),
                                    pairs=frozenset(self.by_pair))
        return AccountSelection(
            names=frozenset(name for name, pk in self.by_name.items() if pk in project_ids),
            pairs=frozenset(pair for pair, pk in self.by_pair.items() if pk in project_ids))


def account_attribution() -> Attribution:
    """Every project's Slurm account and every alias — two queries."""
    return Attribution(
        by_name=dict(Project.objects.values_list("slurm_account", "pk")),
        by_pair={(cluster, account): project_id for cluster, account, project_id
                 in AccountAlias.objects.values_list("cluster", "account", "project_id")},
    )


def unmatched_accounts() -> list[dict]:
    """Accounts seen in the usage summaries (all years) that match no project and no alias.

    Returns dicts with ``cluster``, ``account``, ``jobs``, ``core_hours``, ``gpu_hours``
    and the other sums of :func:`resources.selectors.usage.usage_sums`, most core-hours first —
    three queries whatever the number of jobs; the attributed accounts are left out in
    the database, so only the unmatched rows are summed.
    """
    rows = usage_by_account(excluding=account_attribution().selection())
    return sorted(rows, key=lambda row: (-row["core_hours"], -row["gpu_hours"],
                                         row["cluster"], row["account"]))


def unmatched_account_count(*, attribution: Attribution | None = None) -> int:
    """How many ``(cluster, account)`` pairs of the usage summaries (all years) match no
    project and no alias — the count of :func:`unmatched_accounts` without their sums:
    one query (three without ``attribution``)."""
    attribution = attribution or account_attribution()
    return sum(1 for cluster, account in accounts_seen()
               if attribution.project_id(cluster=cluster, account=account) is None)


def account_aliases():
    """Every alias with its project and who mapped it, by cluster and account."""
    return AccountAlias.objects.select_related("project", "created_by").order_by(
        "cluster", "account")


# --- Use of allocations, for the thresholds --------------------------------------------

def allocation_use(*, year: int, project_ids: Iterable[int] | None = None,
                   attribution: Attribution | None = None) -> dict[tuple[int, int], float]:
    """Use of every (project, resource) in ``year``, in the resource's unit — four queries
    (two with ``attribution`` given).

    ``project_ids``: only these projects (the summary rows of their accounts are the only
    ones read); ``None`` for every project. ``attribution``: an
    :func:`account_attribution` already read, to share between calls.
    Returns ``{(project id, resource id): core-hours or GPU-hours}`` for the metered
    resources (CPU and GPU resources mapped to partitions) of the attributed accounts.
    """
    attribution = attribution or account_attribution()
    catalogue = metered_resources()
    accounts, wanted = None, None
    if project_ids is not None:
        wanted = set(project_ids)
        accounts = attribution.selection(project_ids=wanted)
        if accounts.is_empty:
            return {}
    result: dict[tuple[int, int], float] = defaultdict(float)
    for row in usage_sums(group_by=["cluster", "account", "partition"], year=year,
                          accounts=accounts):
        project_id = attribution.project_id(cluster=row["cluster"], account=row["account"])
        if project_id is None or (wanted is not None and project_id not in wanted):
            continue
        matches = resources_for_partition(catalogue, cluster=row["cluster"],
                                          partition=row["partition"])
        for kind, resource in matches.items():
            result[(project_id, resource.pk)] += row[USAGE_KINDS[kind]]
    return dict(result)
