from django.contrib import admin

from .models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Staff view of the outbox (read-only: messages are written by the services)."""

    list_display = ["created_at", "event", "category", "email", "status", "attempts", "sent_at"]
    list_filter = ["status", "category", "event", "language"]
    search_fields = ["email", "subject", "event"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    """Staff view of each person's choices (read-only: only the person changes them, on
    their profile page)."""

    list_display = ["user", "category", "delivery", "updated_at"]
    list_filter = ["category", "delivery"]
    search_fields = ["user__email"]
    readonly_fields = [f.name for f in NotificationPreference._meta.fields]

    def has_add_permission(self, request):
        return False
