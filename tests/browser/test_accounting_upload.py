"""Accounting upload in a real browser, on the French site.

A staff member logs in with a TOTP code, uploads a small ``sacct`` file on the
accounting page and sees its import done with its counts; then a file that is mostly
garbage, and sees the failure. The live server runs Celery eagerly: the import ends
during the upload request, so the bar is not seen moving there; a second test opens
the page of an import marked ``running`` in the database and checks the bar, the
no-JavaScript refresh and the JavaScript polling of ``progress.json``, which reloads
the page once the import is done.

Screenshots: ``var/screenshots/accounting-NN-<what>.png``.
"""

import re
import time
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from resources.models import AccountingImport, Cluster
from tests.factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

TOTP_PERIOD = 30

# A CPU job, a GPU job and the GPU job's batch step, in the 26-field sacct order.
GOOD_SACCT = (
    "7301|7301|breizh|standard|normal|proj-houle|houle|5001|maelle|6001|"
    "2026-04-07T06:00:00|2026-04-07T06:00:00|2026-04-07T06:02:00|2026-04-07T09:02:00|"
    "03:00:00|0:0|COMPLETED|2|32|32|64000Mn|billing=32,cpu=32,mem=64000M,node=2|"
    "billing=32,cpu=32,mem=64000M,node=2|06:00:00|node[03-04]|houle-bretagne\n"
    "7302|7302|breizh|gpu|normal|proj-houle|houle|5001|gwenael|6002|"
    "2026-04-07T07:00:00|2026-04-07T07:00:00|2026-04-07T07:01:00|2026-04-07T07:46:00|"
    "00:45:00|1:0|FAILED|1|8|8|32000Mn|billing=8,cpu=8,gres/gpu=2,mem=32000M,node=1|"
    "billing=8,cpu=8,gres/gpu=2,mem=32000M,node=1|01:00:00|gpu02|modèle-marée\n"
    "7302.batch|7302.batch|breizh||||houle|5001|||"
    "2026-04-07T07:01:00|2026-04-07T07:01:00|2026-04-07T07:01:00|2026-04-07T07:46:00|"
    "00:45:00|1:0|FAILED|1|8|8|32000Mn||cpu=8,mem=32000M,node=1||gpu02|batch\n"
).encode()

# Mostly garbage: far more than 5 % bad lines, so nothing from the file is kept.
BAD_FILE = b"".join(b"ceci n'est pas une ligne sacct %d\n" % n for n in range(30)) + GOOD_SACCT


def fr(source: str) -> str:
    """``source`` as the French pages show it (the English source while untranslated)."""
    with translation.override("fr"):
        return gettext(source)


def _path(page) -> str:
    return urlsplit(page.url).path


def _shot(page, directory, number: int, what: str) -> None:
    page.screenshot(path=str(directory / f"accounting-{number:02d}-{what}.png"), full_page=True)


def _click_and_wait(page, locator) -> None:
    with page.expect_navigation():
        locator.click()
    page.wait_for_load_state()


