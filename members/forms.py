"""Forms of the members app."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Organisation, OrganisationMember, User
from .validators import validate_cluster_login, validate_siret


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


# --- Organisations, invitations, memberships, agreements ----------------------------------

class OrganisationForm(forms.ModelForm):
    """An organisation's details, for creating it or for its representatives to edit.

    The SIRET is checked here (14 digits, Luhn; spaces allowed) and the RNSR/UAI code
    by the model's validators. Rules across fields (a SIRET for companies, a code only
    for laboratories and schools) and uniqueness are checked by the services, whose
    messages the view puts on the right fields. Bind it without ``instance`` (pass
    ``initial`` when editing): the organisation itself is changed only by the service.
    """

    siret = forms.CharField(
        label=_("SIRET"), max_length=20, required=False,
        help_text=_("14 digits (spaces allowed). Required for companies (SME); leave it empty "
                    "for other kinds of organisation."),
    )

    class Meta:
        model = Organisation
        fields = ["kind", "name", "siret", "research_code", "address", "postal_code", "city",
                  "country", "website", "contact_email", "language"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "kind": _("A company is an SME; choose “Individual member” if you join in your "
                      "own name."),
            "research_code": _("Optional: the RNSR code of a laboratory (9 digits and a letter) "
                               "or the UAI code of a school (7 digits and a letter)."),
            "contact_email": _("The address the association writes to about membership and "
                               "invoices."),
            "language": _("The language the agreement is written in."),
        }

    def clean_siret(self) -> str:
        """Remove spaces; check 14 digits and the check digit (``validate_siret``)."""
        value = self.cleaned_data["siret"].replace(" ", "").strip()
        if value:
            validate_siret(value)
        return value

    def clean_research_code(self) -> str:
        """Upper-case and strip the RNSR/UAI code (the model validator checks its format)."""
        return self.cleaned_data["research_code"].strip().upper()

    def validate_constraints(self) -> None:
        """Leave the database constraints to the service, which explains them in words."""


class InvitationForm(forms.Form):
    """Invite a person by email to join an organisation with a role."""

    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=OrganisationMember.Role.choices,
                             initial=OrganisationMember.Role.MEMBER)


class MemberRoleForm(forms.Form):
    """A new role for a person of an organisation."""

    role = forms.ChoiceField(label=_("Role"), choices=OrganisationMember.Role.choices)


class MembershipOpenForm(forms.Form):
    """The calendar year of the membership to open."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2999)


class AgreementSignatoryForm(forms.Form):
    """The person who will sign a draft agreement for the organisation."""

    signatory_name = forms.CharField(label=_("Signatory's name"), max_length=150)
    signatory_title = forms.CharField(
        label=_("Signatory's title"), max_length=150,
        help_text=_("For example: managing director, head of laboratory, mayor."),
    )
