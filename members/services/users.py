"""Writes of the members app."""

from typing import Any

from django.db import transaction

from ..models import User

PROFILE_FIELDS = ("first_name", "last_name", "language", "cluster_login")


@transaction.atomic
def user_update_profile(*, user: User, data: dict[str, Any]) -> User:
    """Save the profile fields of ``user`` found in ``data`` (cleaned form data).

    Only ``first_name``, ``last_name``, ``language`` and ``cluster_login`` are
    written; any other key is ignored.
    """
    changed = [field for field in PROFILE_FIELDS if field in data]
    for field in changed:
        setattr(user, field, data[field])
    user.save(update_fields=changed)
    return user
