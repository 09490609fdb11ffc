"""Workflows: a plain status field, a transition table, and one function that moves it.

Every status change of the portal (memberships, agreements, resource requests) goes
through :func:`transition`, inside the caller's transaction: it locks the row, checks the
table, writes the new status with a conditional ``UPDATE … WHERE status = <old>`` (and,
when the model is versioned, ``AND version = <old>``), and writes the status-event row
(actor, from, to, note, time). Notifications are stored by the caller with
``algoric.notifications.services.notify`` in the same transaction; the outbox sends them
after commit (CONVENTIONS.md, habit 4).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .page_cache import model_changed


class TransitionError(ValidationError):
    """A workflow change that is not allowed from the current status, or that lost a race.

    Carries a message fit to show the person who asked for it.
    """


@dataclass(frozen=True)
class Transitioned:
    """What :func:`transition` did: ``instance`` (the row as saved) and the status it left."""

    instance: Any
    previous: str


def _event_foreign_key(event_model: type[models.Model], model: type[models.Model]) -> str:
    for field in event_model._meta.get_fields():
        if getattr(field, "many_to_one", False) and field.related_model is model:
            return field.name
    raise TypeError(f"{event_model.__name__} has no foreign key to {model.__name__}")


def transition(instance: models.Model, *, to: str, actor, allowed: Mapping[str, set[str]],
               event_model: type[models.Model], note: str = "",
               fields: Mapping[str, Any] | None = None, version_field: str | None = None,
               expected_version: int | None = None,
               refusal: Callable[[models.Model, str], str] | None = None,
               stale: str | None = None, conflict: str | None = None) -> Transitioned:
    """Move ``instance`` (a model with a ``status`` field) to the status ``to``.

    Arguments:
        to: the new status (a value of the model's ``Status`` choices).
        actor: the user who asked (``None`` for the system); stored on the event row.
        allowed: the transition table, ``{status: {statuses it may become}}``.
        event_model: the status-event model (fields ``actor``, ``from_status``,
            ``to_status``, ``note`` and one foreign key to the instance's model).
        note: free text kept on the event row.
        fields: other field values written with the status (``{"paid_on": date}``).
        version_field: the name of an integer field raised by one at each change
            (optimistic concurrency); ``expected_version`` is the version the actor
            saw, refused when it is no longer the current one.
        refusal: ``(locked_instance, to) -> message`` for a change the table forbids;
            by default "This change is not possible: the status is “<status>” and
            cannot become “<to>”."
        stale: the message when ``expected_version`` is no longer current;
        conflict: the message when another request changed the row first (each with a
            neutral default; a service passes its own to name the object).

    Fields with ``auto_now`` (``updated_at``) are set to now. Runs in a transaction (a
    savepoint inside the caller's) and returns :class:`Transitioned` with the fresh row.

    Raises :class:`TransitionError` when the table forbids the change, when the
    version moved on, or when another request changed the row between the lock and
    the write (possible only on databases without row locks, i.e. SQLite).
    """
    model = type(instance)
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=instance.pk)
        previous = locked.status
        status_field = model._meta.get_field("status")
        if to not in allowed.get(previous, ()):
            labels = dict(status_field.choices or ())
            raise TransitionError(
                refusal(locked, to) if refusal else
                _("This change is not possible: the status is “%(status)s” and cannot "
                  "become “%(to)s”.") % {"status": labels.get(previous, previous),
                                          "to": labels.get(to, to)})
        condition = {"pk": locked.pk, "status": previous}
        values: dict[str, Any] = {"status": to}
        if version_field is not None:
            current = getattr(locked, version_field)
            if expected_version is not None and expected_version != current:
                raise TransitionError(stale or _("This changed since you opened it. Reload "
                                                 "the page and try again."))
            condition[version_field] = current
            values[version_field] = F(version_field) + 1
        now = timezone.now()
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False):
                values[field.name] = now
        values.update(fields or {})
        if model.objects.filter(**condition).update(**values) != 1:
            raise TransitionError(conflict or _("Someone else changed this meanwhile. Reload "
                                                "the page."))
        locked.refresh_from_db()
        model_changed(model)  # public pages showing such rows are served again
        event_model.objects.create(**{_event_foreign_key(event_model, model): locked},
                                   actor=actor, from_status=previous, to_status=to, note=note)
    return Transitioned(instance=locked, previous=previous)
