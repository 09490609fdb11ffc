"""Template context of every page: the URLs of the site's menus, reversed once per language.

The header and footer of ``base.html`` link to some sixteen named URLs on every page;
reversing them with ``{% url %}`` on each request cost about 2 ms of a signed-in page
(cProfile of the test client, issue 19). They depend only on the language (and the script
prefix), so they are reversed once per process and language.
"""

from __future__ import annotations

from functools import lru_cache
from types import MappingProxyType

from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language, override

#: Template key → URL name of every link of the site's menus (base.html).
MENU_URLS = {
    "home": "pages:home",
    "missions": "pages:missions",
    "join": "pages:join",
    "legal": "pages:legal",
    "privacy": "pages:privacy",
    "hardware": "resources:hardware",
    "statistics": "projects:public_statistics",
    "public_projects": "projects:public_list",
    "agenda": "training:agenda",
    "my_training": "training:my_registrations",
    "projects": "projects:project_list",
    "profile": "members:profile",
    "organisations": "members:organisation_list",
    "staff": "members:staff_dashboard",
    "inbox": "notifications:inbox",
    "login": "account_login",
    "signup": "account_signup",
    "logout": "account_logout",
}


@lru_cache(maxsize=16)
def _menu_urls(language: str, prefix: str) -> MappingProxyType:
    with override(language):
        return MappingProxyType({key: reverse(name) for key, name in MENU_URLS.items()})


def site_urls(request) -> dict:
    """``site_urls``: :data:`MENU_URLS` reversed in the active language, a read-only
    mapping (key → path), computed once per process, language and script prefix."""
    return {"site_urls": _menu_urls(get_language() or "fr", get_script_prefix())}
