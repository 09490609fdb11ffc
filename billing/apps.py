from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    """Quotes, invoices, payments and receipts: above ``projects`` in the app stack."""

    name = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        # Imported here: these modules import the models, which need the app registry
        # ready (Django's app loading).
        from algoric.core import registries
        from algoric.notifications.models import NotificationCategory as Category

        from . import checks  # noqa: F401  (registers the deployment check)
        from .demo import demo_billing
        from .selectors.invoices import staff_dashboard_billing

        registries.register_demo_builder("billing", demo_billing, order=50)
        registries.register_dashboard_section(registries.DashboardSection(
            template="billing/staff/_dashboard_billing.html",
            context=lambda request: staff_dashboard_billing(), order=20))
        # Notifications: an invoice issued and the reminders of an overdue one follow the
        # person's choice for invoices (a weekly digest is enough for a reminder).
        registries.register_notification_events(
            Category.INVOICES, events=["invoice_issued", "invoice_overdue"])
