"""The agreement (convention) workflow: one service per verb, and the daily expiries.

Each verb locks the row, checks the transition against :data:`ALLOWED`, changes
the status with a conditional ``UPDATE … WHERE status = <previous>`` (so two
concurrent decisions give exactly one), writes an :class:`AgreementEvent`, and
queues its notifications after commit — all in one transaction. The signed copy and
the countersignature (the verbs with a file and a validity period) are in
:mod:`members.services.agreement_signing`.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.staff import require_staff
from algoric.core.workflow import TransitionError, transition
from algoric.notifications.services import notify

from ..models import Agreement, AgreementEvent, AgreementNumberSequence, Organisation, User
from ..selectors.agreements import terms_current
from ..selectors.organisations import representatives
from ..selectors.permissions import require_representative
from ..selectors.users import staff_recipients
from . import agreement_pdf

logger = logging.getLogger(__name__)
security_log = logging.getLogger("algoric.security")
Status = Agreement.Status

#: The workflow of PRODUCT.md: from each status, the statuses it may go to.
ALLOWED: dict[str, set[str]] = {
    Status.DRAFT: {Status.SUBMITTED},
    Status.SUBMITTED: {Status.APPROVED, Status.DRAFT, Status.REJECTED},
    Status.APPROVED: {Status.SIGNED},
    Status.SIGNED: {Status.ACTIVE},
    Status.ACTIVE: {Status.EXPIRED, Status.TERMINATED},
    Status.EXPIRED: set(),
    Status.REJECTED: set(),
    Status.TERMINATED: set(),
}
#: Statuses of an agreement still in progress (at most one per organisation).
IN_PROGRESS = {Status.DRAFT, Status.SUBMITTED, Status.APPROVED, Status.SIGNED}
#: Days before the end of an active agreement when its representatives are reminded.
EXPIRY_REMINDER_DAYS = (60, 30, 7)


def agreement_number_next(*, year: int) -> str:
    """Give the next agreement number of ``year``: ``AG-<year>-<nnnn>``.

    The per-year counter row is locked, so concurrent calls get distinct numbers,
    and it only grows, so a number is never given twice (even if its draft is
    deleted). Must run inside a transaction.
    """
    AgreementNumberSequence.objects.get_or_create(year=year)
    sequence = AgreementNumberSequence.objects.select_for_update().get(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"AG-{year}-{sequence.last_number:04d}"


def agreement_transition(*, agreement: Agreement, to: str, actor, note: str = "",
                         fields: dict | None = None) -> tuple[Agreement, str]:
    """Move ``agreement`` to status ``to`` (:func:`algoric.core.workflow.transition`).

    ``actor``: the user acting (``None`` for the system); ``note``: kept on the event row;
    ``fields``: other columns written with the status. Call inside a transaction.
    Returns the fresh row and the status it left. Raises :class:`TransitionError` when
    :data:`ALLOWED` does not let the current status become ``to``.
    """
    done = transition(agreement, to=to, actor=actor, allowed=ALLOWED,
                      event_model=AgreementEvent, note=note, fields=fields,
                      refusal=lambda locked, to: _(
                          "Agreement %(number)s is “%(status)s”: it cannot become “%(to)s”.")
                      % {"number": locked.number, "status": locked.get_status_display(),
                         "to": Status(to).label},
                      conflict=_("Agreement %(number)s was changed by someone else meanwhile. "
                                 "Reload the page.") % {"number": agreement.number})
    return done.instance, done.previous


def agreement_notify_representatives(agreement: Agreement, event: str, **context) -> None:
    """Notify the representatives of ``agreement``'s organisation of ``event`` (after
    commit), once per event row: the dedupe key counts the agreement's events."""
    for user in representatives(agreement.organisation):
        notify(event=event, recipient=user,
               context={"agreement": agreement, "organisation": agreement.organisation,
                        **context},
               dedupe_key=f"{event}:{agreement.pk}:{agreement.events.count()}:{user.pk}")


