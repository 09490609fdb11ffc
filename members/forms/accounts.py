"""Forms of a person's own account: sign-up extras, profile, account deletion."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import User
from ..validators import validate_cluster_login


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
        validate_cluster_login(value)
        return value


class AccountDeleteForm(forms.Form):
    """Confirmation of an account deletion, with an optional reason."""

    confirm = forms.BooleanField(
        label=_("I understand that my account will be deleted and that I will no "
                "longer be able to log in."),
        error_messages={"required": _("Tick the box to confirm.")})
    reason = forms.CharField(
        label=_("Why are you leaving? (optional)"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the anonymised account, for the association."))
