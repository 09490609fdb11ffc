"""Forms of the staff pages: agreement decisions, payments, fees and terms."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import OrganisationKind, TermsTemplate
from ..services.fees import FEE_YEAR_MAX, FEE_YEAR_MIN


class DateInput(forms.DateInput):
    """A native date picker (``<input type="date">``, ISO dates)."""

    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


def _note_field(label, *, required: bool, help_text="") -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=2000, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ApproveForm(forms.Form):
    """Approve a submitted agreement, with an optional note for the history."""

    note = _note_field(_("Note (optional)"), required=False,
                       help_text=_("Kept in the agreement's history."))


class RequestChangesForm(forms.Form):
    """Send a submitted agreement back to draft, saying what to change."""

    note = _note_field(_("What should be changed"), required=True,
                       help_text=_("Sent to the organisation's representatives."))


class RejectForm(forms.Form):
    """Reject a submitted agreement, with the reason."""

    reason = _note_field(_("Reason for the rejection"), required=True,
                         help_text=_("Sent to the organisation's representatives."))


class CountersignForm(forms.Form):
    """Countersign a signed agreement: it is valid one year from ``starts_on``."""

    starts_on = forms.DateField(label=_("Valid from"), widget=DateInput(),
                                help_text=_("The agreement is valid for one year from this day."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"starts_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class TerminateForm(forms.Form):
    """Terminate an active agreement today, with the reason."""

    reason = _note_field(_("Reason for the termination"), required=True,
                         help_text=_("Sent to the organisation's representatives."))


class PaymentForm(forms.Form):
    """Record the payment of a membership fee."""

    paid_on = forms.DateField(label=_("Date paid"), widget=DateInput(),
                              help_text=_("The day the association received the money."))
    reference = forms.CharField(label=_("Payment reference"), max_length=100,
                                help_text=_("Bank transfer or cheque reference."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"paid_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class WaiveForm(forms.Form):
    """Waive a membership fee, saying why."""

    note = forms.CharField(label=_("Why the fee is waived"), max_length=2000)


class MembershipOpenForm(forms.Form):
    """Open an organisation's membership for a year, at the scheduled fee."""

    year = forms.IntegerField(label=_("Year"), min_value=FEE_YEAR_MIN, max_value=FEE_YEAR_MAX)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)


class FeeScheduleForm(forms.Form):
    """The fees of every kind of organisation for one year; a blank amount is left unset.

    ``cleaned_data["amounts"]`` holds ``{kind: Decimal}`` for the amounts given.
    """

    year = forms.IntegerField(label=_("Year"), min_value=FEE_YEAR_MIN, max_value=FEE_YEAR_MAX)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in OrganisationKind.choices:
            self.fields[f"amount_{kind}"] = forms.DecimalField(
                label=label, required=False, min_value=Decimal("0"), max_digits=9,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            )

    def amount_fields(self):
        """The bound amount fields, in the order of the kinds."""
        return [self[f"amount_{kind}"] for kind in OrganisationKind.values]

    def clean(self):
        cleaned = super().clean()
        cleaned["amounts"] = {
            kind: cleaned[f"amount_{kind}"] for kind in OrganisationKind.values
            if cleaned.get(f"amount_{kind}") is not None
        }
        if not cleaned["amounts"] and not self.errors:
            raise forms.ValidationError(_("Give at least one amount."))
        return cleaned


class TermsForm(forms.ModelForm):
    """The text of a terms version, French and English (Markdown).

    ``seen_updated_at`` carries the version's ``updated_at`` as loaded, so that a
    save over someone else's newer save is refused.
    """

    seen_updated_at = forms.DateTimeField(required=False, widget=forms.HiddenInput())

    class Meta:
        model = TermsTemplate
        fields = ["title_fr", "body_fr", "title_en", "body_en"]
        widgets = {
            "body_fr": forms.Textarea(attrs={"rows": 18, "class": "font-monospace"}),
            "body_en": forms.Textarea(attrs={"rows": 18, "class": "font-monospace"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["seen_updated_at"] = self.instance.updated_at.isoformat()
