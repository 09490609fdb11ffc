"""The access rule: may an organisation's projects use the centre on a given day?"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
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
    Two queries.
    """
    on_date = on_date or timezone.localdate()
    return access_status_from(
        membership=organisation.memberships.filter(year=on_date.year).first(),
        agreement=organisation.agreements.filter(status=Agreement.Status.ACTIVE).first(),
        on_date=on_date,
    )


def organisation_access_statuses(*, organisations, on_date: dt.date | None = None
                                 ) -> dict[int, AccessStatus]:
    """:func:`organisation_access_status` for many organisations in two queries.

    ``organisations``: an iterable of organisations (or a queryset). Returns a dict
    from organisation id to its :class:`AccessStatus`.
    """
    on_date = on_date or timezone.localdate()
    ids = [organisation.pk for organisation in organisations]
    memberships = {m.organisation_id: m for m in Membership.objects.filter(
        organisation_id__in=ids, year=on_date.year)}
    agreements = {a.organisation_id: a for a in Agreement.objects.filter(
        organisation_id__in=ids, status=Agreement.Status.ACTIVE)}
    return {pk: access_status_from(membership=memberships.get(pk), agreement=agreements.get(pk),
                                   on_date=on_date) for pk in ids}


def access_status_from(*, membership: Membership | None, agreement: Agreement | None,
                       on_date: dt.date) -> AccessStatus:
    """Apply the access rule to an organisation's membership of ``on_date``'s year and its
    active agreement (either may be ``None``). No query."""
    reasons: list[AccessReason] = []
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
    if agreement is None:
        reasons.append(AccessReason("no_active_agreement", _("No active agreement.")))
    elif agreement.starts_on > on_date or agreement.ends_on < on_date:
        reasons.append(AccessReason(
            "agreement_not_started" if agreement.starts_on > on_date else "no_active_agreement",
            _("Agreement %(number)s is valid from %(start)s to %(end)s.")
            % {"number": agreement.number, "start": date_format(agreement.starts_on),
               "end": date_format(agreement.ends_on)},
        ))
    elif (agreement.ends_on - on_date).days <= EXPIRING_WITHIN_DAYS:
        reasons.append(AccessReason(
            "agreement_expiring",
            _("Agreement %(number)s ends on %(end)s: renew it in time.")
            % {"number": agreement.number, "end": date_format(agreement.ends_on)},
            blocking=False,
        ))
    allowed = not any(reason.blocking for reason in reasons)
    return AccessStatus(allowed=allowed, reasons=reasons, membership=membership,
                        agreement=agreement)
