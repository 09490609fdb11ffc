from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Staff view of the outbox (read-only: messages are written by the services)."""

    list_display = ["created_at", "event", "email", "status", "attempts", "sent_at"]
    list_filter = ["status", "event", "language"]
    search_fields = ["email", "subject", "event"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False
