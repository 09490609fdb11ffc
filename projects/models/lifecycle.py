"""The life of requests and allocations after the first grant: the activity report of a
renewal, the history of an allocation, and the extensions of its end date."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .requests import Allocation, ResourceRequest


class ActivityReport(models.Model):
    """What a project did with its resources, written by the PI or a manager for a renewal
    (rapport d'activité): required before the renewal is submitted, read by staff.

    One per request. ``period_start`` and ``period_end`` bound the period it reports on
    (the years of the renewed grant), so that the research outputs of that period can be
    listed with it.
    """

    request = models.OneToOneField(ResourceRequest, on_delete=models.CASCADE,
                                   related_name="activity_report")
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    work = models.TextField(_("what was done"), blank=True, max_length=8000)
    results = models.TextField(_("results"), blank=True, max_length=8000)
    problems = models.TextField(_("problems met"), blank=True, max_length=8000)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"),
                                   on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("activity report")
        verbose_name_plural = _("activity reports")
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")),
                                   name="activity_report_period_order"),
        ]

    def __str__(self) -> str:
        return f"activity report of request {self.request_id}"

    @property
    def missing(self) -> list[str]:
        """The names of the parts still empty (translated), in the order of the form."""
        return [str(self._meta.get_field(name).verbose_name)
                for name in ("work", "results", "problems")
                if not getattr(self, name).strip()]


class AllocationExtension(models.Model):
    """A request of the PI or a manager to move an allocation's end date later (no new
    hours), with its reason; staff approve or refuse it, or the PI or a manager withdraws
    it while it waits.

    Workflow: ``pending`` → ``approved`` | ``refused`` | ``withdrawn``
    (:data:`projects.services.allocation_extensions.ALLOWED`); at most one pending per
    allocation. ``decided_by`` and ``decided_at`` say who ended the wait and when (staff
    for a decision, the PI or a manager for a withdrawal).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")
        WITHDRAWN = "withdrawn", _("withdrawn")

    allocation = models.ForeignKey(Allocation, verbose_name=_("allocation"),
                                   on_delete=models.CASCADE, related_name="extensions")
    ends_on = models.DateField(_("new end date"))
    previous_ends_on = models.DateField(_("end date before"))
    reason = models.TextField(_("reason"), max_length=4000)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("asked by"),
                                     on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True, max_length=4000)

    class Meta:
        verbose_name = _("allocation extension")
        verbose_name_plural = _("allocation extensions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["allocation"], condition=Q(status="pending"),
                                    name="allocation_extension_one_pending"),
            models.CheckConstraint(condition=Q(ends_on__gt=F("previous_ends_on")),
                                   name="allocation_extension_later"),
        ]

    def __str__(self) -> str:
        return f"extension of {self.allocation_id} to {self.ends_on} ({self.status})"


class AllocationEvent(models.Model):
    """One thing that happened to an allocation: granted, supplemented, suspended,
    resumed, reduced, transferred, extended (asked, approved, refused, withdrawn). Who, when, the
    status before and after, the amount changed (in the resource's unit) and the note."""

    class Action(models.TextChoices):
        GRANTED = "granted", _("granted")
        SUPPLEMENTED = "supplemented", _("supplemented")
        SUSPENDED = "suspended", _("suspended")
        RESUMED = "resumed", _("resumed")
        REDUCED = "reduced", _("reduced")
        TRANSFERRED_OUT = "transferred_out", _("hours transferred to the next year")
        TRANSFERRED_IN = "transferred_in", _("hours transferred from the previous year")
        EXTENSION_ASKED = "extension_asked", _("extension asked")
        EXTENSION_APPROVED = "extension_approved", _("extension approved")
        EXTENSION_REFUSED = "extension_refused", _("extension refused")
        EXTENSION_WITHDRAWN = "extension_withdrawn", _("extension withdrawn")

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="events")
    extension = models.ForeignKey(AllocationExtension, on_delete=models.CASCADE, null=True,
                                  blank=True, related_name="events")
    action = models.CharField(_("what"), max_length=24, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                              on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True,
                                 blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"allocation {self.allocation_id}: {self.action}"
