"""Public pages in both languages, sanitised Markdown, and their staff editing."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from algoric.pages.markdown import render_markdown
from algoric.pages.models import Page

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

#: Slug of each public page and the name of its route (the hardware page, which also
#: lists the catalogue, is routed by the resources app).
PUBLIC = {"home": "pages:home", "missions": "pages:missions", "hardware": "resources:hardware",
          "join": "pages:join", "legal": "pages:legal", "privacy": "pages:privacy"}


@pytest.mark.parametrize("name", PUBLIC)
def test_public_page_renders_in_french_and_english(client, name):
    page = Page.objects.get(slug=name)
    french = client.get(reverse(PUBLIC[name]))
    english = client.get("/en" + reverse(PUBLIC[name]))
    assert french.status_code == english.status_code == HTTPStatus.OK
    assert '<html lang="fr">' in french.content.decode()
    assert '<html lang="en">' in english.content.decode()
    assert page.title_fr in french.content.decode()
    assert page.title_en in english.content.decode()


def test_shipped_pages_tell_the_missions():
    missions = Page.objects.get(slug="missions")
    text = missions.body_fr.lower()
    for word in ("urgence", "vert", "fablab"):
        assert word in text
    assert "emergency" in missions.body_en.lower()


def test_language_switcher_keeps_the_page(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/missions/"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/en/missions/"


def test_language_switcher_refuses_foreign_next(client):
    response = client.post(reverse("set_language"),
                           {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] in {"/", "/en/"}


def test_markdown_is_sanitised():
    html = render_markdown(
        "# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) "
        "<img src=x onerror=alert(1)> [ok](https://algoric.org)"
    )
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert "<h2>Title</h2>" in html
    assert 'href="https://algoric.org"' in html and 'rel="noopener noreferrer"' in html


def test_hostile_page_text_is_not_executed_on_the_page(client):
    Page.objects.filter(slug="legal").update(body_fr='<script>alert("x")</script> **ok**',
                                             title_fr='<b onmouseover="x()">Titre</b>')
    body = client.get(reverse("pages:legal")).content.decode()
    assert '<script>alert("x")</script>' not in body
    assert '<b onmouseover' not in body
    assert "&lt;b onmouseover" in body


def test_unknown_page_is_404(client):
    assert client.get("/no-such-page/").status_code == HTTPStatus.NOT_FOUND


def test_staff_page_editor_requires_staff(client, member):
    url = reverse("pages:staff_edit", args=["missions"])
    anonymous = client.get(url)
    assert anonymous.status_code == HTTPStatus.FOUND
    assert anonymous["Location"].startswith(reverse("account_login"))
    client.force_login(member)
    assert client.get(url).status_code == HTTPStatus.FORBIDDEN
    assert client.post(url, {"title_fr": "Pirate"}).status_code == HTTPStatus.FORBIDDEN
    assert Page.objects.get(slug="missions").title_fr != "Pirate"


def test_staff_without_mfa_is_sent_to_enrol(client, staff):
    client.force_login(staff)
    for url in (reverse("pages:staff_list"), "/admin/"):
        response = client.get(url)
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"] == reverse("mfa_activate_totp")


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_with_mfa_edits_page_and_stale_edit_is_refused(client, staff_with_mfa):
    client.force_login(staff_with_mfa)
    page = Page.objects.get(slug="join")
    url = reverse("pages:staff_edit", args=["join"])
    assert client.get(url).status_code == HTTPStatus.OK
    data = {"title_fr": "Adhérer", "title_en": "Join", "body_fr": "Nouveau texte",
            "body_en": "New text", "menu_order": 3, "version": page.version}
    assert client.post(url, data).status_code == HTTPStatus.FOUND
    page.refresh_from_db()
    assert (page.body_fr, page.version, page.updated_by) == ("Nouveau texte", 2, staff_with_mfa)
    # A second editor who loaded version 1 cannot overwrite version 2.
    stale = client.post(url, {**data, "body_fr": "Ancien brouillon"})
    assert stale.status_code == HTTPStatus.CONFLICT
    page.refresh_from_db()
    assert page.body_fr == "Nouveau texte"


def test_english_body_falls_back_to_french(client):
    Page.objects.filter(slug="legal").update(body_en="", title_en="")
    page = Page.objects.get(slug="legal")
    body = client.get("/en/legal/").content.decode()
    assert page.title_fr in body


def test_staff_page_is_not_cached(client, staff_with_mfa):
    client.force_login(staff_with_mfa)
    response = client.get(reverse("pages:staff_list"))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_member_sees_no_staff_link(client):
    client.force_login(UserFactory())
    assert reverse("members:staff_dashboard") not in client.get("/").content.decode()
