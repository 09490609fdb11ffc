from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The notification outbox shared by every app."""

    name = "algoric.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
