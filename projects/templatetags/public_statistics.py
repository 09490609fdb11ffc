"""``{% load public_statistics %}``: the centre's key figures on pages outside ``projects``
(the home page), without an import from the page's app upward."""

from django import template

from ..selectors.statistics import public_statistics

register = template.Library()


@register.inclusion_tag("projects/home_statistics.html")
def public_key_figures():
    """The key figures of the public statistics (cached; see ``projects.selectors.statistics``),
    with a link to the statistics page."""
    return {"stats": public_statistics()}
