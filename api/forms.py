"""The form of a new personal access token (profile page)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from algoric.core.staff import is_verified_staff

from .models import Scope


class TokenCreateForm(forms.Form):
    """Name, scopes and days of validity of a new token. The ``staff`` scope is offered
    only to verified staff (the service refuses it to others all the same)."""

    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What the token is for, e.g. “usage notebook”."))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple,
        initial=[Scope.READ],
        help_text=_("read: see your projects, usage and reports; write: create and edit "
                    "projects and requests; staff: the staff's work."))
    expires_days = forms.IntegerField(label=_("Valid for (days)"), min_value=1,
                                      max_value=settings.API_TOKEN_MAX_DAYS)

    def __init__(self, *args, user, **kwargs):
        """``user``: the member creating the token (the staff scope only for verified
        staff)."""
        super().__init__(*args, **kwargs)
        self.fields["expires_days"].initial = settings.API_TOKEN_DEFAULT_DAYS
        self.fields["expires_days"].help_text = _("At most %(max)s days.") % {
            "max": settings.API_TOKEN_MAX_DAYS}
        if not is_verified_staff(user):
            self.fields["scopes"].choices = [(value, label) for value, label in Scope.choices
                                             if value != Scope.STAFF]
