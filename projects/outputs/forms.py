"""Forms of the outputs section: one output by hand, a BibTeX file, an import from HAL.
Identifiers are checked and normalised by the recording service
(``services.manual.output_clean``); its errors land on the form's fields."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import ResearchOutput
from .services.manual import FIRST_YEAR

#: The fields people fill in (an explicit list: no mass assignment).
OUTPUT_FORM_FIELDS = ["kind", "title", "authors", "year", "venue", "doi", "hal_id",
                      "arxiv_id", "swhid", "url", "open_access", "licence",
                      "acknowledges_centre"]


class ResearchOutputForm(forms.ModelForm):
    """One output typed by hand."""

    class Meta:
        model = ResearchOutput
        fields = OUTPUT_FORM_FIELDS
        widgets = {"authors": forms.Textarea(attrs={"rows": 2}),
                   "year": forms.NumberInput(attrs={"min": 1900, "max": 2200})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The recording service checks identifiers and links a known output: the
        # model's unique checks must not refuse a DOI that is already recorded.
        self.fields["doi"].validators = []
        self.fields["hal_id"].validators = []

    def clean_year(self):
        """From 1900 to next year (the recording service's rule, said on the field)."""
        year = self.cleaned_data["year"]
        last = timezone.localdate().year + 1
        if year is not None and not FIRST_YEAR <= year <= last:
            raise ValidationError(_("The year must be from %(first)s to %(last)s.")
                                  % {"first": FIRST_YEAR, "last": last})
        return year

    def validate_unique(self):
        """Left to the recording service, which links a known output instead."""

    def validate_constraints(self):
        """Left to the recording service too: the unique DOI and HAL id of a known output
        link it (the year's range is checked by :meth:`clean_year`)."""


class BibtexUploadForm(forms.Form):
    """A BibTeX file (``.bib``, UTF-8, at most ``OUTPUTS_BIBTEX_MAX_BYTES``)."""

    file = forms.FileField(label=_("BibTeX file"),
                           help_text=_("Exported from HAL, Zotero, JabRef or INSPIRE, in "
                                       "UTF-8."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.OUTPUTS_BIBTEX_MAX_BYTES:
            raise ValidationError(
                _("The file is too large (%(size)s); the limit is %(limit)s.")
                % {"size": filesizeformat(upload.size),
                   "limit": filesizeformat(settings.OUTPUTS_BIBTEX_MAX_BYTES)})
        return upload


class HalImportForm(forms.Form):
    """A HAL id, or the project's HAL collection code or query."""

    hal_id = forms.CharField(label=_("HAL id"), required=False, max_length=100,
                             help_text=_("One document, for example hal-01234567."))
    collection = forms.CharField(label=_("HAL collection or query"), required=False,
                                 max_length=200,
                                 help_text=_("Every document of a collection (ALGORIC-HOULE) "
                                             "or of a HAL query; kept for the next "
                                             "import."))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("hal_id", "").strip() and not cleaned.get("collection", "").strip():
            raise ValidationError(_("Give a HAL id, or the project's HAL collection or "
                                    "query."))
        return cleaned
