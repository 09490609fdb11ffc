"""The menu URLs of every page, reversed once per language (algoric.core.context_processors)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from algoric.core.context_processors import MENU_URLS, site_urls


@pytest.mark.parametrize("language", ["fr", "en"])
def test_menu_urls_are_those_reverse_gives_in_each_language(rf, language):
    with translation.override(language):
        urls = site_urls(rf.get("/"))["site_urls"]
        assert dict(urls) == {key: reverse(name) for key, name in MENU_URLS.items()}
    assert urls["missions"] == ("/missions/" if language == "fr" else "/en/missions/")


def test_base_template_reverses_no_url_on_each_request():
    base = (Path(settings.BASE_DIR) / "templates" / "base.html").read_text()
    assert "{% url " not in base


def test_menu_links_follow_the_language(client, db):
    french = client.get(reverse("pages:home")).content.decode()
    assert 'href="/missions/"' in french and 'href="/en/"' in french  # the switch to English
    with translation.override("en"):
        url = reverse("pages:home")
    english = client.get(url).content.decode()
    assert 'href="/en/missions/"' in english and 'hreflang="fr"' in english
