"""Course logins: anonymous accounts handed out to a class for one session."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .courses import Session


class CourseLogin(models.Model):
    """An account generated for a session (``<course>-<yyyymmdd>-NN``): no name, no email
    of a person. It may sign in only during the session's window (start to end plus
    ``TRAINING_ACCESS_DAYS_AFTER`` days); then it is disabled and its data deleted
    (``disabled_at`` set, ``user`` emptied)."""

    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.CASCADE,
                                related_name="course_logins")
    login = models.CharField(_("login"), max_length=32, unique=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("account"),
                                on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="course_login")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)

    class Meta:
        verbose_name = _("course login")
        verbose_name_plural = _("course logins")
        ordering = ["login"]

    def __str__(self) -> str:
        return self.login
