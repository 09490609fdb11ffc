"""Attendance by the trainers, the certificate of attendance, feedback after a session."""

from __future__ import annotations

import datetime as dt
import io
from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from training.models import Feedback, Registration
from training.services.attendance import attendance_mark, feedback_submit
from training.services.certificates import certificate_html, certificate_pdf

from ..factories import RegistrationFactory, SessionFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def started_session(**kwargs):
    starts = timezone.now() - dt.timedelta(hours=4)
    return SessionFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=3),
                          registration_deadline=starts - dt.timedelta(days=2), **kwargs)


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_trainer_marks_who_was_there():
    session = started_session(trainer=True)
    present, absent = (RegistrationFactory(session=session) for _i in range(2))
    waiting = RegistrationFactory(session=session, status=Registration.Status.WAITING)
    assert attendance_mark(session=session, present={present.pk}, actor=session.trainer) == 1
    assert Registration.objects.get(pk=present.pk).attended is True
    assert Registration.objects.get(pk=absent.pk).attended is False
    assert Registration.objects.get(pk=waiting.pk).attended is None


def test_attendance_is_refused_before_the_start_and_to_others():
    session = SessionFactory(trainer=True)
    registration = RegistrationFactory(session=session)
    with pytest.raises(ValidationError):
        attendance_mark(session=session, present={registration.pk}, actor=session.trainer)
    other = started_session(trainer=True)
    with pytest.raises(PermissionDenied):
        attendance_mark(session=other, present=set(), actor=session.trainer)
    with pytest.raises(PermissionDenied):
        attendance_mark(session=other, present=set(), actor=StaffFactory())  # no TOTP
    attendance_mark(session=other, present=set(), actor=StaffFactory(mfa=True))


def test_attendance_refuses_someone_not_registered_and_changes_nothing():
    session = started_session(trainer=True)
    registration = RegistrationFactory(session=session)
    stranger = RegistrationFactory()
    with pytest.raises(ValidationError):
        attendance_mark(session=session, present={registration.pk, stranger.pk},
                        actor=session.trainer)
    assert Registration.objects.get(pk=registration.pk).attended is None


@pytest.mark.parametrize("language", ["fr", "en"])
def test_certificate_names_the_person_and_the_course_in_their_language(language):
    session = started_session(trainer=True)
    registration = RegistrationFactory(session=session, attended=True,
                                       user=UserFactory(first_name="Nolwenn",
                                                        last_name="Le Bihan", language=language))
    html = certificate_html(registration=registration)
    assert f'<html lang="{language}">' in html
    text = pdf_text(certificate_pdf(registration=registration))
    assert "Nolwenn Le Bihan" in text and session.course.title in text


def test_no_certificate_without_attendance():
    registration = RegistrationFactory(session=started_session())
    with pytest.raises(ValidationError):
        certificate_pdf(registration=registration)
    registration.attended = False
    with pytest.raises(ValidationError):
        certificate_pdf(registration=registration)


def test_certificate_escapes_the_persons_name():
    registration = RegistrationFactory(session=started_session(), attended=True,
                                       user=UserFactory(first_name="<script>x</script>"))
    assert "<script>x</script>" not in certificate_html(registration=registration)


def test_certificate_download_is_for_the_attendee_only(client):
    registration = RegistrationFactory(session=started_session(), attended=True)
    url = reverse("training:registration_certificate", args=[registration.pk])
    client.force_login(UserFactory())
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND
    client.force_login(registration.user)
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


def ended_session(**kwargs):
    starts = timezone.now() - dt.timedelta(days=1)
    return SessionFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=3),
                          registration_deadline=starts - dt.timedelta(days=2), **kwargs)


def test_feedback_once_after_the_session_and_seen_by_the_trainer(client):
    session = ended_session(trainer=True)
    registration = RegistrationFactory(session=session, attended=True)
    client.force_login(registration.user)
    url = reverse("training:registration_feedback", args=[registration.pk])
    response = client.post(url, {"rating": "4", "useful": "Les exemples <b>sbatch</b>",
                                 "improve": ""})
    assert response.status_code == HTTPStatus.FOUND
    assert Feedback.objects.get(registration=registration).rating == 4
    with pytest.raises(ValidationError):
        feedback_submit(registration=registration, data={"rating": 5},
                        actor=registration.user)
    client.force_login(session.trainer)
    page = client.get(reverse("training:trainer_session", args=[session.pk])).content.decode()
    assert "Les exemples &lt;b&gt;sbatch&lt;/b&gt;" in page


def test_feedback_refused_before_the_end_and_for_bad_ratings():
    registration = RegistrationFactory(session=SessionFactory())
    with pytest.raises(ValidationError):
        feedback_submit(registration=registration, data={"rating": 5},
                        actor=registration.user)
    registration = RegistrationFactory(session=ended_session())
    with pytest.raises(ValidationError):
        feedback_submit(registration=registration, data={"rating": 9},
                        actor=registration.user)
    with pytest.raises(PermissionDenied):
        feedback_submit(registration=registration, data={"rating": 3}, actor=UserFactory())


def test_trainer_page_is_404_for_a_member_who_does_not_teach_it(client):
    session = SessionFactory(trainer=True)
    client.force_login(UserFactory())
    response = client.get(reverse("training:trainer_session", args=[session.pk]))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_attendance_view_saves_the_ticks(client):
    session = started_session(trainer=True)
    registration = RegistrationFactory(session=session)
    client.force_login(session.trainer)
    response = client.post(reverse("training:trainer_attendance", args=[session.pk]),
                           {"present": [str(registration.pk)]})
    assert response.status_code == HTTPStatus.FOUND
    assert Registration.objects.get(pk=registration.pk).attended is True
    response = client.post(reverse("training:trainer_attendance", args=[session.pk]),
                           {"present": ["nonsense"]})
    assert response.status_code == HTTPStatus.FOUND
    assert Registration.objects.get(pk=registration.pk).attended is True
