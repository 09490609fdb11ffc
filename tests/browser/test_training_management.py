"""Staff write a course and its first session on the portal's pages, in a real browser on
the French site, and the session shows in the public agenda; a trainer of that course adds
another session from their own page. No script error, no Content-Security-Policy
violation, no answer of 400 or more on the way.

Screenshots: ``var/screenshots/training-admin-NN-<what>.png``.
"""

import datetime as dt

import pytest

from tests.factories import StaffFactory, TrainerFactory
from training.models import Course, Session

from .test_report_pages import _signed_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def _shot(page, directory, number: int, what: str) -> None:
    page.screenshot(path=str(directory / f"training-admin-{number:02d}-{what}.png"),
                    full_page=True)


def _no_problems(page) -> None:
    problems = page.problems
    assert not (problems.console_errors or problems.page_errors or problems.csp_violations
                or problems.failed_requests or problems.error_responses), problems.summary()


@pytest.mark.django_db(transaction=True)
def test_staff_write_a_course_and_a_session_and_a_trainer_adds_another(
        live_server, browser_page, screenshot_dir):
    page = browser_page
    staff = StaffFactory(mfa=True, language="fr")
    trainer = TrainerFactory(user__first_name="Gwenaëlle", user__last_name="Tanguy").user
    _signed_in(page.context, live_server, staff)
    next_year = dt.date.today().year + 1

    page.goto(f"{live_server.url}/staff/training/courses/new/")
    page.fill("#id_slug", "mpi-intro")
    page.fill("#id_title", "Introduction à MPI")
    page.fill("#id_summary", "Communications point à point et collectives.")
    page.select_option("#id_level", "intermediate")
    page.fill("#id_duration_hours", "6")
    page.locator("input[name='topics'][value='mpi_openmp']").check()
    _shot(page, screenshot_dir, 1, "new-course")
    page.locator("main form button[type='submit']").click()
    page.wait_for_load_state()
    course = Course.objects.get(slug="mpi-intro")

    page.goto(f"{live_server.url}/staff/training/courses/{course.pk}/new-session/")
    page.fill("#id_starts_at", f"{next_year}-01-12T09:30")
    page.fill("#id_ends_at", f"{next_year}-01-12T17:00")
    page.fill("#id_registration_deadline", f"{next_year}-01-10T18:00")
    page.fill("#id_place", "La Fabrique du Loch, Auray")
    page.fill("#id_capacity", "12")
    page.locator(f"input[name='trainers'][value='{trainer.pk}']").check()
    _shot(page, screenshot_dir, 2, "new-session")
    page.locator("main form button[type='submit']").click()
    page.wait_for_load_state()
    session = Session.objects.get(course=course)
    assert session.place == "La Fabrique du Loch, Auray"
    assert list(session.trainers.all()) == [trainer]
    _shot(page, screenshot_dir, 3, "staff-training-page")
    _no_problems(page)

    page.goto(f"{live_server.url}/agenda/")
    expect(page.locator("main")).to_contain_text("Introduction à MPI")

    trainer_page = page.context.browser.new_context(locale="fr-FR").new_page()
    _signed_in(trainer_page.context, live_server, trainer)
    trainer_page.goto(f"{live_server.url}/training/teach/courses/{course.pk}/new-session/")
    trainer_page.fill("#id_starts_at", f"{next_year}-03-02T09:30")
    trainer_page.fill("#id_ends_at", f"{next_year}-03-02T17:00")
    trainer_page.fill("#id_registration_deadline", f"{next_year}-02-27T18:00")
    trainer_page.fill("#id_place", "En ligne et à la Fabrique du Loch")
    trainer_page.fill("#id_capacity", "10")
    trainer_page.screenshot(path=str(screenshot_dir / "training-admin-04-trainer-new-session.png"),
                            full_page=True)
    trainer_page.locator("main form button[type='submit']").click()
    trainer_page.wait_for_load_state()
    assert Session.objects.filter(course=course).count() == 2
    added = Session.objects.filter(course=course).latest("starts_at")
    assert list(added.trainers.all()) == [trainer]
    trainer_page.screenshot(path=str(screenshot_dir / "training-admin-05-trainer-sessions.png"),
                            full_page=True)
    trainer_page.context.close()
