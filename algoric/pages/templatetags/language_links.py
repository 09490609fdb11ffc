"""``{% other_language_url code %}``: the page being read, in another language.

The language switch of every page is a plain link (a ``GET``), not a form: a form
posting to ``set_language`` needs a CSRF token, whose cookie would be set for every
anonymous reader and keep the public pages out of the page cache
(:mod:`algoric.core.page_cache`). Every page exists in both languages under its own URL
(French without a prefix, English under ``/en/``), so the link is enough.
"""

from django import template
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def other_language_url(context, code: str) -> str:
    """The URL of the current page (path and query string) in language ``code``; the
    same URL when the page has no name to translate it by (an error page)."""
    request = context.get("request")
    if request is None:
        return "/" if code == "fr" else f"/{code}/"
    return translate_url(request.get_full_path(), code)
