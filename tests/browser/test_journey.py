"""A visitor's journey in a real browser: read in French, switch to English, sign up,
confirm the email address, log in and enrol an authenticator app (TOTP).

Screenshots of each step are written to ``var/screenshots/`` (01-… to 09-…).
"""

import re
import time
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail

from algoric.notifications.models import Notification
from members.models import User

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

EMAIL = "ada.kerbrat@example.org"
PASSWORD = "Tide-mill-Auray-2026-qz"  # 23 characters, unrelated to the name and email
TOTP_PERIOD = 30

CONFIRM_LINK_RE = re.compile(r"https?://[^\s\"'<>]+/accounts/confirm-email/[^\s\"'<>/]+/")


def _url(live_server, path: str) -> str:
    return f"{live_server.url}{path}"


def _path(page) -> str:
    return urlsplit(page.url).path


def _shot(page, directory, name: str) -> None:
    page.screenshot(path=str(directory / name), full_page=True)


def _form_with(page, field_name: str):
    """The ``<form>`` holding the input named ``field_name`` (the header has forms too)."""
    return page.locator(f"form:has([name='{field_name}'])")


def _chrome_texts(page) -> dict[str, str]:
    """Texts of the site's own interface around the page (menu, sign-up link, footer)."""
    locators = {
        "menu_join": page.locator("#main-nav a.nav-link[href$='/join/']"),
        "menu_hardware": page.locator("#main-nav a.nav-link[href$='/hardware/']"),
        "sign_up": page.locator("#main-nav a[href$='/accounts/signup/']"),
        "footer_legal": page.locator("footer a[href$='/legal/']"),
        "footer_text": page.locator("footer p").first,
    }
    return {key: locator.inner_text().strip() for key, locator in locators.items()}


