"""Forms of the usage pages: the year filter and the staff's mapping of an account."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Project

#: Years a usage page may show.
MIN_YEAR, MAX_YEAR = 2000, 2100


class YearForm(forms.Form):
    """``?year=YYYY`` of the usage pages; an absent or bad year falls back to the default."""

    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR,
                              required=False)

    def year_or(self, default: int) -> int:
        """The year asked for when it is valid, else ``default``."""
        if self.is_valid() and self.cleaned_data["year"]:
            return self.cleaned_data["year"]
        return default


class AccountAliasForm(forms.Form):
    """Map one (cluster, account) seen in the accounting to a project (staff)."""

    cluster = forms.CharField(label=_("Cluster"), max_length=64, widget=forms.HiddenInput)
    account = forms.CharField(label=_("Slurm account"), max_length=64,
                              widget=forms.HiddenInput)
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none(),
                                     empty_label=_("Choose a project"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.order_by("acronym", "pk")
