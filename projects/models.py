"""Projects (fiches projet), their people, resource requests and allocations."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Organisation
from members.staff import is_verified_staff
from resources.models import Resource

#: A Slurm account name: a lower-case letter, then 1 to 29 letters, digits, "_" or "-".
SLURM_ACCOUNT_REGEX = r"^[a-z][a-z0-9_-]{1,29}$"


class Field(models.TextChoices):
    """Scientific or technical field of a project (a short controlled list)."""

    PHYSICS = "physics", _("physics")
    CHEMISTRY = "chemistry", _("chemistry and materials")
    BIOLOGY = "biology", _("biology and health")
    EARTH = "earth", _("earth, ocean and climate sciences")
    ENVIRONMENT = "environment", _("environment and risks")
    ENGINEERING = "engineering", _("engineering and mechanics")
    COMPUTING = "computing", _("computer science and data")
    MATHEMATICS = "mathematics", _("mathematics")
    HUMANITIES = "humanities", _("humanities and social sciences")
    EDUCATION = "education", _("education and training")
    OTHER = "other", _("other")


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Projects ``user`` is a member of (every project for staff with MFA)."""
        if is_verified_staff(user):
            return self
        return self.filter(members__user=user).distinct()

    def public(self):
        """Active or closed projects whose summary is public."""
        return self.filter(summary_is_public=True).exclude(status=Project.Status.DRAFT)


class Project(models.Model):
    """A piece of work that uses the centre (fiche projet).

    The project's years run from ``starts_on.year`` to ``ends_on.year``; resource
    requests plan amounts for each of them. ``slurm_account`` is fixed once an
    allocation exists.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        CLOSED = "closed", _("closed")

    title = models.CharField(_("title"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30)
    summary = models.TextField(_("summary"), max_length=4000)
    summary_is_public = models.BooleanField(
        _("public summary"), default=False,
        help_text=_("Show the title, acronym and summary on the public site."))
    field = models.CharField(_("field"), max_length=16, choices=Field.choices)
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"),
                                     on_delete=models.PROTECT, related_name="projects")
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    dmp_url = models.URLField(_("data management plan (link)"), blank=True)
    open_science_statement = models.TextField(
        _("open science statement"), blank=True, max_length=4000,
        help_text=_("What will be published (articles, code, data), where, under which "
                    "licence."))
    slurm_account = models.CharField(
        _("Slurm account"), max_length=30, unique=True,
        help_text=_("Lower-case letters, digits, '_' or '-', starting with a letter "
                    "(2 to 30 characters). Fixed once resources are allocated."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")),
                                   name="project_ends_after_start"),
            models.CheckConstraint(condition=Q(slurm_account__regex=SLURM_ACCOUNT_REGEX),
                                   name="project_slurm_account_format"),
        ]

    def __str__(self) -> str:
        return f"{self.acronym} — {self.title}"

    @property
    def years(self) -> list[int]:
        """The calendar years the project spans, in order."""
        return list(range(self.starts_on.year, self.ends_on.year + 1))

    @property
    def pi(self):
        """The principal investigator (the member with role ``pi``), or ``None``."""
        member = self.members.filter(role=ProjectMember.Role.PI).select_related("user").first()
        return member.user if member else None


class ProjectMember(models.Model):
    """A person's role in a project: exactly one ``pi``; ``manager``s; ``member``s."""

    class Role(models.TextChoices):
        PI = "pi", _("principal investigator")
        MANAGER = "manager", _("manager")
        MEMBER = "member", _("member")

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"),
                             on_delete=models.CASCADE, related_name="project_memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("project member")
        verbose_name_plural = _("project members")
        ordering = ["project", "role", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="project_member_unique"),
            models.UniqueConstraint(fields=["project"], condition=Q(role="pi"),
                                    name="project_one_pi"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.project.acronym} ({self.role})"


