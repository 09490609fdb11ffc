from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    """The centre's machines, catalogue and accounting: the middle of the app stack."""

    name = "resources"
    verbose_name = _("Resources")
