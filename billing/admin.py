"""Billing in the Django admin: read-only (every write goes through the services, which
number, freeze and audit)."""

from django.contrib import admin

from .models import Invoice, InvoiceLine, Payment, Quote


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never changed from the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "organisation", "status", "issued_on", "total_gross"]
    list_filter = ["kind", "status"]
    search_fields = ["number", "organisation__name"]
    inlines = [LineInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "amount", "paid_on", "method", "reference"]


@admin.register(Quote)
class QuoteAdmin(ReadOnlyAdmin):
    list_display = ["number", "organisation", "status", "issued_on", "total_gross"]
