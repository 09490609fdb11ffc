from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    """People, organisations, memberships and agreements: the bottom of the app stack."""

    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        # Imported here: the signals and the registries' callers need the app registry
        # ready (Django's app loading).
        from algoric.core.page_cache import register_public_content
        from algoric.core.registries import register_notification_events
        from algoric.core.table_versions import register_quiet_columns
        from algoric.notifications.models import NotificationCategory as Category

        from . import signals  # noqa: F401  (connects allauth's signals)
        from .adapter import ALLAUTH_EVENTS
        from .models import Organisation, User

        # Shown on no kept page (the Django admin and the personal-data export are not kept).
        register_quiet_columns(User._meta.db_table, "last_login")

        # Public project pages and statistics name organisations and count them.
        register_public_content(Organisation, "projects")

        # Agreements and membership; agreements to sign or countersign, and the ends of
        # an agreement (access refused), are always sent at once.
        register_notification_events(Category.MEMBERSHIP, events=[
            "agreement_submitted", "agreement_changes_requested", "agreement_activated",
            "agreement_expiring", "membership_paid", "membership_unpaid",
            "membership_renewal", "membership_grace", "organisation_invitation",
        ], mandatory=[
            "agreement_approved", "agreement_signed", "agreement_rejected",
            "agreement_terminated", "agreement_expired",
        ])
        # The account: allauth's security messages (password, email, two-factor, codes)
        # and the welcome, always at once.
        register_notification_events(Category.ACCOUNT, mandatory=[*ALLAUTH_EVENTS, "welcome"])
