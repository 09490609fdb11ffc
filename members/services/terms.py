"""Writes on agreement terms (the contract text per kind of organisation and version).

A version that an agreement uses is frozen: the agreement was made under that text.
Staff then write a new version, which applies to new drafts and renewals once it
is published.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.staff import require_staff
from algoric.core.workflow import TransitionError

from ..models import OrganisationKind, TermsTemplate
from ..selectors.agreements import terms_in_use

#: The text fields of a terms version, as given in ``data``.
TERMS_FIELDS = ("title_fr", "title_en", "body_fr", "body_en")


def _clean(data: dict) -> dict[str, str]:
    values = {name: (data.get(name) or "").strip() for name in TERMS_FIELDS}
    errors = {name: [_("This field is required.")] for name, value in values.items()
              if not value}
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def terms_create_version(*, kind: str, data: dict | None = None, actor) -> TermsTemplate:
    """Create the next, unpublished version of the terms of ``kind``.

    Args:
        kind: an :class:`OrganisationKind` value.
        data: ``title_fr``, ``title_en``, ``body_fr``, ``body_en`` (Markdown); when
            ``None`` or empty, the text is copied from the latest version of ``kind``.
        actor: the staff member; recorded as ``updated_by``.

    The version number is the highest of ``kind`` plus one (1 for the first).
    Raises ``PermissionDenied`` for non-staff, ``ValidationError`` for an unknown
    kind, a missing text, or no data and no version to copy; a concurrent creation
    of the same number is refused with ``ValidationError`` too.
    """
    require_staff(actor)
    if kind not in OrganisationKind.values:
        raise ValidationError({"kind": [_("Unknown kind of organisation.")]})
    latest = TermsTemplate.objects.filter(kind=kind).order_by("-version").first()
    if not data:
        if latest is None:
            raise ValidationError(_("There is no version to copy yet: write the first one."))
        data = {name: getattr(latest, name) for name in TERMS_FIELDS}
    values = _clean(data)
    number = (TermsTemplate.objects.filter(kind=kind).aggregate(top=Max("version"))["top"]
              or 0) + 1
    try:
        with transaction.atomic():
            terms = TermsTemplate.objects.create(kind=kind, version=number,
                                                 is_published=False, updated_by=actor,
                                                 **values)
    except IntegrityError as exc:
        raise ValidationError(_("Someone created a version at the same time. Reload the "
                                "page and try again.")) from exc
    audit_record(action="terms.created", actor=actor, target=terms,
                 detail={"kind": kind, "version": number})
    return terms


@transaction.atomic
def terms_update(*, terms: TermsTemplate, data: dict, actor,
                 seen_updated_at: dt.datetime | None = None) -> TermsTemplate:
    """Change the text of a terms version that no agreement uses yet.

    Args:
        terms: the version to change.
        data: ``title_fr``, ``title_en``, ``body_fr``, ``body_en`` (Markdown).
        actor: the staff member; recorded as ``updated_by``.
        seen_updated_at: the ``updated_at`` the editor loaded; when given and the row
            changed since, the edit is refused (no silent overwrite).

    Raises ``PermissionDenied`` for non-staff, :class:`TransitionError` when an
    agreement uses the version (create a new version instead) or when someone
    saved it meanwhile, ``ValidationError`` for a missing text.
    """
    require_staff(actor)
    locked = TermsTemplate.objects.select_for_update().get(pk=terms.pk)
    if terms_in_use(terms=locked):
        raise TransitionError(_("Agreements use version %(version)s of these terms: it can no "
                                "longer change. Create a new version instead.")
                              % {"version": locked.version})
    if seen_updated_at is not None and locked.updated_at != seen_updated_at:
        raise TransitionError(_("Someone saved these terms while you were editing them. "
                                "Your changes were not saved: reload the page."))
    for name, value in _clean(data).items():
        setattr(locked, name, value)
    locked.updated_by = actor
    locked.save()
    audit_record(action="terms.updated", actor=actor, target=locked,
                 detail={"kind": locked.kind, "version": locked.version})
    return locked


@transaction.atomic
def terms_publish(*, terms: TermsTemplate, actor) -> TermsTemplate:
    """Publish a terms version: new agreements of its kind use the latest published one.

    Raises ``PermissionDenied`` for non-staff and :class:`TransitionError` when the
    version is already published.
    """
    require_staff(actor)
    locked = TermsTemplate.objects.select_for_update().get(pk=terms.pk)
    if locked.is_published:
        raise TransitionError(_("Version %(version)s is already published.")
                              % {"version": locked.version})
    locked.is_published = True
    locked.updated_by = actor
    locked.save(update_fields=["is_published", "updated_by", "updated_at"])
    audit_record(action="terms.published", actor=actor, target=locked,
                 detail={"kind": locked.kind, "version": locked.version})
    return locked
