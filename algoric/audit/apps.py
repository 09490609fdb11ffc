from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit trail: staff actions and security events, append-only."""

    name = "algoric.audit"
    label = "audit"
    verbose_name = _("Audit trail")
