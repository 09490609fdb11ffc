"""Forms of organisations: their details, inviting people, roles, opening a membership."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Organisation, OrganisationMember
from ..validators import normalise_vat_number, validate_siret


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
        fields = ["kind", "name", "siret", "research_code", "vat_number", "chorus_service_code",
                  "purchase_order_number", "usage_invoicing", "address", "postal_code", "city",
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

    def clean_vat_number(self) -> str:
        """The VAT number in its compact form (the model validator checks it)."""
        return normalise_vat_number(self.cleaned_data["vat_number"].strip())

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
