"""Models of the members app: people, organisations, memberships and agreements."""

from .agreements import Agreement, AgreementEvent, AgreementNumberSequence, TermsTemplate
from .memberships import FeeSchedule, Membership, MembershipEvent
from .organisations import Invitation, Organisation, OrganisationKind, OrganisationMember
from .users import User, UserManager

__all__ = [
    "Agreement",
    "AgreementEvent",
    "AgreementNumberSequence",
    "FeeSchedule",
    "Invitation",
    "Membership",
    "MembershipEvent",
    "Organisation",
    "OrganisationKind",
    "OrganisationMember",
    "TermsTemplate",
    "User",
    "UserManager",
]
