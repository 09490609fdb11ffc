"""Pages of the public site, written in Markdown in both languages by staff."""

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Page(models.Model):
    """One page of the public site (home, missions, hardware, join, legal, privacy).

    Title and body exist in French and English; the body is Markdown, rendered
    and sanitised on display (see :func:`algoric.pages.markdown.render_markdown`).
    ``version`` grows by one at each edit so that a stale edit can be refused.
    """

    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_fr = models.TextField(_("body (French, Markdown)"))
    body_en = models.TextField(_("body (English, Markdown)"))
    menu_order = models.PositiveSmallIntegerField(
        _("menu order"), default=0, help_text=_("0 keeps the page out of the main menu.")
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["menu_order", "slug"]

    def __str__(self) -> str:
        return self.title

    def _localised(self, field: str) -> str:
        language = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
        value = getattr(self, f"{field}_{language}", "") if language in ("fr", "en") else ""
        return value or getattr(self, f"{field}_fr")

    @property
    def title(self) -> str:
        """The title in the active language (French when the English one is empty)."""
        return self._localised("title")

    @property
    def body(self) -> str:
        """The Markdown body in the active language (French when the English one is empty)."""
        return self._localised("body")
