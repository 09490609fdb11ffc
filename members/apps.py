from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    """People, organisations, memberships and agreements: the bottom of the app stack."""

    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects allauth's signals)
