"""Projects (fiches projet) and their people: members and invitations by email."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from algoric.core.staff import is_verified_staff
from members.models import Organisation

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
    hal_collection = models.CharField(
        _("HAL collection or query"), max_length=200, blank=True,
        help_text=_("A HAL collection code (ALGORIC-HOULE) or a HAL search query, used to "
                    "import the project's publications from HAL."))
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

