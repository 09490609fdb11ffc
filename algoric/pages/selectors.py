"""Reads of the pages app."""

from django.db.models import QuerySet

from .models import Page


def page_menu() -> QuerySet[Page]:
    """Pages shown in the main menu, in menu order (``menu_order`` > 0)."""
    return Page.objects.filter(menu_order__gt=0).only("slug", "title_fr", "title_en",
                                                      "menu_order")
