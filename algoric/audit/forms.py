"""The filters of the staff audit page."""



from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent


class AuditFilterForm(forms.Form):
    """Filters of :func:`algoric.audit.views.event_list`; every field is optional."""

    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All"))] + list(AuditEvent.Category.choices))
    action = forms.CharField(label=_("Action"), required=False, max_length=64,
                             help_text=_("Beginning of the action name, e.g. agreement."))
    actor = forms.CharField(label=_("Who (email)"), required=False, max_length=254)
    date_from = forms.DateField(label=_("Since"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Until"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    ip = forms.GenericIPAddressField(label=_("Client address"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filters(self) -> dict:
        """The cleaned filters as keyword arguments of :func:`selectors.audit_event_list`."""
        data = self.cleaned_data
        return {
            "category": data.get("category") or None,
            "action": (data.get("action") or "").strip() or None,
            "actor": (data.get("actor") or "").strip() or None,
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "ip": data.get("ip") or None,
        }



