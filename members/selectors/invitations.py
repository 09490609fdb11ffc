"""Reads on invitations, shared by every kind of invitation (organisation, project)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db.models import Model


def invitation_address_matches(*, invitation: Model, user) -> bool:
    """Whether ``user`` has a verified address equal (case aside) to the one ``invitation``
    (any invitation row with an ``email`` field) was sent to: only then may they accept it.
    One query."""
    return EmailAddress.objects.filter(user=user, email__iexact=invitation.email,
                                       verified=True).exists()
