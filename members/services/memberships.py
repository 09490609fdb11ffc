"""Writes on yearly memberships (adhésions): open, pay, waive, lapse, remind."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.staff import is_verified_staff, require_staff
from algoric.core.workflow import TransitionError, transition
from algoric.notifications.services import notify

from ..models import Membership, MembershipEvent, Organisation
from ..selectors.memberships import fee_for
from ..selectors.organisations import representatives
from ..selectors.permissions import require_representative
from .access import GOOD_STANDING, grace_last_day

Status = Membership.Status

#: Allowed membership transitions.
ALLOWED = {
    Status.PENDING: {Status.PAID, Status.WAIVED, Status.LAPSED},
    Status.PAID: set(),
    Status.WAIVED: set(),
    Status.LAPSED: {Status.PAID},
}

#: Days after a membership is opened when its representatives are reminded it is unpaid.
UNPAID_REMINDER_DAYS = (14, 45)
#: Days before the end of the year when paid members are reminded to renew.
RENEWAL_REMINDER_DAYS_BEFORE_YEAR_END = 30
#: Days before the last day of the membership grace period when representatives are
#: reminded a second time (the first reminder goes when the grace starts).
GRACE_FINAL_REMINDER_DAYS = 15


@transaction.atomic
def membership_open(*, organisation: Organisation, year: int, actor=None) -> Membership:
    """Open the membership of ``organisation`` for ``year`` at the scheduled fee.

    Representatives may open the current or the next year; staff any year.
    Returns the existing membership when there is one. Raises ``ValidationError``
    when staff have set no fee for that kind and year, ``PermissionDenied`` for
    someone who does not represent the organisation.
    """
    if actor is not None and not is_verified_staff(actor):
        require_representative(organisation=organisation, user=actor)
        this_year = timezone.localdate().year
        if year not in (this_year, this_year + 1):
            raise PermissionDenied
    existing = Membership.objects.filter(organisation=organisation, year=year).first()
    if existing:
        return existing
    fee = fee_for(kind=organisation.kind, year=year)
    if fee is None:
        raise ValidationError(
            _("No membership fee is set for this kind of organisation in %(year)s yet. "
              "The association's staff will open the membership.") % {"year": year}
        )
    membership, _created = Membership.objects.get_or_create(
        organisation=organisation, year=year, defaults={"fee": fee.amount}
    )
    if _created:
        MembershipEvent.objects.create(membership=membership, actor=actor,
                                       to_status=Status.PENDING)
        if actor is not None and is_verified_staff(actor):
            audit_record(action="membership.opened", actor=actor, target=membership,
                         detail={"year": year, "fee": membership.fee})
    return membership


def membership_open_if_fee_known(*, organisation: Organisation, year: int) -> Membership | None:
    """Like :func:`membership_open` by the system, but ``None`` when no fee is set."""
    if fee_for(kind=organisation.kind, year=year) is None:
        return None
    return membership_open(organisation=organisation, year=year)


def _transition(*, membership: Membership, to: str, actor, note: str = "",
                fields: dict | None = None) -> Membership:
    """Move ``membership`` to ``to`` (:func:`algoric.core.workflow.transition`); returns
    the fresh row. Raises :class:`TransitionError`."""
    return transition(membership, to=to, actor=actor, allowed=ALLOWED,
                      event_model=MembershipEvent, note=note, fields=fields,
                      refusal=lambda locked, to: _(
                          "A membership that is “%(status)s” cannot become “%(to)s”.")
                      % {"status": locked.get_status_display(), "to": Status(to).label}
                      ).instance


@transaction.atomic
def membership_record_payment(*, membership: Membership, paid_on: dt.date, reference: str,
                              actor) -> Membership:
    """Record the payment of a membership (staff only): pending or lapsed → paid.

    ``paid_on`` is the date the association received the money; ``reference`` the
    bank transfer or cheque reference. Notifies the representatives. Raises
    ``PermissionDenied``, ``ValidationError`` or :class:`TransitionError`.
    """
    require_staff(actor)
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError(_("Give the payment reference."))
    if paid_on > timezone.localdate():
        raise ValidationError(_("The payment date cannot be in the future."))
    membership = _transition(membership=membership, to=Status.PAID, actor=actor,
                             note=reference[:100],
                             fields={"paid_on": paid_on, "payment_reference": reference[:100]})
    audit_record(action="membership.payment_recorded", actor=actor, target=membership,
                 detail={"paid_on": paid_on, "reference": reference[:100]})
    for user in representatives(membership.organisation):
        notify(event="membership_paid", recipient=user,
               context={"membership": membership, "organisation": membership.organisation},
               dedupe_key=f"membership_paid:{membership.pk}:{user.pk}")
    return membership


@transaction.atomic
def membership_waive(*, membership: Membership, note: str, actor) -> Membership:
    """Waive the fee of a membership (staff only), with the reason in ``note``.

    Raises ``PermissionDenied``, ``ValidationError`` (no reason) or :class:`TransitionError`.
    """
    require_staff(actor)
    if not (note or "").strip():
        raise ValidationError(_("Say why the fee is waived."))
    note = note.strip()
    membership = _transition(membership=membership, to=Status.WAIVED, actor=actor, note=note,
                             fields={"note": note})
    audit_record(action="membership.waived", actor=actor, target=membership,
                 detail={"note": note})
    return membership


def memberships_lapse(*, today: dt.date | None = None) -> int:
    """Mark lapsed the memberships of past years still unpaid. Returns how many."""
    today = today or timezone.localdate()
    count = 0
    for membership in Membership.objects.filter(status=Status.PENDING, year__lt=today.year):
        with transaction.atomic():
            try:
                _transition(membership=membership, to=Status.LAPSED, actor=None,
                            note="year ended unpaid")
            except TransitionError:
                continue
            count += 1
    return count


def memberships_send_reminders(*, today: dt.date | None = None) -> int:
    """Remind representatives of unpaid memberships and of renewals; each reminder once.

    - unpaid: :data:`UNPAID_REMINDER_DAYS` days after the membership was opened;
    - renewal: from :data:`RENEWAL_REMINDER_DAYS_BEFORE_YEAR_END` days before 31
      December, to organisations in good standing this year with no membership
      opened for the next.

    - grace: see :func:`memberships_send_grace_reminders`.

    Returns the number of notifications created (the dedupe key makes a reminder
    already sent a no-op).
    """
    today = today or timezone.localdate()
    created = memberships_send_grace_reminders(today=today)
    for membership in Membership.objects.filter(status=Status.PENDING).select_related(
        "organisation"
    ):
        age = (today - timezone.localtime(membership.created_at).date()).days
        due = [d for d in UNPAID_REMINDER_DAYS if age >= d]
        if not due:
            continue
        step = max(due)
        for user in representatives(membership.organisation):
            with transaction.atomic():
                created += notify(
                    event="membership_unpaid", recipient=user,
                    context={"membership": membership, "organisation": membership.organisation},
                    dedupe_key=f"membership_unpaid:{membership.pk}:{step}:{user.pk}",
                ).created
    year_end = dt.date(today.year, 12, 31)
    if (year_end - today).days <= RENEWAL_REMINDER_DAYS_BEFORE_YEAR_END:
        renewed = Membership.objects.filter(year=today.year + 1).values("organisation")
        for membership in Membership.objects.filter(
            year=today.year, status__in=[Status.PAID, Status.WAIVED]
        ).exclude(organisation__in=renewed).select_related("organisation"):
            for user in representatives(membership.organisation):
                with transaction.atomic():
                    created += notify(
                        event="membership_renewal", recipient=user,
                        context={"membership": membership, "next_year": today.year + 1,
                                 "organisation": membership.organisation},
                        dedupe_key=f"membership_renewal:{membership.organisation_id}:"
                                   f"{today.year + 1}:{user.pk}",
                    ).created
    return created


def memberships_send_grace_reminders(*, today: dt.date | None = None) -> int:
    """Remind the representatives of organisations in the membership grace period; each
    reminder once per organisation, year and person.

    An organisation is in grace (:func:`members.services.access.in_membership_grace`)
    when its membership of last year was paid or waived and that of ``today``'s year is
    pending or not opened, up to :func:`members.services.access.grace_last_day`
    (setting ``MEMBERSHIP_GRACE_DAYS``). Two reminders (event ``membership_grace``):

    - ``start``: the first day the task runs in the grace (from 1 January);
    - ``ending``: from :data:`GRACE_FINAL_REMINDER_DAYS` days before the last day of
      grace (when the task first runs that late, only this one is sent).

    Returns the number of notifications created.
    """
    today = today or timezone.localdate()
    last_day = grace_last_day(today.year)
    if last_day is None or today > last_day:
        return 0
    days_left = (last_day - today).days
    step = "ending" if days_left <= GRACE_FINAL_REMINDER_DAYS else "start"
    settled = (Membership.objects.filter(year=today.year).exclude(status=Status.PENDING)
               .values("organisation"))
    current = {m.organisation_id: m for m in Membership.objects.filter(
        year=today.year, status=Status.PENDING)}
    created = 0
    for previous in (Membership.objects
                     .filter(year=today.year - 1, status__in=GOOD_STANDING)
                     .exclude(organisation__in=settled).select_related("organisation")):
        organisation = previous.organisation
        for user in representatives(organisation):
            with transaction.atomic():
                created += notify(
                    event="membership_grace", recipient=user,
                    context={"organisation": organisation, "year": today.year,
                             "membership": current.get(organisation.pk),
                             "last_day": last_day, "days_left": days_left,
                             "ending": step == "ending"},
                    dedupe_key=f"membership_grace:{organisation.pk}:{today.year}:{step}:"
                               f"{user.pk}",
                ).created
    return created
