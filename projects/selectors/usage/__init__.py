"""Reads of usage in the projects' terms: which accounts are whose, and what each project
used of its grants.

Attribution. A job belongs to the project whose ``slurm_account`` is the job's account
(on every cluster), or to the project staff mapped its (cluster, account) to with an
:class:`~projects.models.AccountAlias` — on its cluster, an alias wins over a Slurm
account of the same name. Nothing is stored on the jobs: the usage pages read the
``resources`` summaries by account at query time (``resources.selectors.usage``), so a new alias
attributes the jobs already imported at once, and an import is seen by the next page.

Resources. A CPU resource of the catalogue counts core-hours, a GPU resource GPU-hours,
of the jobs that ran on its Slurm cluster/partition (``Resource.slurm_cluster`` and
``slurm_partition``; see ``resources.selectors.usage.resources_for_partition``). Usage on a
partition no resource maps to is shown as "other".

The reads live in modules by subject (``attribution``, ``project``, ``centre``, and
``common`` for what they share); every name is importable from
``projects.selectors.usage``.
"""

from .attribution import (
    Attribution,
    account_aliases,
    account_attribution,
    allocation_use,
    project_accounts,
    unmatched_account_count,
    unmatched_accounts,
)
from .centre import TOP_PROJECTS, CentreUsage, centre_usage
from .common import (
    EnergyFigures,
    current_month,
    default_year,
    elapsed_months,
    energy_figures,
    months_of,
)
from .project import MonthUse, ProjectUsage, ResourceUse, project_usage, resource_use

__all__ = [
    "TOP_PROJECTS",
    "Attribution",
    "CentreUsage",
    "EnergyFigures",
    "MonthUse",
    "ProjectUsage",
    "ResourceUse",
    "account_aliases",
    "account_attribution",
    "allocation_use",
    "centre_usage",
    "current_month",
    "default_year",
    "elapsed_months",
    "energy_figures",
    "months_of",
    "project_accounts",
    "project_usage",
    "resource_use",
    "unmatched_account_count",
    "unmatched_accounts",
]
