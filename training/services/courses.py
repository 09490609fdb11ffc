"""Courses (staff write them), the trainer role, and a session's course account (its
training project in Slurm)."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.staff import require_staff
from projects.models import Allocation, Field, Project
from projects.services.projects import slurm_account_propose
from resources.models import Resource, ResourceKind

from ..models import Course, Session, Topic, Trainer
from ..selectors.slurm import access_window

#: The course fields staff set through :func:`course_save` (no mass assignment).
COURSE_FIELDS = ("slug", "title", "summary", "level", "language", "duration_hours",
                 "prerequisites", "topics")


def course_save(*, course: Course | None, data: dict, actor) -> Course:
    """Create a course (``course=None``) or change ``course``; staff only.

    ``data``: the :data:`COURSE_FIELDS` (other keys ignored; fields left out keep their
    value, or the model default): ``slug`` (unique, lower-case letters, digits, dashes),
    ``duration_hours`` (Decimal, hours of one session, > 0), ``topics`` (a list of
    :class:`~training.models.Topic` values), ``level`` and ``language`` among their choices.

    Raises ``PermissionDenied`` for anyone but verified staff; ``ValidationError`` (keyed
    by field) for bad values or a short name already taken; nothing is written then.
    """
    require_staff(actor)
    with transaction.atomic():
        instance = (Course() if course is None
                    else Course.objects.select_for_update().get(pk=course.pk))
        values = {name: data[name] for name in COURSE_FIELDS if name in data}
        for name, value in values.items():
            setattr(instance, name, value.strip() if isinstance(value, str) else value)
        if "slug" in values:
            instance.slug = instance.slug.lower()
        errors: dict[str, list[str]] = {}
        try:
            instance.full_clean(validate_constraints=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if "duration_hours" not in errors and instance.duration_hours <= 0:
            errors["duration_hours"] = [_("A session lasts more than zero hours.")]
        topics = instance.topics if isinstance(instance.topics, list) else [None]
        if any(topic not in Topic.values for topic in topics):
            errors.setdefault("topics", []).append(_("Choose topics from the list."))
        if errors:
            raise ValidationError(errors)
        instance.topics = [topic for topic in Topic.values if topic in topics]
        try:
            with transaction.atomic():
                instance.save()
        except IntegrityError as exc:  # the same short name saved meanwhile
            raise ValidationError({"slug": [_("A course with this short name already "
                                              "exists.")]}) from exc
        audit_record(action="training.course_created" if course is None
                     else "training.course_updated", actor=actor, target=instance,
                     detail={name: str(value) for name, value in values.items()})
    return instance


def trainer_grant(*, user, actor) -> Trainer:
    """Give ``user`` the trainer role (staff only; idempotent). Raises
    ``PermissionDenied`` for anyone but verified staff."""
    require_staff(actor)
    with transaction.atomic():
        trainer, created = Trainer.objects.get_or_create(user=user,
                                                         defaults={"granted_by": actor})
        if created:
            audit_record(action="training.trainer_granted", actor=actor, target=user)
    return trainer


def trainer_revoke(*, user, actor) -> None:
    """Take the trainer role from ``user`` (staff only; nothing when they had none)."""
    require_staff(actor)
    with transaction.atomic():
        deleted, _rows = Trainer.objects.filter(user=user).delete()
        if deleted:
            audit_record(action="training.trainer_revoked", actor=actor, target=user)


def _seats(session: Session) -> int:
    return session.capacity + session.course_logins.count()


def session_course_account_open(*, session: Session, organisation, resource: Resource,
                                actor) -> Project:
    """Give ``session`` a course account: an active training project of ``organisation``
    (the centre's own, usually) with a Slurm account made from the course and the date,
    and an allocation on ``resource`` (a CPU resource mapped to a Slurm cluster) of
    ``core_hours_per_attendee`` × (capacity + course logins) core-hours, from the session's
    start day to the end of its access window. Called again, it updates the allocation's
    amount (more course logins) and keeps the project. Staff only.

    The project and allocation are written here rather than through ``projects``'
    services, which serve a PI's request and a staff decision; a training project has
    neither. Raises ``PermissionDenied`` (not staff) or ``ValidationError`` (no core-hours
    per attendee, a resource that is not a CPU resource of a cluster).
    """
    require_staff(actor)
    if session.core_hours_per_attendee <= 0:
        raise ValidationError(_("Set the core-hours per attendee of the session first."))
    if resource.kind != ResourceKind.CPU or not resource.slurm_cluster:
        raise ValidationError(_("Choose a CPU resource of a Slurm cluster."))
    start, end = access_window(session)
    first_day = timezone.localtime(start).date()
    last_day = timezone.localtime(end).date()
    amount = (session.core_hours_per_attendee * _seats(session)).to_integral_value(
        rounding=ROUND_CEILING)
    with transaction.atomic():
        session = (Session.objects.select_for_update(of=("self",))
                   .select_related("course", "project").get(pk=session.pk))
        project = session.project
        if project is None:
            acronym = f"{session.course.slug}-{first_day:%Y%m%d}"[:30]
            project = Project.objects.create(
                title=_("Training: %(course)s") % {"course": session.course.title},
                acronym=acronym, summary=session.course.summary[:4000],
                field=Field.EDUCATION, organisation=organisation, starts_on=first_day,
                ends_on=last_day, slurm_account=slurm_account_propose(acronym=acronym),
                status=Project.Status.ACTIVE, created_by=actor)
            session.project = project
            session.save(update_fields=["project"])
        allocation, _created = Allocation.objects.update_or_create(
            project=project, resource=resource, year=first_day.year,
            defaults={"amount": Decimal(amount), "starts_on": first_day,
                      "ends_on": max(last_day, first_day)})
        audit_record(action="training.course_account_opened", actor=actor, target=session,
                     detail={"project": project.slurm_account,
                             "core_hours": str(allocation.amount)})
    return project

