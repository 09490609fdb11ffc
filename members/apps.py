from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    """People, organisations, memberships and agreements: the bottom of the app stack."""

    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        # Imported here: these modules need the app registry ready (Django's app loading).
        from algoric.core.page_cache import register_public_content

        from . import signals  # noqa: F401  (connects allauth's signals)
        from .models import Organisation

        # Public project pages and statistics name organisations and count them.
        register_public_content(Organisation, "projects")
