"""Each person's choice, per category, between every message as it comes and one weekly
digest."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import NotificationPreference
from ..selectors import notification_choice_categories

Delivery = NotificationPreference.Delivery


@transaction.atomic
def notification_preferences_set(*, user, choices: dict[str, str], actor) -> dict[str, str]:
    """Save ``user``'s delivery choice for each category in ``choices``.

    ``choices``: ``{category: "immediate" | "weekly"}``, categories among
    :func:`~algoric.notifications.selectors.notification_choice_categories`; categories
    not given keep their choice. Messages already held for the digest stay in the next
    digest. Only the person may change their choices (``PermissionDenied`` otherwise);
    an unknown category or delivery raises ``ValidationError`` and saves nothing.
    Returns the choices saved.
    """
    if actor is None or actor.pk != user.pk:
        raise PermissionDenied(_("Only the person may change how they receive messages."))
    categories = dict(notification_choice_categories())
    for category, delivery in choices.items():
        if category not in categories:
            raise ValidationError(_("Unknown category of messages: %(category)s.")
                                  % {"category": category})
        if delivery not in Delivery.values:
            raise ValidationError(_("Choose every message as it comes or one weekly digest."))
    for category, delivery in choices.items():
        NotificationPreference.objects.update_or_create(
            user=user, category=category, defaults={"delivery": delivery})
    return dict(choices)


def notification_preferences_delete(user) -> None:
    """Delete ``user``'s choices (a step of the account's deletion)."""
    NotificationPreference.objects.filter(user=user).delete()
