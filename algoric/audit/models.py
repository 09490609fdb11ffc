"""The audit trail: who did what, when, from where (RELIABILITY.md, audit).

Rows are written only by :func:`algoric.audit.services.audit_record`; nothing in the
portal updates or deletes them (the admin is read-only, and ``save`` refuses an update).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    """Filters staff use when browsing the trail."""

    def security(self):
        return self.filter(category=AuditEvent.Category.SECURITY)

    def staff(self):
        return self.filter(category=AuditEvent.Category.STAFF)


class AuditEvent(models.Model):
    """One recorded action or security event.

    ``action`` is a dotted name (``login.failed``, ``agreement.approved``,
    ``slurm.limits_set``); ``target_type`` / ``target_id`` / ``target_label`` name the
    object acted on, copied as text so the row outlives the object; ``actor_label``
    keeps the actor's email for the same reason. ``ip`` is the client address as the
    portal trusts it (``ALLAUTH_TRUSTED_PROXY_COUNT``), ``request_id`` ties the row to
    the logs.
    """

    class Category(models.TextChoices):
        STAFF = "staff", _("staff action")
        SECURITY = "security", _("security event")
        SYSTEM = "system", _("system action")

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("who"))
    actor_label = models.CharField(_("who (as recorded)"), max_length=254, blank=True)
    target_type = models.CharField(_("object type"), max_length=64, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    target_label = models.CharField(_("object"), max_length=255, blank=True)
    ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["category", "-created_at"], name="audit_category_time")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action} {self.actor_label}"

    def save(self, *args, **kwargs):
        """Insert only: an audit event is never changed once written.

        Raises ``ValueError`` when called on a row that already exists.
        """
        if self.pk is not None and not self._state.adding:
            raise ValueError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        """Refused: the trail is append-only. Raises ``ValueError``."""
        raise ValueError("audit events cannot be deleted")
