"""The choice, per category, between every message as it comes and one weekly digest (on
the person's profile page)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NotificationPreference
from .selectors import notification_choice_categories, notification_preferences_of


class NotificationPreferenceForm(forms.Form):
    """One field per category that offers a choice
    (:func:`~algoric.notifications.selectors.notification_choice_categories`), named after
    the category, valued ``"immediate"`` or ``"weekly"``; initially the person's choices.
    ``cleaned_data`` is the ``choices`` argument of
    :func:`~algoric.notifications.services.notification_preferences_set`."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        current = notification_preferences_of(user=user)
        for category, label in notification_choice_categories():
            self.fields[category] = forms.ChoiceField(
                label=label, choices=NotificationPreference.Delivery.choices,
                initial=current[category], widget=forms.RadioSelect)
        self.help_text = _("Messages the law or your organisation's agreement require "
                           "(security of your account, access refused, an agreement to "
                           "sign) always come at once.")
