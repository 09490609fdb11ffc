"""The access rule: may an organisation's projects use the centre on a given day?"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ..models import Agreement, Membership, Organisation

#: An active agreement ending within this many days is flagged as expiring.
EXPIRING_WITHIN_DAYS = 60
#: Membership statuses that count as "in good standing" for a year.
GOOD_STANDING = (Membership.Status.PAID, Membership.Status.WAIVED)


def grace_last_day(year: int) -> dt.date | None:
    """The last day of the membership grace period of ``year`` (1 January + setting
    ``MEMBERSHIP_GRACE_DAYS`` − 1 days; day 1 is 1 January), or ``None`` when the
    setting is 0 (no grace)."""
    days = settings.MEMBERSHIP_GRACE_DAYS
    if days <= 0:
        return None
    return dt.date(year, 1, 1) + dt.timedelta(days=days - 1)


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
    ``no_active_agreement``, ``agreement_not_started``, and the warnings
    ``agreement_expiring`` (ends within :data:`EXPIRING_WITHIN_DAYS` days) and
    ``membership_grace``.

    Grace period (setting ``MEMBERSHIP_GRACE_DAYS``, default 90): an organisation
    whose membership of the previous year was paid or waived keeps access during the
    first ``MEMBERSHIP_GRACE_DAYS`` days of the year (to :func:`grace_last_day`
    included) while its membership of the year is pending or not opened yet; the
    status then carries the warning ``membership_grace`` naming the last day, and
    the first day after it the usual ``no_membership`` / ``membership_unpaid``
    reason blocks. How this agrees with lapsing (``memberships_lapse``, daily): a
    membership lapses only once its own year is over, so on 1 January last year's
    unpaid membership becomes ``lapsed`` — such an organisation did not pay last year
    and gets no grace — while this year's pending membership stays ``pending``
    through the grace and after it (blocking as unpaid) until 31 December. A
    membership of the year already ``lapsed`` (only set by hand or for a past year)
    is never graced.
    Two queries.
    """
    on_date = on_date or timezone.localdate()
    memberships = {m.year: m for m in organisation.memberships.filter(
        year__in=(on_date.year, on_date.year - 1))}
    return access_status_from(
        membership=memberships.get(on_date.year),
        agreement=organisation.agreements.filter(status=Agreement.Status.ACTIVE).first(),
        on_date=on_date,
        previous_membership=memberships.get(on_date.year - 1),
    )


def organisation_access_statuses(*, organisations, on_date: dt.date | None = None
                                 ) -> dict[int, AccessStatus]:
    """:func:`organisation_access_status` for many organisations in two queries.

    ``organisations``: an iterable of organisations (or a queryset). Returns a dict
    from organisation id to its :class:`AccessStatus`.
    """
    on_date = on_date or timezone.localdate()
    ids = [organisation.pk for organisation in organisations]
    memberships = {(m.organisation_id, m.year): m for m in Membership.objects.filter(
        organisation_id__in=ids, year__in=(on_date.year, on_date.year - 1))}
    agreements = {a.organisation_id: a for a in Agreement.objects.filter(
        organisation_id__in=ids, status=Agreement.Status.ACTIVE)}
    return {pk: access_status_from(membership=memberships.get((pk, on_date.year)),
                                   agreement=agreements.get(pk), on_date=on_date,
                                   previous_membership=memberships.get((pk, on_date.year - 1)))
            for pk in ids}


def in_membership_grace(*, membership: Membership | None,
                        previous_membership: Membership | None, on_date: dt.date) -> bool:
    """Whether the grace period covers ``on_date``: the previous year's membership paid or
    waived, this year's pending or not opened, and ``on_date`` no later than
    :func:`grace_last_day`. No query."""
    last_day = grace_last_day(on_date.year)
    return (last_day is not None and on_date <= last_day
            and previous_membership is not None
            and previous_membership.status in GOOD_STANDING
            and (membership is None or membership.status == Membership.Status.PENDING))


def access_status_from(*, membership: Membership | None, agreement: Agreement | None,
                       on_date: dt.date,
                       previous_membership: Membership | None = None) -> AccessStatus:
    """Apply the access rule to an organisation's membership of ``on_date``'s year, that of
    the year before (for the grace period; ``None`` gives no grace) and its active
    agreement (any may be ``None``). No query."""
    reasons: list[AccessReason] = []
    if in_membership_grace(membership=membership, previous_membership=previous_membership,
                           on_date=on_date):
        reasons.append(AccessReason(
            "membership_grace",
            _("The %(year)s membership fee is not paid yet: access continues during the "
              "grace period, until %(last_day)s included.")
            % {"year": on_date.year, "last_day": date_format(grace_last_day(on_date.year))},
            blocking=False,
        ))
    elif membership is None:
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