def agreement_notify_staff(agreement: Agreement, event: str, **context) -> None:
    """Notify every active staff member of ``event`` on ``agreement`` (after commit), once
    per event row."""
    for user in staff_recipients():
        notify(event=event, recipient=user,
               context={"agreement": agreement, "organisation": agreement.organisation,
                        **context},
               dedupe_key=f"{event}:{agreement.pk}:{agreement.events.count()}:{user.pk}")


@transaction.atomic
def agreement_create(*, organisation: Organisation, actor: User,
                     renewed_from: Agreement | None = None) -> Agreement:
    """Start a draft agreement for ``organisation`` under the current terms of its kind.

    Only representatives may. Refused (``ValidationError``) while another agreement
    of the organisation is in progress, or when no terms are published.
    """
    require_representative(organisation=organisation, user=actor)
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.agreements.filter(status__in=IN_PROGRESS).exists():
        raise ValidationError(_("An agreement of this organisation is already in progress."))
    if renewed_from is None and organisation.agreements.filter(status=Status.ACTIVE).exists():
        raise ValidationError(_("This organisation already has an active agreement: renew it "
                                "from the agreement's page instead."))
    terms = terms_current(kind=organisation.kind)
    agreement = Agreement.objects.create(
        number=agreement_number_next(year=timezone.localdate().year),
        organisation=organisation,
        kind=organisation.kind,
        terms=terms,
        created_by=actor,
        renewed_from=renewed_from,
        signatory_name=renewed_from.signatory_name if renewed_from else actor.get_full_name(),
        signatory_title=renewed_from.signatory_title if renewed_from else "",
    )
    note = (_("renewal of %(number)s") % {"number": renewed_from.number}
            if renewed_from else "")
    AgreementEvent.objects.create(agreement=agreement, actor=actor, from_status="",
                                  to_status=Status.DRAFT, note=note)
    return agreement


@transaction.atomic
def agreement_update_draft(*, agreement: Agreement, data: dict, actor: User) -> Agreement:
    """Change the signatory of a draft (representatives only); the PDF follows the draft."""
    require_representative(organisation=agreement.organisation, user=actor)
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if locked.status != Status.DRAFT:
        raise TransitionError(_("Only a draft agreement can be edited."))
    locked.signatory_name = data.get("signatory_name", locked.signatory_name).strip()
    locked.signatory_title = data.get("signatory_title", locked.signatory_title).strip()
    locked.save(update_fields=["signatory_name", "signatory_title", "updated_at"])
    return locked


@transaction.atomic
def agreement_submit(*, agreement: Agreement, actor: User) -> Agreement:
    """draft → submitted, by a representative; staff are notified."""
    require_representative(organisation=agreement.organisation, user=actor)
    if not (agreement.signatory_name and agreement.signatory_title):
        raise ValidationError(_("Give the name and title of the person who will sign "
                                "before submitting."))
    agreement, _previous = agreement_transition(agreement=agreement, to=Status.SUBMITTED,
                                                actor=actor)
    agreement_notify_staff(agreement, "agreement_submitted", actor=actor)
    return agreement


@transaction.atomic
def agreement_approve(*, agreement: Agreement, actor: User, note: str = "") -> Agreement:
    """submitted → approved, by staff; the PDF to sign is generated and frozen."""
    require_staff(actor)
    agreement, _previous = agreement_transition(agreement=agreement, to=Status.APPROVED,
                                                actor=actor, note=note)
    agreement_pdf.agreement_pdf_refresh(agreement=agreement, force=True)
    agreement_notify_representatives(agreement, "agreement_approved")
    audit_record(action="agreement.approved", actor=actor, target=agreement,
                 detail={"note": note})
    security_log.info("agreement approved: %s by user=%s", agreement.number, actor.pk)
    return agreement


