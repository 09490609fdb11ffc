"""The agreement (convention) workflow: one service per verb.

Each verb locks the row, checks the transition against :data:`ALLOWED`, changes
the status with a conditional ``UPDATE … WHERE status = <previous>`` (so two
concurrent decisions give exactly one), writes an :class:`AgreementEvent`, and
queues its notifications after commit — all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.workflow import TransitionError, transition
from algoric.notifications.services import notify

from ..models import Agreement, AgreementEvent, AgreementNumberSequence, Organisation, User
from ..models.agreements import TermsTemplate
from .memberships import representatives
from .organisations import require_representative

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


def staff_recipients():
    """Active staff members, who receive the notifications meant for staff."""
    return User.objects.filter(is_staff=True, is_active=True)


def terms_current(*, kind: str) -> TermsTemplate:
    """The latest published terms for ``kind``. Raises ``ValidationError`` when none."""
    terms = TermsTemplate.objects.filter(kind=kind, is_published=True).order_by(
        "-version").first()
    if terms is None:
        raise ValidationError(_("No agreement terms are published for this kind of "
                                "organisation yet. Please contact the association."))
    return terms


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


def _transition(*, agreement: Agreement, to: str, actor, note: str = "",
                fields: dict | None = None) -> tuple[Agreement, str]:
    """Move ``agreement`` to ``to`` (:func:`algoric.core.workflow.transition`); returns
    the fresh row and the status it left. Raises :class:`TransitionError`."""
    done = transition(agreement, to=to, actor=actor, allowed=ALLOWED,
                      event_model=AgreementEvent, note=note, fields=fields,
                      refusal=lambda locked, to: _(
                          "Agreement %(number)s is “%(status)s”: it cannot become “%(to)s”.")
                      % {"number": locked.number, "status": locked.get_status_display(),
                         "to": Status(to).label})
    return done.instance, done.previous


def _notify_representatives(agreement: Agreement, event: str, **context) -> None:
    for user in representatives(agreement.organisation):
        notify(event=event, recipient=user,
               context={"agreement": agreement, "organisation": agreement.organisation,
                        **context},
               dedupe_key=f"{event}:{agreement.pk}:{agreement.events.count()}:{user.pk}")


def _notify_staff(agreement: Agreement, event: str, **context) -> None:
    for user in staff_recipients():
        notify(event=event, recipient=user,
               context={"agreement": agreement, "organisation": agreement.organisation,
                        **context},
               dedupe_key=f"{event}:{agreement.pk}:{agreement.events.count()}:{user.pk}")


def _require_staff(actor) -> None:
    if not actor.is_staff:
        raise PermissionDenied(_("Only the association's staff may do this."))


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
    agreement, _previous = _transition(agreement=agreement, to=Status.SUBMITTED, actor=actor)
    _notify_staff(agreement, "agreement_submitted", actor=actor)
    return agreement


@transaction.atomic
def agreement_approve(*, agreement: Agreement, actor: User, note: str = "") -> Agreement:
    """submitted → approved, by staff; the PDF to sign is generated and frozen."""
    from .agreement_pdf import agreement_pdf_refresh

    _require_staff(actor)
    agreement, _previous = _transition(agreement=agreement, to=Status.APPROVED, actor=actor,
                                       note=note)
    agreement_pdf_refresh(agreement=agreement, force=True)
    _notify_representatives(agreement, "agreement_approved")
    audit_record(action="agreement.approved", actor=actor, target=agreement,
                 detail={"note": note})
    security_log.info("agreement approved: %s by user=%s", agreement.number, actor.pk)
    return agreement


@transaction.atomic
def agreement_request_changes(*, agreement: Agreement, actor: User, note: str) -> Agreement:
    """submitted → draft, by staff, with a note saying what to change."""
    _require_staff(actor)
    if not (note or "").strip():
        raise ValidationError(_("Say what should be changed."))
    agreement, _previous = _transition(agreement=agreement, to=Status.DRAFT, actor=actor,
                                       note=note.strip())
    _notify_representatives(agreement, "agreement_changes_requested", note=note.strip())
    audit_record(action="agreement.changes_requested", actor=actor, target=agreement,
                 detail={"note": note.strip()})
    return agreement


@transaction.atomic
def agreement_reject(*, agreement: Agreement, actor: User, reason: str) -> Agreement:
    """submitted → rejected, by staff, with the reason."""
    _require_staff(actor)
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason for the rejection."))
    agreement, _previous = _transition(agreement=agreement, to=Status.REJECTED, actor=actor,
                                       note=reason.strip())
    _notify_representatives(agreement, "agreement_rejected", reason=reason.strip())
    audit_record(action="agreement.rejected", actor=actor, target=agreement,
                 detail={"reason": reason.strip()})
    security_log.info("agreement rejected: %s by user=%s", agreement.number, actor.pk)
    return agreement


def _safe_filename(name: str) -> str:
    """A display name for an uploaded file: its base name, printable, at most 120 chars."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r"[^\w.\- ]", "_", base).strip(" .") or "signed.pdf"
    return base[-120:]


