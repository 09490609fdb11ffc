"""Template context shared by every page."""

from .models import Notification


def unread_notifications(request) -> dict:
    """``unread_notification_count`` for the signed-in user (lazy: one query if used)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        return Notification.objects.filter(
            recipient=user, in_inbox=True, read_at__isnull=True
        ).count()

    return {"unread_notification_count": count}