@transaction.atomic
def agreement_request_changes(*, agreement: Agreement, actor: User, note: str) -> Agreement:
    """submitted → draft, by staff, with a note saying what to change."""
    require_staff(actor)
    if not (note or "").strip():
        raise ValidationError(_("Say what should be changed."))
    agreement, _previous = agreement_transition(agreement=agreement, to=Status.DRAFT,
                                                actor=actor, note=note.strip())
    agreement_notify_representatives(agreement, "agreement_changes_requested", note=note.strip())
    audit_record(action="agreement.changes_requested", actor=actor, target=agreement,
                 detail={"note": note.strip()})
    return agreement


@transaction.atomic
def agreement_reject(*, agreement: Agreement, actor: User, reason: str) -> Agreement:
    """submitted → rejected, by staff, with the reason."""
    require_staff(actor)
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason for the rejection."))
    agreement, _previous = agreement_transition(agreement=agreement, to=Status.REJECTED,
                                                actor=actor, note=reason.strip())
    agreement_notify_representatives(agreement, "agreement_rejected", reason=reason.strip())
    audit_record(action="agreement.rejected", actor=actor, target=agreement,
                 detail={"reason": reason.strip()})
    security_log.info("agreement rejected: %s by user=%s", agreement.number, actor.pk)
    return agreement


@transaction.atomic
def agreement_terminate(*, agreement: Agreement, actor: User, reason: str) -> Agreement:
    """active → terminated, by staff, with the reason; ends today."""
    require_staff(actor)
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason for the termination."))
    today = timezone.localdate()
    current = Agreement.objects.get(pk=agreement.pk)
    ends_on = max(today, current.starts_on) if current.starts_on else today
    agreement, _previous = agreement_transition(agreement=agreement, to=Status.TERMINATED,
                                                actor=actor, note=reason.strip(),
                                                fields={"ends_on": ends_on})
    agreement_notify_representatives(agreement, "agreement_terminated", reason=reason.strip())
    audit_record(action="agreement.terminated", actor=actor, target=agreement,
                 detail={"reason": reason.strip(), "ends_on": ends_on})
    security_log.info("agreement terminated: %s by user=%s", agreement.number, actor.pk)
    return agreement


@transaction.atomic
def agreement_renew(*, agreement: Agreement, actor: User) -> Agreement:
    """Copy an active or expired agreement into a new draft under the current terms."""
    if agreement.status not in {Status.ACTIVE, Status.EXPIRED}:
        raise TransitionError(_("Only an active or expired agreement can be renewed."))
    return agreement_create(organisation=agreement.organisation, actor=actor,
                            renewed_from=agreement)


def agreements_expire(*, today: dt.date | None = None) -> int:
    """Expire the active agreements whose end date has passed. Returns how many."""
    today = today or timezone.localdate()
    count = 0
    for agreement in Agreement.objects.filter(status=Status.ACTIVE, ends_on__lt=today):
        with transaction.atomic():
            try:
                agreement, _previous = agreement_transition(agreement=agreement,
                                                            to=Status.EXPIRED, actor=None)
            except TransitionError:
                continue
            agreement_notify_representatives(agreement, "agreement_expired")
            count += 1
    return count


def agreements_send_expiry_reminders(*, today: dt.date | None = None) -> int:
    """Remind representatives 60, 30 and 7 days before an active agreement ends.

    Each reminder is sent once (dedupe key per agreement and threshold). When a run
    was missed, only the most urgent threshold reached is sent. Returns the number
    of notifications created.
    """
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=max(EXPIRY_REMINDER_DAYS))
    created = 0
    for agreement in Agreement.objects.filter(
        status=Status.ACTIVE, ends_on__gte=today, ends_on__lte=horizon
    ).select_related("organisation"):
        days_left = (agreement.ends_on - today).days
        threshold = min(d for d in EXPIRY_REMINDER_DAYS if days_left <= d)
        for user in representatives(agreement.organisation):
            with transaction.atomic():
                created += notify(
                    event="agreement_expiring", recipient=user,
                    context={"agreement": agreement, "organisation": agreement.organisation,
                             "days_left": days_left},
                    dedupe_key=f"agreement_expiring:{agreement.pk}:{threshold}:{user.pk}",
                ).created
    return created
