from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    """The public site's pages, edited by staff in Markdown."""

    name = "algoric.pages"
    label = "pages"
    verbose_name = _("Pages")

    def ready(self) -> None:
        # Imported here: the models need the app registry ready (Django's app loading).
        from algoric.core.page_cache import register_public_content

        from .models import Page

        register_public_content(Page, "pages")