def _current_totp(secret: str) -> str:
    """The TOTP code of ``secret``, valid for at least 4 more seconds (waits if needed)."""
    remaining = TOTP_PERIOD - time.time() % TOTP_PERIOD
    if remaining < 4:
        time.sleep(remaining + 0.2)
    return str(hotp_value(secret, int(time.time()) // TOTP_PERIOD)).zfill(6)


@pytest.fixture
def desk(transactional_db):
    """A staff member with TOTP, and the cluster ``breizh``."""
    staff = StaffFactory(email="yann.staff@example.org", first_name="Yann",
                         last_name="Le Goff", language="fr")
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    staff.totp_secret = secret
    Cluster.objects.create(name="breizh")
    return staff


def _upload(page, name: str, data: bytes) -> None:
    form = page.locator("main form[enctype='multipart/form-data']")
    form.locator("input[name='file']").set_input_files(
        {"name": name, "mimeType": "text/plain", "buffer": data})
    form.locator("select[name='format']").select_option("sacct")
    form.locator("select[name='cluster']").select_option("breizh")


def _no_problems(page) -> None:
    problems = page.problems
    assert not (problems.console_errors or problems.page_errors or problems.csp_violations
                or problems.failed_requests), problems.summary()


@pytest.mark.django_db(transaction=True)
def test_staff_uploads_sacct_file_and_sees_the_result(live_server, desk, browser_page,
                                                       screenshot_dir):
    page = browser_page
    page.goto(f"{live_server.url}/staff/accounting/")
    assert _path(page) == "/accounts/login/", page.url  # staff only
    form = page.locator("form:has([name='password'])")
    form.locator("input[name='login']").fill(desk.email)
    form.locator("input[name='password']").fill(PASSWORD)
    _click_and_wait(page, form.locator("button[type='submit']"))
    assert _path(page) == "/accounts/2fa/authenticate/", page.url
    code_form = page.locator("form:has([name='code'])")
    code_form.locator("input[name='code']").fill(_current_totp(desk.totp_secret))
    _click_and_wait(page, code_form.locator("button[type='submit']:not([form])"))
    assert _path(page) == "/staff/accounting/", page.url
    expect(page.locator("main h1")).to_have_text(fr("Accounting imports"))
    expect(page.locator("main")).to_contain_text(fr("No accounting has been imported yet."))

    # 1. A good file: the import runs (eagerly) and its page shows the counts.
    _upload(page, "breizh-2026-04-07.sacct", GOOD_SACCT)
    _shot(page, screenshot_dir, 1, "upload")
    _click_and_wait(page, page.locator("main form[enctype='multipart/form-data'] "
                                       "button[type='submit']"))
    accounting_import = AccountingImport.objects.get()
    assert _path(page) == f"/staff/accounting/{accounting_import.pk}/"
    assert accounting_import.status == AccountingImport.Status.DONE
    expect(page.locator("main [data-import-status]")).to_have_text(fr("done"))
    expect(page.locator("main [data-count='lines_read']")).to_have_text("3")
    expect(page.locator("main [data-count='jobs_added']")).to_have_text("2")
    expect(page.locator("main [data-count='steps_skipped']")).to_have_text("1")
    expect(page.locator("main [data-count='error_count']")).to_have_text("0")
    expect(page.locator("main [role='progressbar']")).to_have_count(0)
    _shot(page, screenshot_dir, 2, "done")

    # The list shows it, newest first.
    _click_and_wait(page, page.locator("main a[href='/staff/accounting/']").last)
    first_row = page.locator("main table tbody tr").first
    expect(first_row).to_contain_text("breizh-2026-04-07.sacct")
    expect(first_row.locator(".badge")).to_have_text(fr("done"))

    # The same file again is refused, with a message.
    _upload(page, "copie.sacct", GOOD_SACCT)
    _click_and_wait(page, page.locator("main form[enctype='multipart/form-data'] "
                                       "button[type='submit']"))
    assert _path(page) == "/staff/accounting/"
    expect(page.locator("main .alert-danger").first).to_contain_text("breizh-2026-04-07.sacct")
    assert AccountingImport.objects.count() == 1
    # That refusal is answered 400, which the browser logs as an error: expected here.
    assert page.problems.error_responses == [f"400 {live_server.url}/staff/accounting/"]
    page.problems.console_errors.clear()
    page.problems.error_responses.clear()

    # 2. A file of garbage: more than 5 % bad lines, the import fails and says why.
    _upload(page, "pas-du-sacct.txt", BAD_FILE)
    _click_and_wait(page, page.locator("main form[enctype='multipart/form-data'] "
                                       "button[type='submit']"))
    failed = AccountingImport.objects.get(file_name="pas-du-sacct.txt")
    assert failed.status == AccountingImport.Status.FAILED
    assert _path(page) == f"/staff/accounting/{failed.pk}/"
    expect(page.locator("main [data-import-status]")).to_have_text(fr("failed"))
    expect(page.locator("main .alert-danger")).to_contain_text(
        fr("The import failed: nothing from this file was kept."))
    expect(page.locator("main .alert-danger")).to_contain_text(failed.failure[:40])
    errors = page.locator("section[aria-labelledby='errors-title'] tbody tr")
    expect(errors.first.locator("td").first).to_have_text("1")
    _shot(page, screenshot_dir, 3, "failed")
    _no_problems(page)


def _signed_in(context, live_server, user) -> None:
    """Give the browser ``context`` a session of ``user`` (the login is not this test's
    subject; a TOTP code may not be used twice in one period)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                          "url": live_server.url}])


@pytest.mark.django_db(transaction=True)
def test_running_import_page_shows_the_bar_and_polls(live_server, desk, browser_page, chromium,
                                                     screenshot_dir):
    running = AccountingImport.objects.create(
        cluster="breizh", format="sacct", source="api", file_name="breizh-nuit.sacct",
        size_bytes=10_000, sha256="b" * 64, status="running", bytes_read=3_700,
        lines_read=41)
    detail = f"/staff/accounting/{running.pk}/"
    progress = f"/staff/accounting/{running.pk}/progress.json"

    # Without JavaScript: the bar, and the page reloads itself (meta refresh, 3 s).
    no_js = chromium.new_context(java_script_enabled=False, locale="fr-FR",
                                 viewport={"width": 1280, "height": 900})
    try:
        _signed_in(no_js, live_server, desk)
        plain = no_js.new_page()
        loads = []
        plain.on("load", lambda _page: loads.append(time.monotonic()))
        plain.goto(f"{live_server.url}{detail}")
        bar = plain.locator("main [role='progressbar']")
        expect(bar).to_have_attribute("aria-valuenow", "37")
        assert plain.locator("main .progress-bar").bounding_box()["width"] > 0
        assert '<meta http-equiv="refresh" content="3">' in plain.content()
        deadline = time.monotonic() + 8
        while len(loads) < 2 and time.monotonic() < deadline:
            plain.wait_for_timeout(250)
        assert len(loads) >= 2, "the page did not refresh itself without JavaScript"
    finally:
        no_js.close()

    # With JavaScript: progress.json is polled every second and the bar follows.
    page = browser_page
    _signed_in(page.context, live_server, desk)
    polls = []
    page.on("request", lambda request: (urlsplit(request.url).path == progress
                                        and polls.append(request.url)))
    page.goto(f"{live_server.url}{detail}")
    expect(page.locator("main [data-import-status]")).to_have_text(fr("running"))
    bar = page.locator("main [role='progressbar']")
    expect(bar).to_have_attribute("aria-valuenow", "37")
    expect(page.locator("main .progress-bar")).to_have_text("37 %")
    _shot(page, screenshot_dir, 4, "running")
    deadline = time.monotonic() + 8
    while len(polls) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    assert len(polls) >= 2, f"progress.json polled {len(polls)} times"

    AccountingImport.objects.filter(pk=running.pk).update(bytes_read=8_100, lines_read=90)
    expect(bar).to_have_attribute("aria-valuenow", "81")
    expect(page.locator("main .progress-bar")).to_have_class(
        re.compile(r"\bimport-progress-81\b"))
    # The bar's width follows (after Bootstrap's 0.6 s width transition).
    ratio = 0.0
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        ratio = (page.locator("main .progress-bar").bounding_box()["width"]
                 / bar.bounding_box()["width"])
        if 0.78 < ratio < 0.84:
            break
        page.wait_for_timeout(100)
    assert 0.78 < ratio < 0.84, ratio

    # Done: the script reloads the page, which shows the counts.
    AccountingImport.objects.filter(pk=running.pk).update(
        status="done", bytes_read=10_000, lines_read=120, jobs_added=118, steps_skipped=2)
    expect(page.locator("main [data-import-status]")).to_have_text(fr("done"))
    expect(page.locator("main [data-count='jobs_added']")).to_have_text("118")
    expect(page.locator("main [role='progressbar']")).to_have_count(0)
    _no_problems(page)