def _current_totp(secret: str) -> str:
    """A TOTP code that stays valid for at least 4 more seconds (waits if needed)."""
    remaining = TOTP_PERIOD - time.time() % TOTP_PERIOD
    if remaining < 4:
        time.sleep(remaining + 0.2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // TOTP_PERIOD))


@pytest.mark.django_db(transaction=True)
def test_visitor_signs_up_confirms_logs_in_and_enrols_totp(
    live_server, public_pages, browser_page, screenshot_dir
):
    page = browser_page
    missions = public_pages.get(slug="missions")
    assert missions.title_fr != missions.title_en

    # 1. The visitor reads the missions page in French (no URL prefix).
    response = page.goto(_url(live_server, "/missions/"))
    assert response is not None and response.status == 200
    assert "script-src 'self'" in (response.header_value("content-security-policy") or "")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text(missions.title_fr)
    expect(page).to_have_title(re.compile(re.escape(missions.title_fr)))
    switcher = page.locator(".language-switcher a[hreflang]")
    expect(switcher).to_have_count(1)
    expect(switcher).to_have_attribute("hreflang", "en")
    expect(switcher).to_have_text("EN")
    chrome_fr = _chrome_texts(page)
    _shot(page, screenshot_dir, "01-missions-fr.png")

    # 2. The "EN" button of the language switcher leads to the same page in English.
    with page.expect_navigation():
        switcher.click()
    page.wait_for_url(re.compile(r"/en/missions/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text(missions.title_en)
    expect(page).to_have_title(re.compile(re.escape(missions.title_en)))
    switcher = page.locator(".language-switcher a[hreflang]")
    expect(switcher).to_have_attribute("hreflang", "fr")
    expect(switcher).to_have_text("FR")
    chrome_en = _chrome_texts(page)
    untranslated = {key for key in chrome_fr if chrome_fr[key] == chrome_en[key]}
    assert not untranslated, f"header/footer not translated into French: {chrome_en}"
    _shot(page, screenshot_dir, "02-missions-en.png")

    # 3. Sign-up in English.
    page.goto(_url(live_server, "/en/accounts/signup/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    form = _form_with(page, "password1")
    form.locator("input[name='first_name']").fill("Ada")
    form.locator("input[name='last_name']").fill("Kerbrat")
    form.locator("input[name='email']").fill(EMAIL)
    form.locator("input[name='password1']").fill(PASSWORD)
    form.locator("input[name='password2']").fill(PASSWORD)
    _shot(page, screenshot_dir, "03-signup-filled.png")
    with page.expect_navigation():
        form.locator("button[type='submit']").click()
    page.wait_for_url(re.compile(r"/en/accounts/confirm-email/$"))
    expect(page.locator("h1")).to_have_text(re.compile("verify your email", re.IGNORECASE))
    _shot(page, screenshot_dir, "04-verify-email-sent.png")

    user = User.objects.get(email__iexact=EMAIL)
    assert (user.first_name, user.last_name, user.language) == ("Ada", "Kerbrat", "en")
    assert not user.emailaddress_set.get(email__iexact=EMAIL).verified

    # 4. The confirmation message is in the outbox (and was sent by the eager worker).
    notification = Notification.objects.get(email=EMAIL, event="email_confirmation_signup")
    match = CONFIRM_LINK_RE.search(notification.body)
    assert match, f"no confirmation link in:\n{notification.body}"
    link = urlsplit(match.group(0))
    assert link.path.startswith("/en/accounts/confirm-email/"), link.path
    sent = [message for message in mail.outbox if EMAIL in message.to]
    assert sent and match.group(0) in sent[-1].body

    page.goto(_url(live_server, link.path))  # the live server's host and port
    expect(page.locator("h1")).to_have_text(re.compile("confirm email address", re.IGNORECASE))
    _shot(page, screenshot_dir, "05-confirm-email.png")
    with page.expect_navigation():
        page.locator("form[action*='/confirm-email/'] button[type='submit']").click()
    page.wait_for_load_state()
    assert user.emailaddress_set.get(email__iexact=EMAIL).verified
    _shot(page, screenshot_dir, "06-email-confirmed.png")

    # allauth may resume the pending sign-up login on confirmation: start from logged out.
    logout = page.locator("form[action$='/accounts/logout/'] button[type='submit']")
    if logout.count():
        with page.expect_navigation():
            logout.click()

    # 5. Log in with email and password; the profile page follows.
    page.goto(_url(live_server, "/en/accounts/login/"))
    form = _form_with(page, "password")
    form.locator("input[name='login']").fill(EMAIL)
    form.locator("input[name='password']").fill(PASSWORD)
    with page.expect_navigation():
        form.locator("button[type='submit']").click()
    page.wait_for_url(re.compile(r"/en/account/profile/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Your profile")
    expect(page.locator("main")).to_contain_text(EMAIL)
    _shot(page, screenshot_dir, "07-profile.png")

    # 6. Enrol an authenticator app (reauthenticating first if allauth asks for it).
    page.goto(_url(live_server, "/en/accounts/2fa/totp/activate/"))
    if "/reauthenticate/" in _path(page):
        form = _form_with(page, "password")
        form.locator("input[name='password']").fill(PASSWORD)
        with page.expect_navigation():
            form.locator("button[type='submit']").click()
    page.wait_for_url(re.compile(r"/en/accounts/2fa/totp/activate/$"))
    expect(page.locator("img[src^='data:image/svg+xml']")).to_be_visible()
    secret = page.locator("#authenticator_secret").input_value().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", secret), secret
    _shot(page, screenshot_dir, "08-totp-activate.png")

    form = _form_with(page, "code")
    form.locator("input[name='code']").fill(_current_totp(secret))
    with page.expect_navigation():
        form.locator("button[type='submit']").click()
    page.wait_for_url(re.compile(r"/en/accounts/2fa/(recovery-codes/)?$"))
    if _path(page).endswith("/recovery-codes/"):
        expect(page.locator("#recovery_codes")).to_be_visible()
        codes = page.locator("#recovery_codes").input_value().split()
        assert len(codes) >= 1
    else:
        expect(page.locator("main")).to_contain_text("authenticator app is active")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    _shot(page, screenshot_dir, "09-totp-enabled.png")

    # 7. Nothing went wrong in the browser along the way.
    problems = page.problems
    assert not problems.csp_violations, problems.summary()
    assert not problems.page_errors, problems.summary()
    assert not problems.console_errors, problems.summary()
    assert not problems.failed_requests, problems.summary()
    assert not problems.error_responses, problems.summary()