def validate_signed_pdf(uploaded) -> bytes:
    """Read and check an uploaded signed agreement; return its bytes.

    The file must be at most ``AGREEMENT_UPLOAD_MAX_BYTES`` (checked before
    reading) and parse as a PDF with at least one page (pypdf, strict mode): a
    renamed HTML file, or a PDF header followed by something else, is refused.
    Raises ``ValidationError`` with a message for the uploader.
    """
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    limit = settings.AGREEMENT_UPLOAD_MAX_BYTES
    if uploaded is None:
        raise ValidationError(_("Choose the signed PDF file."))
    if uploaded.size > limit:
        raise ValidationError(_("The file is too large (%(size)s MB); the limit is "
                                "%(limit)s MB.") % {"size": round(uploaded.size / 2**20, 1),
                                                    "limit": limit // 2**20})
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("The file is too large; the limit is %(limit)s MB.")
                              % {"limit": limit // 2**20})
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        pages = len(reader.pages)
        if reader.is_encrypted:
            raise ValidationError(_("The PDF is password-protected. Upload it without a "
                                    "password."))
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError) as exc:
        raise ValidationError(_("This file is not a readable PDF. Upload the signed agreement "
                                "as a PDF file.")) from exc
    if pages < 1:
        raise ValidationError(_("This PDF has no page."))
    return data


@transaction.atomic
def agreement_upload_signed(*, agreement: Agreement, uploaded, actor: User) -> Agreement:
    """approved → signed: a representative uploads the signed copy.

    The file is checked by :func:`validate_signed_pdf` and stored in private storage
    under a generated name. Staff are notified to countersign. Raises
    ``PermissionDenied``, ``ValidationError`` or :class:`TransitionError`; on any
    error nothing is stored.
    """
    require_representative(organisation=agreement.organisation, user=actor)
    current = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if Status.SIGNED not in ALLOWED[current.status]:
        raise TransitionError(_("The signed copy can be uploaded only once the agreement is "
                                "approved."))
    data = validate_signed_pdf(uploaded)
    storage = Agreement._meta.get_field("signed_pdf").storage
    name = storage.save(f"agreements/signed/{uuid.uuid4().hex}.pdf", ContentFile(data))
    try:
        agreement, _previous = _transition(
            agreement=current, to=Status.SIGNED, actor=actor,
            fields={"signed_pdf": name, "signed_filename": _safe_filename(uploaded.name),
                    "signed_uploaded_at": timezone.now()},
        )
    except Exception:
        storage.delete(name)
        raise
    _notify_staff(agreement, "agreement_signed", actor=actor)
    return agreement


@transaction.atomic
def agreement_countersign(*, agreement: Agreement, actor: User,
                          starts_on: dt.date | None = None) -> Agreement:
    """signed → active, by staff: the association countersigns.

    Valid from ``starts_on`` (default today) for one year. A renewal replaces the
    agreement it renews, which becomes expired the same day. Refused while the
    organisation has another active agreement. Representatives are notified.
    """
    _require_staff(actor)
    starts_on = starts_on or timezone.localdate()
    ends_on = add_one_year(starts_on) - dt.timedelta(days=1)
    current = Agreement.objects.select_for_update().get(pk=agreement.pk)
    others = Agreement.objects.select_for_update().filter(
        organisation_id=current.organisation_id, status=Status.ACTIVE
    ).exclude(pk=current.pk)
    for other in others:
        if other.pk == current.renewed_from_id:
            _transition(agreement=other, to=Status.EXPIRED, actor=actor,
                        note=_("replaced by %(number)s") % {"number": current.number},
                        fields={"ends_on": max(other.starts_on,
                                               starts_on - dt.timedelta(days=1))})
        else:
            raise ValidationError(_("Agreement %(number)s is still active for this "
                                    "organisation. Terminate it first.")
                                  % {"number": other.number})
    try:
        with transaction.atomic():
            agreement, _previous = _transition(
                agreement=current, to=Status.ACTIVE, actor=actor,
                fields={"starts_on": starts_on, "ends_on": ends_on},
            )
    except IntegrityError as exc:
        raise ValidationError(_("This organisation already has an active agreement.")) from exc
    _notify_representatives(agreement, "agreement_activated")
    audit_record(action="agreement.countersigned", actor=actor, target=agreement,
                 detail={"starts_on": starts_on, "ends_on": ends_on})
    security_log.info("agreement countersigned: %s by user=%s", agreement.number, actor.pk)
    return agreement


@transaction.atomic
def agreement_terminate(*, agreement: Agreement, actor: User, reason: str) -> Agreement:
    """active → terminated, by staff, with the reason; ends today."""
    _require_staff(actor)
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason for the termination."))
    today = timezone.localdate()
    current = Agreement.objects.get(pk=agreement.pk)
    ends_on = max(today, current.starts_on) if current.starts_on else today
    agreement, _previous = _transition(agreement=agreement, to=Status.TERMINATED, actor=actor,
                                       note=reason.strip(), fields={"ends_on": ends_on})
    _notify_representatives(agreement, "agreement_terminated", reason=reason.strip())
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


def add_one_year(day: dt.date) -> dt.date:
    """The same day a year later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def agreements_expire(*, today: dt.date | None = None) -> int:
    """Expire the active agreements whose end date has passed. Returns how many."""
    today = today or timezone.localdate()
    count = 0
    for agreement in Agreement.objects.filter(status=Status.ACTIVE, ends_on__lt=today):
        with transaction.atomic():
            try:
                agreement, _previous = _transition(agreement=agreement, to=Status.EXPIRED,
                                                   actor=None)
            except TransitionError:
                continue
            _notify_representatives(agreement, "agreement_expired")
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
