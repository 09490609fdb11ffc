"""Writes of the pages app."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from algoric.audit.services import audit_record
from algoric.core.page_cache import content_changed

from .models import Page

EDITABLE_FIELDS = ("title_fr", "title_en", "body_fr", "body_en", "menu_order")


class StaleEditError(Exception):
    """The page changed since the editor loaded it; their edit would overwrite it."""


@transaction.atomic
def page_update(*, page: Page, data: dict, version: int, actor) -> Page:
    """Save an edit of ``page`` made on ``version`` of it, by staff member ``actor``.

    Only the fields in :data:`EDITABLE_FIELDS` are written. The update is
    conditional on the stored version still being ``version``; raises
    :class:`StaleEditError` otherwise (someone saved in between).
    """
    values = {field: data[field] for field in EDITABLE_FIELDS if field in data}
    updated = Page.objects.filter(pk=page.pk, version=version).update(
        **values, version=F("version") + 1, updated_by=actor, updated_at=timezone.now()
    )
    if not updated:
        raise StaleEditError
    page.refresh_from_db()
    content_changed("pages")  # its public page is served again at once
    audit_record(action="page.updated", actor=actor, target=page,
                 detail={"fields": sorted(values), "version": page.version})
    return page
