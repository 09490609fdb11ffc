"""Registrations for a session (confirmed or on the waiting list), attendance and feedback."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .courses import Session


class RegistrationQuerySet(models.QuerySet):
    def confirmed(self):
        """Registrations holding a seat."""
        return self.filter(status=Registration.Status.CONFIRMED)

    def waiting(self):
        """Registrations on the waiting list, first come first."""
        return self.filter(status=Registration.Status.WAITING).order_by("created_at", "pk")


class Registration(models.Model):
    """A person's place at a session: ``confirmed`` (a seat), ``waiting`` (the waiting list,
    in the order of ``created_at``) or ``cancelled``. ``attended``: marked by a trainer
    (``None`` until then)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITING = "waiting", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")

    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.CASCADE,
                                related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"),
                             on_delete=models.CASCADE, related_name="training_registrations")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    promoted_at = models.DateTimeField(_("promoted from the waiting list"), null=True,
                                       blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    attendance_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("attendance marked by"),
        on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"],
                                    condition=~Q(status="cancelled"),
                                    name="training_one_live_registration"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.session} ({self.status})"


class Feedback(models.Model):
    """An attendee's answers after a session: a rating from 1 to 5 and comments."""

    registration = models.OneToOneField(Registration, verbose_name=_("registration"),
                                        on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    useful = models.TextField(_("what was most useful"), blank=True, max_length=2000)
    improve = models.TextField(_("what could be better"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5),
                                   name="training_feedback_rating_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.registration}: {self.rating}/5"
