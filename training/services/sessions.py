"""Creating and changing sessions: staff set every field, trainers the practical details
of the sessions they teach, and add new sessions of the courses they teach.

One set of checks serves both (:func:`session_errors`): the end after the start, the
registration deadline not after the start, a place or an online link, a capacity not
below the seats already taken, trainers who hold the role, prices by kind of
organisation.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.staff import is_verified_staff
from members.models import OrganisationKind

from ..models import Course, Registration, Session, Trainer
from ..selectors.access import may_add_session, may_manage_session
from .registrations import session_lock, waiting_list_promote

#: The fields of a session its trainers may change.
TRAINER_SESSION_FIELDS = ("place", "online_url", "capacity", "registration_deadline")
#: The fields a trainer sets on a new session of a course they teach; the prices, whether
#: members pay and the core-hours per attendee come from the course's latest session.
TRAINER_NEW_SESSION_FIELDS = ("starts_at", "ends_at", *TRAINER_SESSION_FIELDS, "is_published")
#: Every field of a session staff set (``trainers``: users holding the trainer role;
#: ``prices``: ``{organisation kind: EUR}``).
STAFF_SESSION_FIELDS = (
    "starts_at", "ends_at", "place", "online_url", "trainers", "capacity",
    "registration_deadline", "prices", "members_pay", "is_published",
    "core_hours_per_attendee",
)
#: Copied from the course's latest session to a session a trainer adds.
_INHERITED_FIELDS = ("prices", "members_pay", "core_hours_per_attendee")
#: The largest price of a session, EUR.
PRICE_MAX = Decimal("100000")


def clean_prices(prices: dict) -> tuple[dict[str, str], list[str]]:
    """Check ``prices`` (``{organisation kind: EUR as Decimal, str or number; None or ""
    for no price}``). Returns ``(prices to store: {kind: "90" or "12.5"}, error texts)``;
    a price is ≥ 0, below :data:`PRICE_MAX`, with at most two decimal places."""
    clean, errors = {}, []
    labels = dict(OrganisationKind.choices)
    for kind, value in (prices or {}).items():
        if kind not in labels:
            errors.append(_("Unknown kind of organisation: %(kind)s.") % {"kind": kind})
            continue
        if value is None or str(value).strip() == "":
            continue
        try:
            amount = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            amount = None
        if amount is None or not amount.is_finite() or amount < 0 or amount >= PRICE_MAX \
                or amount != amount.quantize(Decimal("0.01")):
            errors.append(_("%(kind)s: enter a price in euros, 0 or more, with at most two "
                            "decimal places.") % {"kind": labels[kind]})
            continue
        clean[kind] = format(amount.quantize(Decimal("0.01")).normalize(), "f")
    return clean, errors


def session_errors(session: Session, *, trainers=None, changed=()) -> dict[str, list[str]]:
    """The problems of ``session`` (unsaved values set on it): ``{field: [texts]}``, empty
    when it may be saved.

    ``trainers``: the users to make its trainers, or ``None`` when unchanged;
    ``changed``: the names of the fields whose value changes. Rules older sessions (from
    the administration) may break are checked only when their fields change: a
    registration deadline after the start, no place nor online link.
    """
    errors: dict[str, list[str]] = {}
    try:
        session.full_clean(exclude=["project"], validate_unique=False,
                           validate_constraints=False)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    dates = not {"starts_at", "ends_at", "registration_deadline"} & set(errors)
    if dates and session.ends_at <= session.starts_at:
        errors["ends_at"] = [_("The session must end after it starts.")]
    if (dates and {"starts_at", "registration_deadline"} & set(changed)
            and session.registration_deadline > session.starts_at):
        errors["registration_deadline"] = [_(
            "The registration deadline cannot come after the start of the session.")]
    if (not (session.place or session.online_url or {"place", "online_url"} & set(errors))
            and (session.pk is None or {"place", "online_url"} & set(changed))):
        errors["place"] = [_("Give a place or an online link.")]
    if "capacity" not in errors:
        taken = (Registration.objects.confirmed().filter(session=session).count()
                 if session.pk else 0)
        if session.capacity < max(taken, 1):
            errors["capacity"] = [
                _("%(taken)s seats are taken already: cancel registrations first.")
                % {"taken": taken} if taken else _("A session has at least one seat.")]
    if ("core_hours_per_attendee" not in errors
            and session.core_hours_per_attendee < 0):
        errors["core_hours_per_attendee"] = [_("This cannot be negative.")]
    if trainers is not None:
        holders = set(Trainer.objects.filter(user__in=trainers).values_list("user_id",
                                                                            flat=True))
        missing = [str(user) for user in trainers if user.pk not in holders]
        if missing:
            errors["trainers"] = [_("Not a trainer: %(people)s. Give them the role first.")
                                  % {"people": ", ".join(missing)}]
    return errors


def _apply(session: Session, data: dict, fields: tuple[str, ...]) -> tuple[dict, list | None,
                                                                         set[str]]:
    """Set the ``fields`` of ``data`` on ``session``; raise ``ValidationError`` for bad
    prices. Returns ``(the values set, the trainers or None, the names of the fields
    whose value changes)``."""
    values = {name: data[name] for name in fields if name in data}
    trainers = values.pop("trainers", None)
    if trainers is not None:
        trainers = list(trainers)
    if "prices" in values:
        values["prices"], price_errors = clean_prices(values["prices"])
        if price_errors:
            raise ValidationError({"prices": price_errors})
    changed = set()
    for name, value in values.items():
        value = value.strip() if isinstance(value, str) else value
        if session.pk is None or getattr(session, name) != value:
            changed.add(name)
        setattr(session, name, value)
    return values, trainers, changed


def _detail(values: dict, trainers) -> dict:
    detail = {name: str(value) for name, value in values.items()}
    if trainers is not None:
        detail["trainers"] = [user.pk for user in trainers]
    return detail


def session_create(*, course: Course, data: dict, actor) -> Session:
    """Add a session of ``course``.

    Staff set the :data:`STAFF_SESSION_FIELDS` of ``data``; a trainer who teaches a
    session of ``course`` sets the :data:`TRAINER_NEW_SESSION_FIELDS` and becomes its
    trainer, the rest coming from the course's latest session. Values: aware datetimes
    (``starts_at``, ``ends_at``, ``registration_deadline``), ``capacity`` (seats, ≥ 1),
    ``core_hours_per_attendee`` (Decimal, core-hours, ≥ 0), ``prices``
    (:func:`clean_prices`), ``trainers`` (users holding the trainer role).

    Raises ``PermissionDenied`` for anyone else; ``ValidationError`` (keyed by field)
    for bad values (:func:`session_errors`); nothing is written then.
    """
    if actor is None or not may_add_session(course=course, user=actor):
        raise PermissionDenied(_("Only staff and the course's trainers may add a session."))
    staff = is_verified_staff(actor)
    session = Session(course=course)
    if not staff:
        latest = (Session.objects.filter(course=course).order_by("-starts_at", "-pk")
                  .first())
        for name in _INHERITED_FIELDS if latest is not None else ():
            setattr(session, name, getattr(latest, name))
    fields = STAFF_SESSION_FIELDS if staff else TRAINER_NEW_SESSION_FIELDS
    values, trainers, changed = _apply(session, data, fields)
    if not staff:
        trainers = [actor]
    errors = session_errors(session, trainers=trainers, changed=changed)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        session.save()
        if trainers:
            session.trainers.set(trainers)
        audit_record(action="training.session_created", actor=actor, target=session,
                     detail=_detail(values, trainers))
    return session


def session_update(*, session: Session, data: dict, actor) -> Session:
    """Change ``session``: staff its :data:`STAFF_SESSION_FIELDS`, its trainers the
    :data:`TRAINER_SESSION_FIELDS` (other keys of ``data`` are ignored; fields left out
    keep their value). A larger capacity gives the new seats to the waiting list (told).

    Raises ``PermissionDenied`` for anyone else; ``ValidationError`` (keyed by field)
    for bad values (:func:`session_errors`: a capacity below the seats already taken, a
    deadline after the start…); nothing is written then.
    """
    if actor is None or not may_manage_session(session=session, user=actor):
        raise PermissionDenied(_("Only the session's trainers may change it."))
    fields = STAFF_SESSION_FIELDS if is_verified_staff(actor) else TRAINER_SESSION_FIELDS
    with transaction.atomic():
        session = session_lock(session)
        values, trainers, changed = _apply(session, data, fields)
        errors = session_errors(session, trainers=trainers, changed=changed)
        if errors:
            raise ValidationError(errors)
        session.save()
        if trainers is not None:
            session.trainers.set(trainers)
        audit_record(action="training.session_updated", actor=actor, target=session,
                     detail=_detail(values, trainers))
        waiting_list_promote(session, actor=actor)
    return session
