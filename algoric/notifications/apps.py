from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The notification outbox shared by every app."""

    name = "algoric.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Imported here: these modules import the models, which need the app registry
        # ready (Django's app loading).
        from algoric.core import registries

        from .models import NotificationCategory
        from .selectors import notification_personal_data
        from .services.preferences import notification_preferences_delete

        # The digest itself is always sent at once.
        registries.register_notification_events(NotificationCategory.ACCOUNT,
                                                mandatory=["notification_digest"])
        registries.register_personal_data("notification_preferences",
                                          notification_personal_data)
        registries.register_deletion_hook(notification_preferences_delete)
