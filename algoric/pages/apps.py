from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    """The public site's pages, edited by staff in Markdown."""

    name = "algoric.pages"
    label = "pages"
    verbose_name = _("Pages")
