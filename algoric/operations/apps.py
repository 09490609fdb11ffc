from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running the portal: health check, worker heartbeat, backup and restore."""

    name = "algoric.operations"
    label = "operations"
    verbose_name = _("Operations")
