"""Personal access tokens: a member's key to the API, with scopes and an expiry."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

#: Every token starts with this, so a leaked one is recognised by secret scanners.
TOKEN_PREFIX = "alg_"  # noqa: S105  (a public prefix, not a secret)
#: Characters of the public part stored in clear to find a token (after ``alg_``).
LOOKUP_LENGTH = 8


def secret_hash(token: str) -> str:
    """The SHA-256 of the whole ``token`` (UTF-8) as 64 hexadecimal digits: what is
    stored instead of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Scope(models.TextChoices):
    """What a token may do: read (GET), write (create, edit, submit), staff (the staff's
    endpoints; only for verified staff)."""

    READ = "read", pgettext_lazy("API token scope", "read")
    WRITE = "write", pgettext_lazy("API token scope", "write")
    STAFF = "staff", pgettext_lazy("API token scope", "staff")


class TokenQuerySet(models.QuerySet):
    def usable(self, *, now=None):
        """Tokens neither revoked nor expired at ``now`` (default: now)."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class PersonalAccessToken(models.Model):
    """A personal access token of ``user``.

    The token itself (``alg_<lookup>_<secret>``) is shown once; ``lookup`` (8 characters)
    finds the row and ``hash`` (SHA-256 of the whole token) proves it. ``scopes``: a list
    of :class:`Scope` values.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"),
                             on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    scopes = models.JSONField(_("scopes"), default=list)
    lookup = models.CharField(max_length=16, unique=True)
    hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = TokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("personal access token")
        verbose_name_plural = _("personal access tokens")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")),
                                   name="api_token_expires_after_creation"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({TOKEN_PREFIX}{self.lookup}…)"

    @property
    def is_usable(self) -> bool:
        """Neither revoked nor expired now."""
        return self.revoked_at is None and self.expires_at > timezone.now()

    def has_scope(self, scope: str) -> bool:
        """Whether ``scope`` (a :class:`Scope` value) is among the token's scopes."""
        return scope in (self.scopes or [])
