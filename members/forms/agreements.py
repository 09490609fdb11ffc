"""Forms of agreements (conventions) on the members' pages."""

from django import forms
from django.utils.translation import gettext_lazy as _


class AgreementSignatoryForm(forms.Form):
    """The person who will sign a draft agreement for the organisation."""

    signatory_name = forms.CharField(label=_("Signatory's name"), max_length=150)
    signatory_title = forms.CharField(
        label=_("Signatory's title"), max_length=150,
        help_text=_("For example: managing director, head of laboratory, mayor."),
    )
