"""Reads of personal access tokens: by the token a client presents, a member's list,
one token of a member."""

from __future__ import annotations

import hmac

from django.http import Http404

from ..models import PersonalAccessToken
from ..models.tokens import LOOKUP_LENGTH, TOKEN_PREFIX, secret_hash


def token_for_secret(token: str) -> PersonalAccessToken | None:
    """The token row (with its user) that ``token`` (``alg_<lookup>_<secret>``) proves,
    revoked or expired ones included (the caller says why it refuses), or ``None``.

    One query: the row is found by its clear ``lookup``, then the stored and computed
    SHA-256 are compared in constant time (:func:`hmac.compare_digest`).
    """
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    lookup = token[len(TOKEN_PREFIX):len(TOKEN_PREFIX) + LOOKUP_LENGTH]
    if len(lookup) != LOOKUP_LENGTH:
        return None
    row = PersonalAccessToken.objects.select_related("user").filter(lookup=lookup).first()
    if row is None:
        return None
    if not hmac.compare_digest(row.hash.encode("ascii"), secret_hash(token).encode("ascii")):
        return None
    return row


def tokens_of(*, user) -> list[PersonalAccessToken]:
    """Every token of ``user``, newest first (revoked and expired ones too). One query."""
    return list(PersonalAccessToken.objects.filter(user=user).order_by("-created_at", "-pk"))


def token_for_user(*, user, pk: int) -> PersonalAccessToken:
    """Token ``pk`` if it belongs to ``user``; ``Http404`` otherwise (another member's
    token is not revealed)."""
    token = PersonalAccessToken.objects.filter(user=user, pk=pk).first()
    if token is None:
        raise Http404
    return token


def token_personal_data(user) -> list[dict]:
    """The tokens of ``user`` for the personal-data export (never the token itself)."""
    return [{"name": t.name, "scopes": t.scopes, "created_at": t.created_at.isoformat(),
             "expires_at": t.expires_at.isoformat(),
             "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
             "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None}
            for t in tokens_of(user=user)]
