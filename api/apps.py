"""The API app: registers the token section of the profile page, the tokens' part of the
personal-data export, and their deletion with the account."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API")

    def ready(self):
        # Imported here: the registries' providers and the schema extensions need the
        # models loaded (Django's app loading).
        from algoric.core.registries import (
            ProfileSection,
            register_deletion_hook,
            register_notification_events,
            register_personal_data,
            register_profile_section,
        )
        from algoric.notifications.models import NotificationCategory as Category

        from . import schema  # noqa: F401  (registers the OpenAPI extensions)
        from .selectors.tokens import token_personal_data
        from .services.tokens import tokens_delete_for_account_deletion
        from .views.tokens import profile_section_context

        register_profile_section(ProfileSection(template="api/profile_tokens.html",
                                                context=profile_section_context))
        register_personal_data("api_tokens", token_personal_data)
        register_deletion_hook(tokens_delete_for_account_deletion)
        # A token made or revoked is a security message: always sent at once.
        register_notification_events(Category.ACCOUNT,
                                     mandatory=["api_token_created", "api_token_revoked"])
