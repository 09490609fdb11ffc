"""Signed invitation links, shared by every kind of invitation (organisation, project).

An invitation row has ``email``, ``expires_at``, ``accepted_at`` and ``revoked_at``; its link
carries ``{"invitation": <pk>}`` signed with ``SECRET_KEY`` and a salt proper to the kind.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..selectors.invitations import invitation_address_matches


def signed_invitation_get(*, token: str, salt: str, queryset: QuerySet) -> Model:
    """The open invitation a link's token designates (no write).

    ``token``: the signed string of the link; ``salt``: the salt it was signed with;
    ``queryset``: the invitations to look in (with the ``select_related`` the caller needs).
    A token is valid ``settings.INVITATION_VALID_DAYS`` days. Raises ``ValidationError``
    for a forged, expired, revoked or already used link, with a message for the person
    who clicked it.
    """
    max_age = timedelta(days=settings.INVITATION_VALID_DAYS)
    invalid = _("This invitation link is not valid or has expired. Ask for a new invitation.")
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
        invitation = queryset.get(pk=payload["invitation"])
    except (signing.BadSignature, queryset.model.DoesNotExist, KeyError, TypeError) as exc:
        raise ValidationError(invalid) from exc
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."))
    if invitation.revoked_at is not None or invitation.expires_at <= timezone.now():
        raise ValidationError(invalid)
    return invitation


def invitation_lock_for_acceptance(*, invitation: Model, user) -> Model:
    """Lock ``invitation``'s row and check that ``user`` may accept it; return the locked row.

    Call inside a transaction. Raises ``ValidationError`` when the invitation was used,
    revoked or expired since it was read (the checks of :func:`signed_invitation_get`,
    made again on the locked row), or when ``user`` has no verified address equal to the
    invited one.
    """
    invitation = type(invitation).objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."))
    if invitation.revoked_at is not None or invitation.expires_at <= timezone.now():
        raise ValidationError(
            _("This invitation link is not valid or has expired. Ask for a new invitation."))
    if not invitation_address_matches(invitation=invitation, user=user):
        raise ValidationError(
            _("This invitation was sent to %(email)s. Sign in with that address (verified) "
              "to accept it.") % {"email": invitation.email}
        )
    return invitation