class ProjectInvitation(models.Model):
    """An invitation by email to join a project (for people without an account yet)."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=16, choices=[
        (ProjectMember.Role.MANAGER, ProjectMember.Role.MANAGER.label),
        (ProjectMember.Role.MEMBER, ProjectMember.Role.MEMBER.label)])
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("invited by"),
                                   on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("project invitation")
        verbose_name_plural = _("project invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.project.acronym}"


class ResourceRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Requests of the projects ``user`` is a member of (all for staff with MFA)."""
        if is_verified_staff(user):
            return self
        return self.filter(project__members__user=user).distinct()

    def staff_queue(self):
        """Requests waiting for staff, emergencies first, then oldest first."""
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
    """One increase of an allocation by an approved request (its audit trail)."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="grants")
    request = models.ForeignKey(ResourceRequest, on_delete=models.PROTECT,
                                related_name="grants")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "request"],
                                    name="allocation_grant_once_per_request"),
        ]

    def __str__(self) -> str:
        return f"+{self.amount} to {self.allocation_id} by request {self.request_id}"


class AccountAlias(models.Model):
    """A Slurm account, on one cluster, that staff attributed to a project.

    A job is attributed to the project whose ``slurm_account`` is its account; the
    accounts that match no project (created by hand on the cluster, left over from an
    earlier set-up, a SWF group id…) are mapped here. Usage is read from the summaries
    by account at query time, so an alias attributes the jobs already imported at once.
    On its cluster an alias wins over a project's Slurm account of the same name.
    """

    cluster = models.CharField(_("cluster"), max_length=64)
    account = models.CharField(_("Slurm account"), max_length=64)
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="account_aliases")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("mapped by"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("mapped"), auto_now_add=True)

    class Meta:
        verbose_name = _("account alias")
        verbose_name_plural = _("account aliases")
        ordering = ["cluster", "account"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "account"],
                                    name="account_alias_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.cluster}:{self.account} → {self.project.acronym}"


class UsageReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Reports ``user`` may read: all for staff; for a member, the reports of the
        projects they belong to (the centre report is for staff only)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(scope=UsageReport.Scope.PROJECT, project__members__user=user).distinct()


class UsageReport(models.Model):
    """The yearly usage report of one project, or of the whole centre.

    One report per (scope, year) — per (project, year) for project reports.
    Generating it again replaces its files: each file is written to a temporary name
    then renamed (``os.replace``, atomic on POSIX), so a reader never gets a half file.
    ``files`` maps a file key (``pdf-fr``, ``pdf-en``, ``xlsx-fr``, ``xlsx-en``,
    ``csv-fr``, ``csv-en``) to its path relative to ``USAGE_REPORTS_DIR``;
    ``totals`` keeps the figures the report found (jobs, core-hours, GPU-hours,
    kWh measured and estimated, kg CO2e, euros, reusable heat kWh).
    ``generation`` counts generations: a task carries the number it was queued for,
    and a task for an older number returns without writing.
    """

    class Scope(models.TextChoices):
        PROJECT = "project", _("project")
        CENTRE = "centre", _("centre")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices)
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="usage_reports", null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices,
                              default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("current step"), max_length=100, blank=True)
    generation = models.PositiveIntegerField(default=1)
    files = models.JSONField(_("files"), default=dict, blank=True)
    totals = models.JSONField(_("totals"), default=dict, blank=True)
    failure = models.TextField(_("why it failed"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    generated_at = models.DateTimeField(_("generated"), null=True, blank=True)
    notify_readers = models.BooleanField(
        _("tell the readers when done"), default=False,
        help_text=_("The PI and managers of a project report, staff for the centre report."))
    notified_generation = models.PositiveIntegerField(default=0)

    objects = UsageReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("usage report")
        verbose_name_plural = _("usage reports")
        ordering = ["-year", "scope", "project__acronym"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], condition=Q(scope="project"),
                                    name="usage_report_one_per_project_year"),
            models.UniqueConstraint(fields=["year"], condition=Q(scope="centre"),
                                    name="usage_report_one_centre_per_year"),
            models.CheckConstraint(
                condition=(Q(scope="project", project__isnull=False)
                           | Q(scope="centre", project__isnull=True)),
                name="usage_report_scope_matches_project"),
            models.CheckConstraint(condition=Q(progress__lte=100),
                                   name="usage_report_progress_lte_100"),
        ]

    def __str__(self) -> str:
        if self.scope == self.Scope.CENTRE:
            return _("Centre report %(year)s") % {"year": self.year}
        return _("%(project)s report %(year)s") % {"project": self.project.acronym,
                                                   "year": self.year}

    @property
    def is_finished(self) -> bool:
        """True once the report is done or failed (the page stops polling)."""
        return self.status in {self.Status.DONE, self.Status.FAILED}
