"""Courses, their sessions and the trainers who teach them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import OrganisationKind


class Level(models.TextChoices):
    """How much a course expects of its attendees."""

    BEGINNER = "beginner", _("beginner")
    INTERMEDIATE = "intermediate", _("intermediate")
    ADVANCED = "advanced", _("advanced")


class Topic(models.TextChoices):
    """What a course is about (several per course)."""

    SLURM = "slurm", _("Slurm basics")
    LINUX = "linux", _("Linux and the shell")
    MPI_OPENMP = "mpi_openmp", _("MPI and OpenMP")
    GPU = "gpu", _("GPU programming")
    PYTHON = "python", _("Python for computing")
    GREEN = "green", _("Green computing")
    DATA = "data", _("Data management")


class Trainer(models.Model):
    """The trainer role of a person, given by staff: trainers manage the sessions they
    teach, mark attendance, read the feedback and generate course logins."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("person"),
                                on_delete=models.CASCADE, related_name="trainer_role")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("granted by"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)

    class Meta:
        verbose_name = _("trainer")
        verbose_name_plural = _("trainers")

    def __str__(self) -> str:
        return str(self.user)


class Course(models.Model):
    """What is taught: a course has sessions (:class:`Session`).

    ``duration_hours``: hours of teaching of one session (the report's "hours of
    training" are this × attendees); ``topics``: a list of :class:`Topic` values.
    """

    slug = models.SlugField(_("short name"), max_length=20, unique=True,
                            help_text=_("Lower-case letters, digits and dashes; it starts "
                                        "the course logins' names."))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=4000)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices,
                             default=Level.BEGINNER)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES,
                                default="fr")
    duration_hours = models.DecimalField(_("duration (hours)"), max_digits=5, decimal_places=1)
    prerequisites = models.TextField(_("prerequisites"), blank=True)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_hours__gt=0),
                                   name="training_course_duration_gt_0"),
        ]

    def __str__(self) -> str:
        return self.title

    def topic_labels(self) -> list[str]:
        """The labels of the course's topics (unknown values left out)."""
        labels = dict(Topic.choices)
        return [str(labels[topic]) for topic in self.topics if topic in labels]


class SessionQuerySet(models.QuerySet):
    def published(self):
        """Sessions shown in the public agenda."""
        return self.filter(is_published=True)


class Session(models.Model):
    """One date of a course: times (aware, entered in ``TIME_ZONE``), place or online link,
    trainers, capacity, prices, registration deadline and, optionally, a course account
    (``project``: a training project with ``core_hours_per_attendee`` for each attendee).

    ``prices``: ``{organisation kind: EUR}`` for non-members; members attend for free
    unless ``members_pay``.
    """

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE,
                               related_name="sessions")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    trainers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("trainers"),
                                      related_name="training_sessions", blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))
    registration_deadline = models.DateTimeField(
        _("registration deadline"),
        help_text=_("Registrations and cancellations are possible until then."))
    prices = models.JSONField(_("prices for non-members (EUR, by kind of organisation)"),
                              default=dict, blank=True)
    members_pay = models.BooleanField(_("members pay too"), default=False)
    is_published = models.BooleanField(_("in the public agenda"), default=True)
    project = models.ForeignKey("projects.Project", verbose_name=_("training project"),
                                on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="training_sessions")
    core_hours_per_attendee = models.DecimalField(
        _("core-hours per attendee"), max_digits=8, decimal_places=1, default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="training_session_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1),
                                   name="training_session_capacity_gte_1"),
            models.CheckConstraint(condition=Q(core_hours_per_attendee__gte=0),
                                   name="training_session_core_hours_gte_0"),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.course.title} — {local:%Y-%m-%d %H:%M}"

    def price_list(self) -> list[tuple[str, str]]:
        """``(kind of organisation label, EUR)`` of the non-members' prices, in the order of
        the kinds."""
        labels = dict(OrganisationKind.choices)
        return [(str(labels[kind]), str(self.prices[kind])) for kind in labels
                if kind in (self.prices or {})]

    @property
    def has_started(self) -> bool:
        """Whether the session has begun."""
        return self.starts_at <= timezone.now()

    @property
    def is_past(self) -> bool:
        """Whether the session has ended."""
        return self.ends_at <= timezone.now()

    @property
    def registration_open(self) -> bool:
        """Whether registrations and cancellations are still taken (before the deadline)."""
        return timezone.now() <= self.registration_deadline
