from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only view of the audit trail (nothing can be added, changed or deleted)."""

    list_display = ["created_at", "category", "action", "actor_label", "target_label", "ip"]
    list_filter = ["category", "action"]
    search_fields = ["actor_label", "target_label", "action", "ip"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
