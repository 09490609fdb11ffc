from django.contrib import admin

from .models import Page


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    """Admin list of pages; editing is done on the portal's staff page editor."""

    list_display = ["slug", "title_fr", "title_en", "menu_order", "version", "updated_at"]
    readonly_fields = ["version", "updated_at", "updated_by"]
