"""What people type in the training pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from members.models import Organisation, User
from resources.models import Resource, ResourceKind

from .models import Session
from .services.registrations import SESSION_FIELDS


class SessionForm(forms.ModelForm):
    """The practical details of a session (trainers and staff)."""

    class Meta:
        model = Session
        fields = list(SESSION_FIELDS)
        widgets = {"registration_deadline": forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}


class FeedbackForm(forms.Form):
    """The attendee's answers after a session."""

    rating = forms.TypedChoiceField(
        label=_("How useful was this session to you?"), coerce=int,
        choices=[(5, _("5 — very useful")), (4, "4"), (3, "3"), (2, "2"),
                 (1, _("1 — not useful"))], widget=forms.RadioSelect)
    useful = forms.CharField(label=_("What was most useful?"), required=False,
                             max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    improve = forms.CharField(label=_("What could be better?"), required=False,
                              max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class CourseLoginsForm(forms.Form):
    """How many course logins to generate."""

    count = forms.IntegerField(label=_("Number of course logins"), min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["count"].max_value = settings.TRAINING_MAX_COURSE_LOGINS
        self.fields["count"].validators.append(
            forms.IntegerField(max_value=settings.TRAINING_MAX_COURSE_LOGINS).validators[-1])


class TrainerGrantForm(forms.Form):
    """Staff: the person to make a trainer, by email address."""

    email = forms.EmailField(label=_("Email address of the person"))

    def clean_email(self) -> User:
        user = User.objects.filter(email__iexact=self.cleaned_data["email"],
                                   deleted_at__isnull=True).first()
        if user is None:
            raise forms.ValidationError(_("No account has this address."))
        return user


class CourseAccountForm(forms.Form):
    """Staff: the organisation holding a session's training project and the resource of
    its allocation."""

    organisation = forms.ModelChoiceField(label=_("Organisation of the training project"),
                                          queryset=Organisation.objects.order_by("name"))
    resource = forms.ModelChoiceField(
        label=_("Resource"), queryset=Resource.objects.filter(
            kind=ResourceKind.CPU, is_active=True).exclude(slurm_cluster=""))
