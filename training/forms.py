"""What people type in the training pages."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from members.models import Organisation, OrganisationKind, User
from resources.models import Resource, ResourceKind

from .models import Course, Event, Session, Topic
from .services.courses import COURSE_FIELDS
from .services.events import EVENT_FIELDS
from .services.sessions import TRAINER_SESSION_FIELDS


def _local_time() -> forms.DateTimeInput:
    """A date and time typed in the centre's time zone (``TIME_ZONE``, the current one)."""
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _rows(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class SessionForm(forms.Form):
    """A session's fields, for trainers and staff alike: ``fields`` names those shown
    (:data:`~training.services.sessions.TRAINER_SESSION_FIELDS` by default, the staff's
    :data:`~training.services.sessions.STAFF_SESSION_FIELDS`, or a trainer's
    :data:`~training.services.sessions.TRAINER_NEW_SESSION_FIELDS`).

    It is a plain form: the write and its checks belong to the services of
    :mod:`training.services.sessions`. Times are typed in the centre's time zone.
    ``trainers`` offers the people holding the trainer role; ``prices`` becomes one field
    per kind of organisation (``price_<kind>``, EUR) and ``cleaned_data["prices"]``
    ``{kind: Decimal}`` of the prices given.
    """

    def __init__(self, *args, session: Session | None = None,
                 fields: tuple[str, ...] = TRAINER_SESSION_FIELDS, **kwargs):
        self.session_fields = tuple(fields)
        model_fields = [name for name in fields if name != "prices"]
        if session is not None and "initial" not in kwargs:
            initial = {name: getattr(session, name) for name in model_fields
                       if name != "trainers"}
            if "trainers" in fields:
                initial["trainers"] = list(session.trainers.all())
            initial.update({f"price_{kind}": price
                            for kind, price in (session.prices or {}).items()})
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        built = forms.fields_for_model(Session, fields=model_fields, widgets={
            "starts_at": _local_time(), "ends_at": _local_time(),
            "registration_deadline": _local_time(),
            "trainers": forms.CheckboxSelectMultiple})
        for name in fields:
            if name == "prices":
                for kind, label in OrganisationKind.choices:
                    self.fields[f"price_{kind}"] = forms.DecimalField(
                        label=label,
                        required=False, min_value=Decimal(0), max_digits=7,
                        decimal_places=2,
                        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}))
            else:
                self.fields[name] = built[name]
        if "trainers" in self.fields:
            self.fields["trainers"].queryset = User.objects.filter(
                trainer_role__isnull=False).order_by("last_name", "first_name", "email")
            self.fields["trainers"].help_text = _(
                "People holding the trainer role (given on the staff's training page).")
        if "online_url" in self.fields:
            self.fields["online_url"].help_text = _("A place, an online link, or both.")

    def price_fields(self):
        """The bound price fields, in the order of the organisation kinds."""
        return [self[f"price_{kind}"] for kind in OrganisationKind.values
                if f"price_{kind}" in self.fields]

    def clean(self):
        cleaned = super().clean()
        if "prices" in self.session_fields:
            cleaned["prices"] = {kind: cleaned[f"price_{kind}"]
                                 for kind in OrganisationKind.values
                                 if cleaned.get(f"price_{kind}") is not None}
        return cleaned


class CourseForm(forms.Form):
    """Staff: a course's fields (:data:`~training.services.courses.COURSE_FIELDS`), the
    topics as checkboxes. A plain form: :func:`~training.services.courses.course_save`
    writes and checks."""

    def __init__(self, *args, course: Course | None = None, **kwargs):
        if course is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(course, name) for name in COURSE_FIELDS}
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(Course, fields=COURSE_FIELDS, widgets={
            "summary": _rows(), "prerequisites": _rows(3)}))
        self.fields["topics"] = forms.MultipleChoiceField(
            label=_("Topics"), choices=Topic.choices, required=False,
            widget=forms.CheckboxSelectMultiple)


class EventForm(forms.Form):
    """Staff: an event's fields (:data:`~training.services.events.EVENT_FIELDS`), times in
    the centre's time zone. A plain form: :func:`~training.services.events.event_save`
    writes and checks."""

    def __init__(self, *args, event: Event | None = None, **kwargs):
        if event is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(event, name) for name in EVENT_FIELDS}
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(Event, fields=EVENT_FIELDS, widgets={
            "description": _rows(), "starts_at": _local_time(), "ends_at": _local_time()}))
        self.fields["participants"].help_text = _(
            "How many people came (school visits count the pupils); filled afterwards.")


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
