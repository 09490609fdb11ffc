"""Forms of the members app."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User


class SignupForm(forms.Form):
    """Extra fields asked at sign-up, on top of allauth's email and passwords.

    allauth calls :meth:`signup` after creating the user.
    """

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)

    def signup(self, request, user: User) -> None:
        """Store the name and the language the person signed up in."""
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        language = getattr(request, "LANGUAGE_CODE", "fr")
        user.language = language if language in dict(User._meta.get_field("language").choices) \
            else "fr"
        user.save(update_fields=["first_name", "last_name", "language"])


class ProfileForm(forms.ModelForm):
    """What a member may change on their profile page (email and password have their own)."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "language", "cluster_login"]

    def clean_cluster_login(self) -> str:
        """Accept an empty value or a POSIX user name (``[a-z_][a-z0-9_-]{0,31}``)."""
        value = self.cleaned_data["cluster_login"].strip()
        if value and not re.fullmatch(r"[a-z_][a-z0-9_-]{0,31}", value):
            raise forms.ValidationError(
                _("Use lower-case letters, digits, '_' or '-', starting with a letter.")
            )
        return value
