"""Forms of the pages app."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Page


class PageForm(forms.ModelForm):
    """Staff edit of a page; ``version`` carries the version the editor started from."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Page
        fields = ["title_fr", "body_fr", "title_en", "body_en", "menu_order"]
        widgets = {
            "body_fr": forms.Textarea(attrs={"rows": 18}),
            "body_en": forms.Textarea(attrs={"rows": 18}),
        }
        help_texts = {
            "body_fr": _("Markdown. HTML is removed when the page is shown."),
            "body_en": _("Markdown. Leave empty to show the French text."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body_en"].required = False
        self.fields["title_en"].required = False
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
