"""Forms of the life of requests and allocations: the activity report of a renewal, an
extension of an allocation's end date (applicants), and the staff's changes of hours and
decisions on extensions."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from ..services.requests import parse_amount

#: Longest part of an activity report (characters), as on the model.
REPORT_PART_MAX = 8000


def _area(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ActivityReportForm(forms.Form):
    """The activity report of a renewal: what was done, results, problems (each may be
    saved empty while being written; the submission asks for all three)."""

    work = forms.CharField(
        label=gettext_lazy("What was done"), required=False, max_length=REPORT_PART_MAX,
        widget=_area(6),
        help_text=gettext_lazy("The work the project did with its resources over the period: "
                               "simulations, analyses, developments."))
    results = forms.CharField(
        label=gettext_lazy("Results"), required=False, max_length=REPORT_PART_MAX,
        widget=_area(6),
        help_text=gettext_lazy("What came out of it: findings, publications, software, "
                               "data, theses."))
    problems = forms.CharField(
        label=gettext_lazy("Problems met"), required=False, max_length=REPORT_PART_MAX,
        widget=_area(4),
        help_text=gettext_lazy("What went wrong or slower than planned (queues, software, "
                               "people), and hours left unused and why. Write “None” if "
                               "there were none."))


class HoursForm(forms.Form):
    """Staff change of an allocation's unused hours (reduce or transfer): the number of
    hours in the resource's unit (as a person types it) and the reason."""

    amount = forms.CharField(label=gettext_lazy("Hours"), max_length=40)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, widget=_area(2))

    def clean_amount(self):
        try:
            return parse_amount(self.cleaned_data["amount"])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


class ExtensionForm(forms.Form):
    """The PI's request to move an allocation's end date later, with the reason."""

    ends_on = forms.DateField(label=gettext_lazy("New end date"),
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(
        label=gettext_lazy("Why the allocation should end later"), max_length=4000,
        widget=_area(4),
        help_text=gettext_lazy("An extension moves the end date only; it adds no hours (ask "
                               "for a supplement for that)."))


class ExtensionDecisionForm(forms.Form):
    """Staff decision on an extension: a note (required to refuse)."""

    note = forms.CharField(label=gettext_lazy("Note to the PI and managers"), required=False,
                           max_length=4000, widget=_area(2))

