"""The models of the resources app: the catalogue, the clusters and (from
:mod:`resources.accounting.models`) the accounting data.

Every model is re-exported here, which is also how Django finds the accounting
models of the app.
"""

from resources.accounting.models import AccountingImport, JobRecord, UsageSummary

from .catalogue import UNITS, Resource, ResourceKind, ResourcePrice, ResourceQuerySet
from .clusters import Cluster

__all__ = [
    "UNITS", "AccountingImport", "Cluster", "JobRecord", "Resource", "ResourceKind",
    "ResourcePrice", "ResourceQuerySet", "UsageSummary",
]
