"""Forms of billing: a draft invoice, a line, a payment, a credit note, an export period."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.models import Organisation

from .models import Payment


class DateInput(forms.DateInput):
    """A browser date picker: its value must be ISO 8601 (``YYYY-MM-DD``)."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002 - Django's argument name
        super().__init__(attrs=attrs, format=format)


class InvoiceCreateForm(forms.Form):
    """A new draft: the organisation, optionally this year's membership fee or a period of
    computing to invoice, and a note printed on it."""

    organisation = forms.ModelChoiceField(label=_("Organisation"),
                                          queryset=Organisation.objects.order_by("name"))
    membership_year = forms.IntegerField(
        label=_("Membership fee of year"), required=False, min_value=2000, max_value=2999,
        help_text=_("Leave empty for an invoice that is not a membership fee."))
    period_start = forms.DateField(label=_("Computing used from"), required=False,
                                   widget=DateInput)
    period_end = forms.DateField(label=_("to"), required=False, widget=DateInput)
    note = forms.CharField(label=_("Note printed on the invoice"), required=False,
                           max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        """A period has both its ends or neither."""
        data = super().clean()
        if bool(data.get("period_start")) != bool(data.get("period_end")):
            raise forms.ValidationError(_("Give both ends of the period, or neither."))
        return data


class LineForm(forms.Form):
    """A free line (training, support…): label, quantity and unit, unit price, VAT rate."""

    label = forms.CharField(label=_("Label"), max_length=300)
    quantity = forms.DecimalField(label=pgettext_lazy("invoice line", "Quantity"), min_value=0,
                                  max_digits=14, decimal_places=4)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    unit_price = forms.DecimalField(label=_("Unit price excl. VAT (EUR)"), min_value=0,
                                    max_digits=12, decimal_places=4)
    vat_rate = forms.DecimalField(label=_("VAT rate (%)"), min_value=0, max_value=100,
                                  max_digits=5, decimal_places=2, required=False,
                                  help_text=_("Empty: the association's rate."))


class PaymentForm(forms.Form):
    """Money received: amount, date, method and reference."""

    amount = forms.DecimalField(label=_("Amount (EUR)"), min_value=0, max_digits=12,
                                decimal_places=2)
    paid_on = forms.DateField(label=_("Received on"), widget=DateInput,
                              initial=timezone.localdate)
    method = forms.ChoiceField(label=_("Method"), choices=Payment.Method.choices)
    reference = forms.CharField(label=_("Reference"), max_length=100)


class CreditNoteForm(forms.Form):
    """Why the invoice is credited, and how much (empty: the whole invoice)."""

    reason = forms.CharField(label=_("Reason"), max_length=2000)
    amount = forms.DecimalField(label=_("Amount including VAT (EUR)"), required=False,
                                min_value=0, max_digits=12, decimal_places=2,
                                help_text=_("Empty: the whole invoice."))


class PeriodForm(forms.Form):
    """The period of the accountant's export (both days included)."""

    start = forms.DateField(label=_("From"), widget=DateInput)
    end = forms.DateField(label=_("To"), widget=DateInput)

    def clean(self):
        """The period ends on or after its start."""
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data
