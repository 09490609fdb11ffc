"""The notification outbox: every message to a person is stored here before it is sent.

Also each person's choice, per category of message, between every message as it comes
and one weekly digest (:class:`NotificationPreference`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationCategory(models.TextChoices):
    """The categories people choose the delivery of (apps file their events under one,
    :func:`algoric.core.registries.register_notification_events`)."""

    REQUESTS = "requests", _("Projects and resource requests")
    ALLOCATIONS = "allocations", _("Allocations and usage")
    MEMBERSHIP = "membership", _("Membership and agreements")
    REPORTS = "reports", _("Reports")
    OUTPUTS = "outputs", _("Research outputs")
    TRAINING = "training", _("Training")
    INVOICES = "invoices", _("Invoices")
    ACCOUNT = "account", _("Account and security")


class NotificationQuerySet(models.QuerySet):
    """Reusable filters on notifications."""

    def pending(self):
        """Notifications not yet sent and not given up."""
        return self.filter(status=Notification.Status.PENDING)

    def held(self):
        """Notifications kept for their recipient's next weekly digest."""
        return self.filter(status=Notification.Status.HELD)

    def inbox_of(self, user):
        """What ``user`` sees in their portal inbox, newest first."""
        return self.filter(recipient=user, in_inbox=True).order_by("-created_at", "-pk")


class Notification(models.Model):
    """A message to one person about one event, in the person's language.

    Stored inside the transaction of the change it reports (so it exists if and
    only if the change was committed), then sent by email by a worker. The
    ``dedupe_key``, when given, makes the same event notify at most once.

    A message of a category whose recipient chose the weekly digest is stored
    ``held`` (shown in the inbox, not emailed); the weekly digest lists it and marks
    it ``digested`` with a link to the digest that carried it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        HELD = "held", _("kept for the weekly digest")
        DIGESTED = "digested", _("sent in a weekly digest")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        help_text=_("Empty for messages to an address with no account."),
    )
    email = models.EmailField(_("email address"), max_length=254)
    event = models.CharField(_("event"), max_length=64, db_index=True)
    category = models.CharField(
        _("category"), max_length=32, choices=NotificationCategory.choices, blank=True,
        help_text=_("From the event, when the message is stored; empty for an event no "
                    "app filed under a category."))
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="fr")
    in_inbox = models.BooleanField(
        _("shown in the inbox"),
        default=True,
        help_text=_("Messages that carry a secret link or code are sent but not listed."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    dedupe_key = models.CharField(
        _("deduplication key"), max_length=200, null=True, blank=True, unique=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    digest = models.ForeignKey(
        "self", verbose_name=_("weekly digest"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="digested",
        help_text=_("The weekly digest that listed this message."))

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="notif_status_created"),
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_read"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="notification_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.email} ({self.status})"


class NotificationPreference(models.Model):
    """One person's choice for one category: every message as it comes, or one weekly
    digest. No row means every message as it comes."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", _("Every message as it comes")
        WEEKLY = "weekly", _("One weekly digest")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"),
                             on_delete=models.CASCADE, related_name="notification_preferences")
    category = models.CharField(_("category"), max_length=32,
                                choices=NotificationCategory.choices)
    delivery = models.CharField(_("delivery"), max_length=16, choices=Delivery.choices,
                                default=Delivery.IMMEDIATE)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        ordering = ["user", "category"]
        constraints = [
            models.UniqueConstraint(fields=["user", "category"],
                                    name="notification_preference_once_per_category"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.category}: {self.delivery}"
