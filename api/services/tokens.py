"""Creating, revoking and stamping personal access tokens.

A token is ``alg_<lookup>_<secret>``: ``lookup`` is 8 random characters stored in clear
to find the row, ``secret`` 32 random bytes (URL-safe base64, :func:`secrets.token_urlsafe`);
only the SHA-256 of the whole token is stored. Creating or revoking one is recorded in the
audit trail and the owner is told through the outbox.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.audit.models import AuditEvent
from algoric.audit.services import audit_record
from algoric.core.staff import is_verified_staff
from algoric.notifications.services.outbox import notify

from ..models import PersonalAccessToken, Scope
from ..models.tokens import LOOKUP_LENGTH, TOKEN_PREFIX, secret_hash

_LOOKUP_ALPHABET = string.ascii_lowercase + string.digits
#: Least time between two writes of a token's ``last_used_at`` (one UPDATE a minute at
#: most, not one per request).
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _new_token() -> tuple[str, str]:
    lookup = "".join(secrets.choice(_LOOKUP_ALPHABET) for _ in range(LOOKUP_LENGTH))
    return lookup, f"{TOKEN_PREFIX}{lookup}_{secrets.token_urlsafe(32)}"


def tokens_create(*, user, name: str, scopes: list[str], expires_days: int | None = None,
                  actor) -> tuple[PersonalAccessToken, str]:
    """Create a personal access token of ``user`` and return it with the token itself
    (the only time it exists in clear).

    ``scopes``: :class:`Scope` values (at least one); ``expires_days``: days from now
    (default ``API_TOKEN_DEFAULT_DAYS``, 1 to ``API_TOKEN_MAX_DAYS``). ``actor``: who
    creates it (the owner; ``None`` for a command). Raises ``ValidationError`` for an
    empty name, an unknown scope, an expiry out of range, the ``staff`` scope for someone
    who is not verified staff (TOTP), or an inactive owner.
    """
    name = (name or "").strip()
    days = settings.API_TOKEN_DEFAULT_DAYS if expires_days is None else expires_days
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the token a name.")]
    elif len(name) > 100:
        errors["name"] = [_("The name is longer than 100 characters.")]
    scopes = sorted(set(scopes or []))
    if not scopes:
        errors["scopes"] = [_("Choose at least one scope.")]
    elif any(scope not in Scope.values for scope in scopes):
        errors["scopes"] = [_("Unknown scope: use read, write or staff.")]
    elif Scope.STAFF in scopes and not is_verified_staff(user):
        errors["scopes"] = [_("Only staff with two-factor authentication may create a "
                              "token with the staff scope.")]
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        errors["expires_days"] = [_("A token lasts from 1 to %(max)s days.")
                                  % {"max": settings.API_TOKEN_MAX_DAYS}]
    if not user.is_active:
        errors["user"] = [_("This account is not active.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        lookup, token = _new_token()
        while PersonalAccessToken.objects.filter(lookup=lookup).exists():
            lookup, token = _new_token()
        row = PersonalAccessToken.objects.create(
            user=user, name=name, scopes=scopes, lookup=lookup, hash=secret_hash(token),
            created_at=now, expires_at=now + dt.timedelta(days=days))
        audit_record(action="api_token.created", category=AuditEvent.Category.SECURITY,
                     actor=actor, target=row,
                     detail={"name": name, "scopes": scopes, "expires_days": days,
                             "owner": user.pk})
        notify(event="api_token_created", recipient=user,
               context={"token": row, "scopes": ", ".join(scopes)})
    return row, token


def token_revoke(*, token: PersonalAccessToken, actor) -> PersonalAccessToken:
    """Revoke ``token`` now (idempotent: a revoked token stays revoked at its first time,
    and nothing is recorded again). Recorded in the audit trail; the owner is told."""
    with transaction.atomic():
        updated = PersonalAccessToken.objects.filter(
            pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        token.refresh_from_db()
        if updated:
            audit_record(action="api_token.revoked", category=AuditEvent.Category.SECURITY,
                         actor=actor, target=token,
                         detail={"name": token.name, "owner": token.user_id})
            notify(event="api_token_revoked", recipient=token.user, context={"token": token})
    return token


def token_touch(*, token: PersonalAccessToken) -> None:
    """Record that ``token`` was used now, at most once per :data:`LAST_USED_RESOLUTION`
    (a conditional UPDATE: no write, no lock, when it was stamped less than a minute ago)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


def tokens_delete_for_account_deletion(user) -> None:
    """Deletion step of an account (``algoric.core.registries.register_deletion_hook``):
    its tokens are deleted with it (they name it and could open the API)."""
    PersonalAccessToken.objects.filter(user=user).delete()
