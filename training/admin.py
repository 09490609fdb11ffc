"""The Django admin of training: courses, sessions, events (staff with TOTP)."""

from django.contrib import admin

from .models import Course, CourseLogin, Event, Feedback, Registration, Session, Trainer


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = ("starts_at", "ends_at", "place", "capacity", "registration_deadline",
              "is_published")


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "level", "language", "duration_hours")
    search_fields = ("title", "slug")
    inlines = [SessionInline]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("course", "starts_at", "ends_at", "capacity", "is_published", "project")
    list_filter = ("is_published",)
    filter_horizontal = ("trainers",)
    raw_id_fields = ("project",)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("session", "user", "status", "attended", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("session", "user", "attendance_marked_by")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "starts_at", "place", "participants", "is_published")
    list_filter = ("kind", "is_published")


@admin.register(Trainer)
class TrainerAdmin(admin.ModelAdmin):
    list_display = ("user", "granted_by", "granted_at")
    raw_id_fields = ("user", "granted_by")


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("registration", "rating", "created_at")


@admin.register(CourseLogin)
class CourseLoginAdmin(admin.ModelAdmin):
    list_display = ("login", "session", "disabled_at")
    readonly_fields = ("login", "session", "user", "created_at", "disabled_at")
