"""The access rule: may an organisation's projects use the centre on a given day?"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Agreement, Membership, Organisation

#: An active agreement ending within this many days is flagged as expiring.
EXPIRING_WITHIN_DAYS = 60


@dataclass(frozen=True)
class AccessReason:
    """Why access is refused or at risk: a stable ``code`` and a message for people."""

    code: str
    message: str
    blocking: bool = True


@dataclass(frozen=True)
class AccessStatus:
    """The answer of :func:`organisation_access_status`.

    ``allowed`` is true when no reason blocks; ``reasons`` lists every blocking
    reason and warning; ``membership`` and ``agreement`` are the rows that count.
    """

    allowed: bool
    reasons: list[AccessReason] = field(default_factory=list)
    membership: Membership | None = None
    agreement: Agreement | None = None

    @property
    def blocking_reasons(self) -> list[AccessReason]:
        return [reason for reason in self.reasons if reason.blocking]

    @property
    def warnings(self) -> list[AccessReason]:
        return [reason for reason in self.reasons if not reason.blocking]


def organisation_access_status(*, organisation: Organisation,
                               on_date: dt.date | None = None) -> AccessStatus:
    """Whether ``organisation`` may use the centre on ``on_date`` (default today), and why not.

    The rule (PRODUCT.md, access rule): a membership paid (or waived) for the year
    of ``on_date``, and an active agreement whose validity covers ``on_date``.
    Reasons (codes): ``no_membership``, ``membership_unpaid``, ``membership_lapsed``,
    ``no_active_agreement``, ``agreement_not_started``, and the warning
    ``agreement_expiring`` (ends within :data:`EXPIRING_WITHIN_DAYS` days).
    """
    on_date = on_date or timezone.localdate()
    reasons: list[AccessReason] = []
    membership = organisation.memberships.filter(year=on_date.year).first()
    if membership is None:
        reasons.append(AccessReason("no_membership",
                                    _("No membership for %(year)s.") % {"year": on_date.year}))
    elif membership.status == Membership.Status.PENDING:
        reasons.append(AccessReason("membership_unpaid",
                                    _("The %(year)s membership fee is not paid yet.")
                                    % {"year": on_date.year}))
    elif membership.status == Membership.Status.LAPSED:
        reasons.append(AccessReason("membership_lapsed",
                                    _("The %(year)s membership lapsed unpaid.")
                                    % {"year": on_date.year}))
    agreement = organisation.agreements.filter(status=Agreement.Status.ACTIVE).first()
    if agreement is None:
        reasons.append(AccessReason("no_active_agreement", _("No active agreement.")))
    elif agreement.starts_on > on_date or agreement.ends_on < on_date:
        reasons.append(AccessReason(
            "agreement_not_started" if agreement.starts_on > on_date else "no_active_agreement",
            _("Agreement %(number)s is valid from %(start)s to %(end)s.")
            % {"number": agreement.number, "start": agreement.starts_on,
               "end": agreement.ends_on},
        ))
    elif (agreement.ends_on - on_date).days <= EXPIRING_WITHIN_DAYS:
        reasons.append(AccessReason(
            "agreement_expiring",
            _("Agreement %(number)s ends on %(end)s: renew it in time.")
            % {"number": agreement.number, "end": agreement.ends_on},
            blocking=False,
        ))
    allowed = not any(reason.blocking for reason in reasons)
    return AccessStatus(allowed=allowed, reasons=reasons, membership=membership,
                        agreement=agreement)
