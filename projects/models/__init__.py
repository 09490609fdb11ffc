"""Projects (fiches projet), their people, resource requests and allocations.

The models live in modules by subject; every name is importable from
``projects.models`` as before (Django registers the models imported here).
The modules are imported in the order their models were first declared, so
the app registry lists them in that order (serialisation and deletion order
are unchanged).
"""

from .projects import (
    SLURM_ACCOUNT_REGEX,
    Field,
    Project,
    ProjectInvitation,
    ProjectMember,
    ProjectQuerySet,
)

# isort: split
from .requests import (
    Allocation,
    AllocationGrant,
    RequestComment,
    RequestEvent,
    ResourceRequest,
    ResourceRequestCell,
    ResourceRequestQuerySet,
    ResourceRequestRow,
)

# isort: split
from .attribution import AccountAlias

# isort: split
from .lifecycle import ActivityReport, AllocationEvent, AllocationExtension

# isort: split
from .reports import UsageReport, UsageReportQuerySet

# isort: split
from .outputs import OutputImport, OutputImportQuerySet, ResearchOutput, ResearchOutputQuerySet

__all__ = [
    "SLURM_ACCOUNT_REGEX",
    "AccountAlias",
    "ActivityReport",
    "Allocation",
    "AllocationEvent",
    "AllocationExtension",
    "AllocationGrant",
    "Field",
    "OutputImport",
    "OutputImportQuerySet",
    "Project",
    "ProjectInvitation",
    "ProjectMember",
    "ProjectQuerySet",
    "RequestComment",
    "ResearchOutput",
    "ResearchOutputQuerySet",
    "RequestEvent",
    "ResourceRequest",
    "ResourceRequestCell",
    "ResourceRequestQuerySet",
    "ResourceRequestRow",
    "UsageReport",
    "UsageReportQuerySet",
]
