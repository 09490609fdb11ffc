"""Public events of the centre: conferences, forums, seminars, school visits, open days."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class EventQuerySet(models.QuerySet):
    def published(self):
        """Events shown in the public agenda."""
        return self.filter(is_published=True)


class Event(models.Model):
    """An entry of the public agenda that is not a course session.

    ``participants``: how many people came (filled afterwards; school visits count the
    pupils), read by the activity report.
    """

    class Kind(models.TextChoices):
        CONFERENCE = "conference", _("conference")
        FORUM = "forum", _("forum")
        SEMINAR = "seminar", _("seminar")
        SCHOOL_VISIT = "school_visit", _("school visit")
        OPEN_DAY = "open_day", _("open day")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    registration_url = models.URLField(_("registration link"), blank=True)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    is_published = models.BooleanField(_("in the public agenda"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="training_event_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title
