"""Events of the public agenda (conferences, forums, seminars, school visits, open days):
staff write them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.staff import require_staff

from ..models import Event

#: The event fields staff set through :func:`event_save` (no mass assignment).
EVENT_FIELDS = ("kind", "title", "description", "starts_at", "ends_at", "place", "audience",
                "registration_url", "participants", "is_published")


def event_save(*, event: Event | None, data: dict, actor) -> Event:
    """Create an event (``event=None``) or change ``event``; staff only.

    ``data``: the :data:`EVENT_FIELDS` (other keys ignored; fields left out keep their
    value, or the model default): ``kind`` among :class:`Event.Kind`, ``starts_at`` and
    ``ends_at`` aware datetimes (the end after the start), ``participants`` how many
    people came (≥ 0, filled afterwards), ``registration_url`` an http(s) link or blank.

    Raises ``PermissionDenied`` for anyone but verified staff; ``ValidationError`` (keyed
    by field) for bad values; nothing is written then.
    """
    require_staff(actor)
    with transaction.atomic():
        instance = (Event() if event is None
                    else Event.objects.select_for_update().get(pk=event.pk))
        values = {name: data[name] for name in EVENT_FIELDS if name in data}
        for name, value in values.items():
            setattr(instance, name, value.strip() if isinstance(value, str) else value)
        errors: dict[str, list[str]] = {}
        try:
            instance.full_clean(validate_constraints=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if (not {"starts_at", "ends_at"} & set(errors) and instance.starts_at
                and instance.ends_at and instance.ends_at <= instance.starts_at):
            errors["ends_at"] = [_("The event must end after it starts.")]
        if errors:
            raise ValidationError(errors)
        instance.save()
        audit_record(action="training.event_created" if event is None
                     else "training.event_updated", actor=actor, target=instance,
                     detail={name: str(value) for name, value in values.items()})
    return instance
