"""Fixtures of the browser tests: one headless Chromium per session, one page per test.

Defined once here and registered by ``tests/conftest.py``, so the browser tests, the
attack suite and the fault suite share one Playwright session (two sync sessions in one
process are refused).

The tests drive Debian's Chromium (``/usr/bin/chromium``, or ``$CHROMIUM_PATH``)
through Playwright's sync API; Playwright's own browser downloads are never used.
Without that executable the browser tests are skipped, with the reason given.

Each page records what would go unnoticed in a browser: console errors, uncaught
JavaScript exceptions, Content-Security-Policy violations, failed requests and
HTTP error responses. A test reads them from ``page.problems`` and asserts on them.
"""

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in the test thread; without this,
# Django refuses ORM calls made from the test body ("SynchronousOnlyOperation").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

#: Where screenshots are written (``var/`` is git-ignored).
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "var" / "screenshots"

#: Upper bound of every single wait in the browser tests (milliseconds).
TIMEOUT_MS = 15_000

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Reports every CSP violation to the test through an exposed binding. Init scripts are
# injected by the browser itself, so the page's CSP (script-src 'self') does not block it.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__algoricReportCsp({
    directive: event.effectiveDirective || event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    page: document.location.href,
  });
});
"""


def _chromium_path() -> str | None:
    """The Chromium executable to drive, or ``None`` when there is none."""
    candidate = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
        return candidate
    return shutil.which(candidate) if not os.path.isabs(candidate) else None


@dataclass
class PageProblems:
    """What went wrong in the browser while a test ran."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[dict] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    error_responses: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """A readable list of every problem, for assertion messages."""
        lines = []
        for name in (
            "console_errors",
            "page_errors",
            "csp_violations",
            "failed_requests",
            "error_responses",
        ):
            for item in getattr(self, name):
                lines.append(f"{name}: {item}")
        return "\n".join(lines) or "(none)"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can see a failure."""
    report = yield
    setattr(item, f"_report_{report.when}", report)
    return report


def _record_failed_request(problems: PageProblems, request) -> None:
    """Record a failed request, except the favicon fetch the browser cancels itself.

    Chromium fetches ``/static/img/favicon.svg`` after the document and aborts the fetch
    (``net::ERR_ABORTED``) when the page navigates away first; the icon was served, the
    page is fine. Any other failure, and any other failure of the favicon, is recorded.
    """
    if request.url.endswith("/static/img/favicon.svg") and request.failure == "net::ERR_ABORTED":
        return
    problems.failed_requests.append(f"{request.method} {request.url}: {request.failure}")


def watch_page(page, problems: PageProblems) -> None:
    """Record on ``problems`` what goes wrong on ``page``: console errors, uncaught
    exceptions, failed requests (see ``_record_failed_request``) and answers of 400 or more."""
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and problems.console_errors.append(f"{msg.text} @ {msg.location.get('url', '')}")
        ),
    )
    page.on("pageerror", lambda exc: problems.page_errors.append(str(exc)))
    page.on("requestfailed", lambda request: _record_failed_request(problems, request))
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and problems.error_responses.append(f"{response.status} {response.url}")
        ),
    )


@pytest.fixture
def public_pages(transactional_db):
    """Make sure the public pages created by the ``pages`` data migrations exist.

    Another transactional test may have flushed the database before this one; the
    ``RunPython`` operations of the ``pages`` migrations are then run again, in order,
    on the historical models (they create only the pages that are missing).
    """
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations.special import RunPython

    from algoric.pages.models import Page

    if not Page.objects.exists():
        loader = MigrationLoader(connection)
        keys = sorted(key for key in loader.disk_migrations if key[0] == "pages")
        for key in keys:
            migration = loader.disk_migrations[key]
            state_apps = loader.project_state(key, at_end=False).apps
            for operation in migration.operations:
                if isinstance(operation, RunPython):
                    with connection.schema_editor() as schema_editor:
                        operation.code(state_apps, schema_editor)
    return Page.objects.all()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium driven by Playwright, shared by the session's browser tests."""
    executable = _chromium_path()
    if executable is None:
        pytest.skip(
            "Chromium not found: install Debian's chromium (/usr/bin/chromium) or set "
            "CHROMIUM_PATH to a Chromium executable (Playwright's downloads are not used)"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            timeout=TIMEOUT_MS,
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(request, chromium, screenshot_dir):
    """A fresh browser context and page that record console errors and CSP violations.

    The recorded problems are in ``page.problems`` (a :class:`PageProblems`). When the
    test fails, the page as it was is saved as ``FAILED-<test name>.png``.
    """
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900},
        locale="fr-FR",
        timezone_id="Europe/Paris",
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    problems = PageProblems()

    context.expose_function(
        "__algoricReportCsp", lambda report: problems.csp_violations.append(report)
    )
    context.add_init_script(_CSP_LISTENER)

    page = context.new_page()
    watch_page(page, problems)
    page.problems = problems
    try:
        yield page
        report = getattr(request.node, "_report_call", None)
        if report is not None and report.failed:
            page.screenshot(
                path=str(screenshot_dir / f"FAILED-{request.node.name}.png"),
                full_page=True,
                timeout=TIMEOUT_MS,
            )
            print(f"Browser problems recorded before the failure:\n{problems.summary()}")
    finally:
        context.close()
