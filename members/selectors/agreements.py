"""Reads on agreements and their terms."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ..models import Agreement, AgreementEvent, TermsTemplate, User


def agreement_for_user(*, user: User, pk: int) -> Agreement:
    """The agreement ``pk`` if ``user`` belongs to its organisation (or is staff); else 404."""
    agreement = (Agreement.objects.visible_to(user).select_related("organisation", "terms")
                 .filter(pk=pk).first())
    if agreement is None:
        raise Http404
    return agreement


def agreement_history(*, agreement: Agreement) -> QuerySet[AgreementEvent]:
    """The status events of ``agreement``, oldest first, with their actors."""
    return agreement.events.select_related("actor").order_by("created_at", "pk")


def terms_current(*, kind: str) -> TermsTemplate:
    """The latest published terms for ``kind`` (an ``OrganisationKind`` value).

    Raises ``ValidationError`` (a message for the representative) when none is published.
    """
    terms = TermsTemplate.objects.filter(kind=kind, is_published=True).order_by(
        "-version").first()
    if terms is None:
        raise ValidationError(_("No agreement terms are published for this kind of "
                                "organisation yet. Please contact the association."))
    return terms


def terms_in_use(*, terms: TermsTemplate) -> bool:
    """Whether an agreement (of any status) was made under ``terms``."""
    return terms.agreements.exists()
