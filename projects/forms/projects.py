"""Forms of the project sheet (fiche projet) and its people.

The forms only check the shape of what is typed; the rules across fields (dates,
uniqueness of the Slurm account, who may do what) are the services' and their
``ValidationError`` messages are put back on the fields by the views. Forms are
never bound to a model instance: the project is changed only by a service.
"""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.forms.models import fields_for_model
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from members.models import OrganisationKind

from ..models import SLURM_ACCOUNT_REGEX, Project, ProjectMember, ResourceRequest

#: The fields of the project sheet people type in (the organisation, the PI and the
#: status are set by the services).
PROJECT_FORM_FIELDS = ["title", "acronym", "summary", "summary_is_public", "field", "starts_on",
                       "ends_on", "dmp_url", "open_science_statement", "slurm_account"]

Role = ProjectMember.Role


class DateInput(forms.DateInput):
    """A native date picker (``<input type="date">``, ISO dates)."""

    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


_model_fields = fields_for_model(
    Project,
    fields=PROJECT_FORM_FIELDS,
    widgets={
        "summary": forms.Textarea(attrs={"rows": 6}),
        "open_science_statement": forms.Textarea(attrs={"rows": 4}),
        "starts_on": DateInput(),
        "ends_on": DateInput(),
    },
    help_texts={
        "acronym": _("A short name, e.g. “ÉcoFlot 2”."),
        "summary": _("What the project computes and why, in a few paragraphs."),
        "summary_is_public": _("Show the acronym, title, field, organisation, years, summary "
                               "and open-science statement on the public site (once the "
                               "project is active)."),
        "ends_on": _("Resources are planned for each calendar year from the start to the end "
                     "(at most six years)."),
        "dmp_url": _("Optional: a link to the data management plan (e.g. on DMP OPIDoR)."),
    },
)


class ProjectForm(forms.Form):
    """The project sheet: title, acronym, summary (public or not), field, dates, DMP link,
    open-science statement and Slurm account name.

    Args:
        slurm_account_locked: bool — the project has an allocation, so its Slurm
            account is shown read-only and the submitted value is ignored.
        proposed_account: str | None — the name the service would choose for an
            empty Slurm account (shown as the placeholder and in the help text).
        creating: bool — on the creation page the Slurm account may be left empty.
    """

    title = _model_fields["title"]
    acronym = _model_fields["acronym"]
    summary = _model_fields["summary"]
    summary_is_public = _model_fields["summary_is_public"]
    field = _model_fields["field"]
    starts_on = _model_fields["starts_on"]
    ends_on = _model_fields["ends_on"]
    dmp_url = _model_fields["dmp_url"]
    open_science_statement = _model_fields["open_science_statement"]
    slurm_account = forms.CharField(
        label=_("Slurm account"), max_length=30, required=False,
        validators=[RegexValidator(
            SLURM_ACCOUNT_REGEX,
            _("Use 2 to 30 lower-case letters, digits, '_' or '-', starting with a letter."))],
    )

    def __init__(self, *args, slurm_account_locked: bool = False,
                 proposed_account: str | None = None, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [(value, capfirst(label))
                                        for value, label in self.fields["field"].choices]
        field = self.fields["slurm_account"]
        if creating:
            if proposed_account:
                field.widget.attrs["placeholder"] = proposed_account
                field.help_text = _(
                    "The account the project's jobs are charged to on the cluster. Leave it "
                    "empty to use the name proposed from the acronym: %(name)s. Lower-case "
                    "letters, digits, '_' or '-', starting with a letter (2 to 30 characters)."
                ) % {"name": proposed_account}
            else:
                field.help_text = _(
                    "The account the project's jobs are charged to on the cluster. Leave it "
                    "empty and a name is made from the acronym (“ÉcoFlot 2” gives "
                    "“ecoflot_2”). Lower-case letters, digits, '_' or '-', starting with a "
                    "letter (2 to 30 characters).")
        else:
            field.required = True
            field.help_text = _("Lower-case letters, digits, '_' or '-', starting with a letter "
                                "(2 to 30 characters). Fixed once resources are allocated.")
        if slurm_account_locked:
            field.disabled = True
            field.help_text = _("Fixed: resources have been allocated to this account.")

    def clean_acronym(self) -> str:
        """The acronym without surrounding spaces."""
        return self.cleaned_data["acronym"].strip()

    def clean_slurm_account(self) -> str:
        """The account name without surrounding spaces (empty: proposed by the service)."""
        return (self.cleaned_data.get("slurm_account") or "").strip()

    def clean(self):
        """Refuse an end date before the start date (the service checks it again)."""
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The end date must be after the start date."))
        return cleaned


class ProjectMemberAddForm(forms.Form):
    """Add a person to a project by email, as manager or member."""

    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), initial=Role.MEMBER,
                             choices=[(Role.MEMBER, Role.MEMBER.label),
                                      (Role.MANAGER, Role.MANAGER.label)])


class ProjectMemberRoleForm(forms.Form):
    """A new role for a person of a project."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class ProjectCloseForm(forms.Form):
    """The PI confirms closing the project."""

    confirm = forms.BooleanField(
        label=_("I understand that a closed project cannot submit resource requests any more."))


def request_kind_choices(project: Project) -> list[tuple[str, str]]:
    """The kinds of resource request ``project`` may start: emergency only for public bodies."""
    kinds = ResourceRequest.Kind
    choices = [(kinds.NEW, kinds.NEW.label), (kinds.RENEWAL, kinds.RENEWAL.label),
               (kinds.SUPPLEMENT, kinds.SUPPLEMENT.label)]
    if project.organisation.kind == OrganisationKind.PUBLIC_BODY:
        choices.append((kinds.EMERGENCY, kinds.EMERGENCY.label))
    return choices
