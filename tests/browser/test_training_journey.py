"""A training session in a real browser: from the agenda to the certificate.

A visitor finds the session in the agenda (French, then English), signs in and registers;
the confirmation is in the outbox and was emailed; on the day, the trainer (a second
browser) ticks her present; she downloads her certificate of attendance (PDF, French),
turned into ``var/screenshots/training-06-certificate-1.png`` to be looked at.
Screenshots: ``var/screenshots/training-NN-<what>.png``.
"""

import datetime as dt
import subprocess
import warnings

import pytest
from django.core import mail
from django.utils import timezone

from algoric.notifications.models import Notification
from tests.browser.test_agreement_journey import (  # noqa: F401 (open_page is a fixture)
    French,
    _click_and_wait,
    _log_in,
    _path,
    _url,
    open_page,
)
from tests.factories import CourseFactory, SessionFactory, UserFactory
from training.models import Registration

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

COURSE_TITLE = "Programmer les GPU avec CUDA"


def _shot(page, directory, number: int, what: str) -> None:
    page.screenshot(path=str(directory / f"training-{number:02d}-{what}.png"), full_page=True)


def _no_problems(page) -> None:
    problems = page.problems
    assert not (problems.console_errors or problems.page_errors or problems.csp_violations
                or problems.error_responses), problems.summary()


def test_visitor_registers_trainer_marks_attendance_attendee_downloads_certificate(
    live_server, public_pages, browser_page, open_page, screenshot_dir, tmp_path,  # noqa: F811
):
    fr = French()
    starts = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(hours=3)
    session = SessionFactory(
        course=CourseFactory(title=COURSE_TITLE, slug="cuda", duration_hours=3,
                             topics=["gpu"], prerequisites="Connaître le C."),
        starts_at=starts, ends_at=starts + dt.timedelta(hours=3),
        registration_deadline=starts - dt.timedelta(hours=1), capacity=8, trainer=UserFactory(
            email="trainer@example.org", first_name="Erwan", last_name="Le Goff"))
    visitor = UserFactory(email="anna.kerherve@example.org", first_name="Anna",
                          last_name="Kerhervé", language="fr")

    # The agenda, French then English, as an anonymous visitor.
    page = browser_page
    page.goto(_url(live_server, "/agenda/"))
    expect(page.locator("main h1")).to_have_text(fr("Agenda"))
    expect(page.locator("main").get_by_text(COURSE_TITLE)).to_be_visible()
    _shot(page, screenshot_dir, 1, "agenda-fr")
    page.goto(_url(live_server, "/en/agenda/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main").get_by_text(COURSE_TITLE)).to_be_visible()
    expect(page.locator("main a[href='/en/agenda.ics']")).to_be_visible()
    _shot(page, screenshot_dir, 2, "agenda-en")

    # Back to French, to the session, signing in to register.
    page.goto(_url(live_server, "/agenda/"))
    _click_and_wait(page, page.locator("main").get_by_role("link", name=COURSE_TITLE))
    assert _path(page) == f"/agenda/sessions/{session.pk}/"
    _click_and_wait(page, page.locator("main").get_by_role("link",
                                                           name=fr("Sign in to register")))
    _log_in(page, live_server, visitor.email, next_path=_path(page))
    assert _path(page) == f"/agenda/sessions/{session.pk}/", page.url
    _click_and_wait(page, page.locator("main button", has_text=fr("Register")))
    expect(page.locator(".alert-success").first).to_contain_text(
        fr("You are registered. A confirmation is on its way to your mailbox."))
    expect(page.locator("main .alert-success:not(.alert-dismissible)")).to_contain_text(
        fr("You are registered for this session."))
    _shot(page, screenshot_dir, 3, "registered")
    registration = Registration.objects.get(session=session, user=visitor)
    assert registration.status == Registration.Status.CONFIRMED

    # The confirmation: stored in the outbox, then sent.
    confirmation = Notification.objects.get(event="training_registration_confirmed",
                                            recipient=visitor)
    assert COURSE_TITLE in confirmation.subject and confirmation.language == "fr"
    sent = [message for message in mail.outbox if visitor.email in message.to]
    assert sent and COURSE_TITLE in sent[0].subject, [m.subject for m in mail.outbox]
    assert "/training/" in sent[0].body

    # The day of the session: it has started; the trainer ticks her present.
    session.starts_at = timezone.now() - dt.timedelta(minutes=30)
    session.ends_at = session.starts_at + dt.timedelta(hours=3)
    session.save(update_fields=["starts_at", "ends_at"])
    trainer = open_page("trainer")
    _log_in(trainer, live_server, "trainer@example.org")
    trainer.goto(_url(live_server, "/training/teach/"))
    _click_and_wait(trainer, trainer.locator("main").get_by_role("link", name=COURSE_TITLE))
    trainer.locator(f"#present-{registration.pk}").check()
    _shot(trainer, screenshot_dir, 4, "attendance")
    _click_and_wait(trainer, trainer.locator("main button", has_text=fr("Save attendance")))
    expect(trainer.locator(".alert-success").first).to_be_visible()
    registration.refresh_from_db()
    assert registration.attended is True
    _no_problems(trainer)

    # The attendee downloads her certificate.
    page.goto(_url(live_server, "/training/"))
    _shot(page, screenshot_dir, 5, "my-training")
    expect(page.locator("main button", has_text=fr("Cancel"))).to_have_count(0)  # begun
    certificate_path = f"/training/registrations/{registration.pk}/certificate/"
    with page.expect_download() as download_info:
        page.locator(f"main a[href='{certificate_path}']").click()
    download = download_info.value
    pdf_path = tmp_path / "certificate.pdf"
    download.save_as(pdf_path)
    content = pdf_path.read_bytes()
    assert content.startswith(b"%PDF"), content[:20]
    page.problems.failed_requests[:] = [
        entry for entry in page.problems.failed_requests
        if not entry.endswith(f"{certificate_path}: net::ERR_ABORTED")]
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() or "" for p in PdfReader(pdf_path).pages)
    assert "Anna Kerhervé" in text and COURSE_TITLE in text, text[:400]
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf_path),
                    str(screenshot_dir / "training-06-certificate")], check=True, timeout=60)
    _no_problems(page)
    if fr.untranslated:
        warnings.warn(f"French catalogue incomplete for: {sorted(fr.untranslated)}",
                      stacklevel=1)
