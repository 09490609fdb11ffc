"""Staff pages of the members app: the dashboard, organisations and memberships, agreement
decisions, fees, terms.

Every view is for staff with two-factor authentication (``staff_required``). Each
decision is a POST to its own URL that calls one service; a refused decision
re-renders the page with the reason (400 for bad input, 409 for a status that no
longer allows it) and changes nothing.

The views live in modules by subject; the names below are what ``members/urls.py``
routes to.
"""

from .agreements import (
    agreement_approve_view,
    agreement_countersign_view,
    agreement_reject_view,
    agreement_request_changes_view,
    agreement_review,
    agreement_terminate_view,
)
from .fees import fee_schedule
from .organisations import (
    dashboard,
    membership_open_view,
    membership_payment,
    membership_waive_view,
    organisation_list,
    organisation_review,
)
from .terms import terms_edit, terms_list, terms_new, terms_publish_view

__all__ = [
    "agreement_approve_view",
    "agreement_countersign_view",
    "agreement_reject_view",
    "agreement_request_changes_view",
    "agreement_review",
    "agreement_terminate_view",
    "dashboard",
    "fee_schedule",
    "membership_open_view",
    "membership_payment",
    "membership_waive_view",
    "organisation_list",
    "organisation_review",
    "terms_edit",
    "terms_list",
    "terms_new",
    "terms_publish_view",
]
