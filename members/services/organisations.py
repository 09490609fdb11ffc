"""Writes on organisations, their people and invitations."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.staff import is_verified_staff
from algoric.notifications.services import notify

from ..models import Invitation, Organisation, OrganisationMember, User
from ..models.organisations import KINDS_WITH_RESEARCH_CODE, KINDS_WITH_SIRET, OrganisationKind
from ..selectors.permissions import require_representative
from .invitations import invitation_lock_for_acceptance, signed_invitation_get
from .memberships import membership_open_if_fee_known

Role = OrganisationMember.Role
INVITATION_SALT = "members.invitation"
ORGANISATION_FIELDS = ("kind", "name", "siret", "research_code", "vat_number",
                       "chorus_service_code", "purchase_order_number", "usage_invoicing",
                       "address", "postal_code",
                       "city", "country", "website", "contact_email", "language")


def _check_identifiers(data: dict) -> None:
    kind = data.get("kind")
    errors = {}
    if kind in KINDS_WITH_SIRET and not data.get("siret"):
        errors["siret"] = _("A SIRET number is required for a company.")
    if data.get("research_code") and kind not in KINDS_WITH_RESEARCH_CODE:
        errors["research_code"] = _("Only laboratories and schools give an RNSR or UAI code.")
    if data.get("chorus_service_code") and kind != OrganisationKind.PUBLIC_BODY:
        errors["chorus_service_code"] = _("Only public bodies give a Chorus Pro service code.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def organisation_create(*, data: dict, actor: User) -> Organisation:
    """Create an organisation from cleaned form ``data``; ``actor`` becomes its representative.

    Opens the membership of the current year when a fee is set for its kind.
    Raises ``ValidationError`` for a missing SIRET, a code that does not fit the
    kind, or a SIRET already registered (``{"siret": …}``).
    """
    values = {field: data[field] for field in ORGANISATION_FIELDS if field in data}
    values["siret"] = values.get("siret", "").replace(" ", "")
    values["research_code"] = values.get("research_code", "").strip().upper()
    _check_identifiers(values)
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(**values, created_by=actor)
    except IntegrityError as exc:
        if "siret" in str(exc).lower():
            raise ValidationError(
                {"siret": _("An organisation with this SIRET number is already registered. "
                            "Ask its representative to invite you.")}
            ) from exc
        raise
    OrganisationMember.objects.create(organisation=organisation, user=actor,
                                      role=Role.REPRESENTATIVE)
    membership_open_if_fee_known(organisation=organisation, year=timezone.localdate().year)
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, data: dict, actor: User) -> Organisation:
    """Save changes to an organisation's details. Only representatives (or staff) may.

    The kind cannot change once an agreement exists. Raises ``PermissionDenied`` or
    ``ValidationError``.
    """
    if not is_verified_staff(actor):
        require_representative(organisation=organisation, user=actor)
    values = {field: data[field] for field in ORGANISATION_FIELDS if field in data}
    if "siret" in values:
        values["siret"] = values["siret"].replace(" ", "")
    if "research_code" in values:
        values["research_code"] = values["research_code"].strip().upper()
    merged = {**{f: getattr(organisation, f) for f in ORGANISATION_FIELDS}, **values}
    _check_identifiers(merged)
    if merged["kind"] != organisation.kind and organisation.agreements.exists():
        raise ValidationError({"kind": _("The kind cannot change once an agreement exists.")})
    for field, value in values.items():
        setattr(organisation, field, value)
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"siret": _("An organisation with this SIRET number is already registered.")}
        ) from exc
    if is_verified_staff(actor) and not organisation.members.filter(
            user=actor, role=Role.REPRESENTATIVE).exists():
        audit_record(action="organisation.updated", actor=actor, target=organisation,
                     detail={"fields": sorted(values)})
    return organisation


def _representative_count(organisation: Organisation) -> int:
    return organisation.members.filter(role=Role.REPRESENTATIVE).count()


@transaction.atomic
def organisation_member_set_role(*, member: OrganisationMember, role: str,
                                 actor: User) -> OrganisationMember:
    """Change a person's role. Only representatives may; the last one cannot step down.

    Raises ``PermissionDenied`` or ``ValidationError``.
    """
    organisation = Organisation.objects.select_for_update().get(pk=member.organisation_id)
    require_representative(organisation=organisation, user=actor)
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    member = OrganisationMember.objects.select_for_update().get(pk=member.pk)
    if (member.role == Role.REPRESENTATIVE and role != Role.REPRESENTATIVE
            and _representative_count(organisation) == 1):
        raise ValidationError(_("The organisation must keep at least one representative."))
    member.role = role
    member.save(update_fields=["role"])
    return member


@transaction.atomic
def organisation_member_remove(*, member: OrganisationMember, actor: User) -> None:
    """Remove a person from an organisation (a representative's act, or leaving oneself).

    The last representative can neither leave nor be removed. Raises
    ``PermissionDenied`` or ``ValidationError``.
    """
    organisation = Organisation.objects.select_for_update().get(pk=member.organisation_id)
    if member.user_id != actor.pk:
        require_representative(organisation=organisation, user=actor)
    member = OrganisationMember.objects.select_for_update().get(pk=member.pk)
    if member.role == Role.REPRESENTATIVE and _representative_count(organisation) == 1:
        raise ValidationError(_("The last representative cannot leave the organisation. "
                                "Name another representative first."))
    member.delete()


def invitation_token(invitation: Invitation) -> str:
    """The signed token of an invitation's link (HMAC of its id with ``SECRET_KEY``)."""
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    """The absolute link that accepts ``invitation``."""
    return settings.SITE_URL.rstrip("/") + reverse(
        "members:invitation_accept", args=[invitation_token(invitation)]
    )


def invitation_from_token(token: str) -> Invitation:
    """The invitation a token designates. Raises ``ValidationError`` for a forged, expired,
    revoked or already used link (with a message for the person who clicked it)."""
    return signed_invitation_get(
        token=token, salt=INVITATION_SALT,
        queryset=Invitation.objects.select_related("organisation"),
    )


@transaction.atomic
def invitation_create(*, organisation: Organisation, email: str, role: str,
                      actor: User) -> Invitation:
    """Invite ``email`` to join ``organisation`` as ``role`` and email the link.

    Only representatives may invite. Raises ``ValidationError`` when the person is
    already a member or already has an open invitation.
    """
    require_representative(organisation=organisation, user=actor)
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    email = email.strip()
    if organisation.members.filter(user__email__iexact=email).exists():
        raise ValidationError(_("This person is already a member of the organisation."))
    if organisation.invitations.open().filter(email__iexact=email).exists():
        raise ValidationError(_("An invitation is already waiting for this address."))
    invitation = Invitation.objects.create(
        organisation=organisation, email=email, role=role, invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    recipient = User.objects.filter(email__iexact=email).first()
    notify(
        event="organisation_invitation",
        recipient=recipient,
        email=None if recipient else email,
        language=recipient.language if recipient else organisation.language,
        context={"invitation": invitation, "organisation": organisation, "inviter": actor,
                 "accept_url": invitation_url(invitation),
                 "role": invitation.get_role_display(),
                 "valid_days": settings.INVITATION_VALID_DAYS},
        in_inbox=False,
    )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> OrganisationMember:
    """Accept the invitation of ``token`` as ``user``: they join with the invited role.

    Single use: the row is locked and marked accepted. The signed-in person's
    verified address must be the invited one. Raises ``ValidationError``.
    """
    invitation = invitation_lock_for_acceptance(invitation=invitation_from_token(token),
                                                user=user)
    member, created = OrganisationMember.objects.get_or_create(
        organisation=invitation.organisation, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return member


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> None:
    """Revoke an open invitation (representatives only); its link stops working."""
    require_representative(organisation=invitation.organisation, user=actor)
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        revoked_at=timezone.now()
    )
