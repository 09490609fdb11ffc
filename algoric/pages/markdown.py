"""Markdown rendering with sanitising, for any text staff or members write."""

from functools import lru_cache

import markdown as md
import nh3

#: Tags and attributes kept after rendering: text structure, links, images, tables.
ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3", "h4",
    "h5", "h6", "hr", "img", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align"},
    "td": {"align"},
}


# The same text always gives the same HTML: the pages' bodies (a few, edited rarely) are
# rendered once per process; 11 ms a page view with the Markdown library otherwise.
@lru_cache(maxsize=256)
def render_markdown(text: str) -> str:
    """Render Markdown ``text`` to HTML safe to insert in a page.

    Raw HTML in the input is escaped by the sanitiser (nh3, an ammonia binding):
    only :data:`ALLOWED_TAGS` survive, links may use ``http``, ``https`` and
    ``mailto`` only and get ``rel="noopener noreferrer"``. A level-1 heading in the
    text becomes level 2 (the page title is the only ``h1``).
    """
    html = md.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
