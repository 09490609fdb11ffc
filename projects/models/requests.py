"""Resource requests (rows, cells, comments, status events) and the allocations they grant."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from algoric.core.staff import is_verified_staff
from resources.models import Resource

from .projects import Project


class ResourceRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Requests of the projects ``user`` is a member of (all for staff with MFA)."""
        if is_verified_staff(user):
            return self
        return self.filter(project__members__user=user).distinct()

    def staff_queue(self):
        """Requests waiting for staff, emergencies first, then oldest first (a request
        returned for changes waits for its applicant, not for staff: it is not here)."""
        return (self.filter(status__in=[ResourceRequest.Status.SUBMITTED,
                                        ResourceRequest.Status.UNDER_REVIEW])
                .annotate(is_emergency=models.Case(
                    models.When(kind=ResourceRequest.Kind.EMERGENCY, then=0),
                    default=1, output_field=models.IntegerField()))
                .order_by("is_emergency", "submitted_at", "pk"))


class ResourceRequest(models.Model):
    """A project's plan of resources (demande de ressources): amounts per resource and year.

    Rows are :class:`ResourceRequestRow` (one per resource, with its justification);
    cells are :class:`ResourceRequestCell` (one per row and year: requested and, after
    the decision, granted amounts in the resource's unit).
    """

    class Kind(models.TextChoices):
        NEW = "new", _("new project")
        RENEWAL = "renewal", _("renewal")
        SUPPLEMENT = "supplement", _("supplement")
        EMERGENCY = "emergency", _("emergency")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        UNDER_REVIEW = "under_review", _("under review")
        CHANGES_REQUESTED = "changes_requested", _("returned for changes")
        APPROVED = "approved", _("approved")
        PARTIALLY_APPROVED = "partially_approved", _("partially approved")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="requests")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.NEW)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.DRAFT)
    justification = models.TextField(_("overall justification"), blank=True, max_length=8000)
    decision_note = models.TextField(_("decision note"), blank=True, max_length=4000)
    renews = models.ForeignKey(
        "self", verbose_name=_("renews"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="renewals",
        help_text=_("For a renewal: the granted request whose table it continues."))
    emergency_ends_on = models.DateField(
        _("emergency grant ends on"), null=True, blank=True,
        help_text=_("For an emergency request: the end of the short time box granted."))
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    objects = ResourceRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("resource request")
        verbose_name_plural = _("resource requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.project.acronym} #{self.pk} ({self.kind}, {self.status})"


class ResourceRequestRow(models.Model):
    """One resource of a request, with the applicant's justification for it."""

    request = models.ForeignKey(ResourceRequest, on_delete=models.CASCADE, related_name="rows")
    resource = models.ForeignKey(Resource, verbose_name=_("resource"), on_delete=models.PROTECT,
                                 related_name="request_rows")
    justification = models.TextField(_("justification"), blank=True, max_length=4000)

    class Meta:
        ordering = ["resource__order", "resource__kind", "resource__name"]
        constraints = [
            models.UniqueConstraint(fields=["request", "resource"], name="request_row_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.resource}"


class ResourceRequestCell(models.Model):
    """The amount requested (and granted) of one resource for one year, in its unit."""

    row = models.ForeignKey(ResourceRequestRow, on_delete=models.CASCADE, related_name="cells")
    year = models.PositiveSmallIntegerField(_("year"))
    requested = models.DecimalField(_("requested"), max_digits=14, decimal_places=2)
    granted = models.DecimalField(_("granted"), max_digits=14, decimal_places=2, null=True,
                                  blank=True)

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["row", "year"], name="request_cell_unique"),
            models.CheckConstraint(condition=Q(requested__gte=0), name="request_cell_gte_0"),
            models.CheckConstraint(
                condition=Q(granted__isnull=True) | (Q(granted__gte=0)
                                                     & Q(granted__lte=F("requested"))),
                name="request_cell_granted_within_requested"),
        ]

    def __str__(self) -> str:
        return f"{self.row}: {self.year} = {self.requested}"


class RequestComment(models.Model):
    """A message in the conversation between the applicants and staff about a request."""

    request = models.ForeignKey(ResourceRequest, on_delete=models.CASCADE,
                                related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"),
                               on_delete=models.SET_NULL, null=True, related_name="+")
    from_staff = models.BooleanField(_("from staff"), default=False)
    body = models.TextField(_("comment"), max_length=4000)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"comment on {self.request_id} by {self.author_id}"


class RequestEvent(models.Model):
    """One status change of a resource request: who, when, from, to, note."""

    request = models.ForeignKey(ResourceRequest, on_delete=models.CASCADE,
                                related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                              on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"request {self.request_id}: {self.from_status or '∅'} → {self.to_status}"


class Allocation(models.Model):
    """What a project may use of one resource in one year, counted in the resource's unit.

    Created or increased by the approval of resource requests (each increase is an
    :class:`AllocationGrant`); ``active`` → ``expired`` at ``ends_on`` (daily task)
    or ``suspended`` by staff with a reason.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended")
        EXPIRED = "expired", _("expired")

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="allocations")
    resource = models.ForeignKey(Resource, verbose_name=_("resource"), on_delete=models.PROTECT,
                                 related_name="allocations")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.ACTIVE)
    suspended_reason = models.TextField(_("reason for suspension"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["project", "year", "resource__order", "resource__name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "resource", "year"],
                                    name="allocation_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="allocation_amount_gte_0"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")),
                                   name="allocation_ends_after_start"),
            models.CheckConstraint(condition=~Q(status="suspended") | ~Q(suspended_reason=""),
                                   name="allocation_suspension_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.project.acronym} {self.resource} {self.year}: {self.amount}"


class AllocationGrant(models.Model):
    """One change of an allocation's amount (its audit trail, read by the Slurm plan
    through the allocation's amount).

    ``grant`` and ``supplement``: added by an approved request (``request`` set, amount
    > 0); ``reduction``: unused hours taken back by staff (amount < 0); ``transfer_out``
    and ``transfer_in``: unused hours moved by staff from one year to the next (the
    same amount, < 0 on the year given, > 0 on the next). Staff changes carry a reason.
    """

    class Kind(models.TextChoices):
        GRANT = "grant", _("grant")
        SUPPLEMENT = "supplement", _("supplement")
        REDUCTION = "reduction", _("reduction")
        TRANSFER_OUT = "transfer_out", _("transfer to the next year")
        TRANSFER_IN = "transfer_in", _("transfer from the previous year")

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="grants")
    request = models.ForeignKey(ResourceRequest, on_delete=models.PROTECT,
                                related_name="grants", null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.GRANT)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    reason = models.TextField(_("reason"), blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "request"],
                                    name="allocation_grant_once_per_request"),
            models.CheckConstraint(
                condition=Q(kind__in=["reduction", "transfer_out", "transfer_in"])
                | Q(request__isnull=False), name="allocation_grant_by_request"),
            models.CheckConstraint(
                condition=Q(kind__in=["reduction", "transfer_out"], amount__lt=0)
                | Q(kind__in=["grant", "supplement", "transfer_in"], amount__gte=0),
                name="allocation_grant_sign_of_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount:+} to {self.allocation_id}"
