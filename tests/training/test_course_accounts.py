"""Course accounts: a session's training project in the Slurm plan, and course logins."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from http import HTTPStatus

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from members.models import User
from projects.models import Allocation
from projects.services.slurm import SLURM_NAME_RE, slurm_plan
from training.models import CourseLogin
from training.services.course_logins import course_logins_create, course_logins_expire
from training.services.courses import session_course_account_open, trainer_grant

from ..factories import (
    CourseFactory,
    OrganisationFactory,
    RegistrationFactory,
    ResourceFactory,
    SessionFactory,
    StaffFactory,
    UserFactory,
    allow,
)

pytestmark = pytest.mark.django_db


def session_at(starts: dt.datetime, **kwargs):
    return SessionFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=3),
                          registration_deadline=starts - dt.timedelta(days=1), **kwargs)


@pytest.fixture
def course_account(settings):
    """A session starting in an hour with a course account on cluster ``algoric``."""
    settings.TRAINING_ACCESS_DAYS_AFTER = 3
    staff = StaffFactory(mfa=True)
    organisation = OrganisationFactory(name="Algoric")
    allow(organisation)
    resource = ResourceFactory(kind="cpu", slurm_cluster="algoric")
    session = session_at(timezone.now() + dt.timedelta(hours=1), trainer=True,
                         course=CourseFactory(slug="slurm-intro"), capacity=10,
                         core_hours_per_attendee=Decimal("5"))
    project = session_course_account_open(session=session, organisation=organisation,
                                          resource=resource, actor=staff)
    session.refresh_from_db()
    return session, project, staff, resource


def users_on(project, day):
    plans = [plan for plan in slurm_plan(on_date=day) if plan.account == project.slurm_account]
    assert len(plans) == 1
    return plans[0]


def test_course_account_is_a_project_with_core_hours_per_seat(course_account):
    session, project, _staff, resource = course_account
    assert project.status == "active" and project.field == "education"
    allocation = Allocation.objects.get(project=project, resource=resource)
    assert allocation.amount == Decimal(50)  # 5 core-hours x 10 seats
    assert session.project == project


def test_only_staff_open_a_course_account(course_account):
    session, _project, _staff, resource = course_account
    with pytest.raises(PermissionDenied):
        session_course_account_open(session=session, organisation=OrganisationFactory(),
                                    resource=resource, actor=session.trainer)


def test_attendees_are_in_the_slurm_plan_only_during_the_window(course_account):
    session, project, _staff, _resource = course_account
    seated = RegistrationFactory(session=session, user=UserFactory(cluster_login="nolwenn"))
    RegistrationFactory(session=session, status="waiting",
                        user=UserFactory(cluster_login="waiter"))
    RegistrationFactory(session=session, user=UserFactory(cluster_login=""))
    start_day = timezone.localtime(session.starts_at).date()
    end_day = timezone.localtime(session.ends_at).date()
    assert users_on(project, start_day - dt.timedelta(days=1)).users == []
    assert users_on(project, start_day).users == [seated.user.cluster_login]
    assert users_on(project, end_day + dt.timedelta(days=3)).users == ["nolwenn"]
    assert users_on(project, end_day + dt.timedelta(days=4)).users == []
    plan = users_on(project, start_day)
    assert plan.cpu_minutes == 50 * 60


def test_course_logins_are_named_after_the_course_and_date_and_printed(course_account):
    session, project, _staff, _resource = course_account
    created = course_logins_create(session=session, count=3, actor=session.trainer)
    day = timezone.localtime(session.starts_at).strftime("%Y%m%d")
    assert [row["login"] for row in created] == [f"slurm-intro-{day}-0{n}" for n in (1, 2, 3)]
    assert all(SLURM_NAME_RE.match(row["login"]) for row in created)
    assert len({row["password"] for row in created}) == 3
    for row in created:
        user = User.objects.get(email=row["email"])
        assert (user.first_name, user.last_name) == ("", "")
        assert user.email.endswith(".invalid") and user.check_password(row["password"])
    more = course_logins_create(session=session, count=1, actor=session.trainer)
    assert more[0]["login"].endswith("-04")
    start_day = timezone.localtime(session.starts_at).date()
    assert set(users_on(project, start_day).users) == {row["login"] for row in created + more}


def test_course_logins_sheet_is_a_pdf_with_the_passwords(client, course_account):
    session, _project, _staff, _resource = course_account
    client.force_login(session.trainer)
    response = client.post(reverse("training:trainer_course_logins", args=[session.pk]),
                           {"count": "2"})
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "slurm-intro-" in text and "-02" in text
    assert CourseLogin.objects.filter(session=session).count() == 2


def test_course_logins_count_is_bounded_and_only_for_trainers(course_account, settings):
    session, *_rest = course_account
    with pytest.raises(ValidationError):
        course_logins_create(session=session, count=settings.TRAINING_MAX_COURSE_LOGINS + 1,
                             actor=session.trainer)
    with pytest.raises(ValidationError):
        course_logins_create(session=session, count=0, actor=session.trainer)
    with pytest.raises(PermissionDenied):
        course_logins_create(session=session, count=1, actor=UserFactory())
    assert not CourseLogin.objects.exists()


def test_a_course_login_signs_in_only_during_the_window(course_account):
    session, *_rest = course_account
    row = course_logins_create(session=session, count=1, actor=session.trainer)[0]
    request = RequestFactory().post("/")
    # Before the start (the session begins in an hour): refused.
    assert authenticate(request, email=row["email"], password=row["password"]) is None
    session.starts_at = timezone.now() - dt.timedelta(minutes=5)
    session.ends_at = timezone.now() + dt.timedelta(hours=2)
    session.save()
    user = authenticate(request, email=row["email"], password=row["password"])
    assert user is not None and user.cluster_login == row["login"]
    assert authenticate(request, email=row["email"], password="wrong") is None
    session.starts_at = timezone.now() - dt.timedelta(days=10)
    session.ends_at = session.starts_at + dt.timedelta(hours=3)
    session.save()
    assert authenticate(request, email=row["email"], password=row["password"]) is None


def test_a_signed_in_course_login_is_signed_out_when_its_window_closes(client,
                                                                     course_account):
    session, *_rest = course_account
    session.starts_at = timezone.now() - dt.timedelta(minutes=5)
    session.save()
    row = course_logins_create(session=session, count=1, actor=session.trainer)[0]
    client.force_login(User.objects.get(email=row["email"]))
    assert client.get(reverse("training:my_registrations")).status_code == HTTPStatus.OK
    session.starts_at = timezone.now() - dt.timedelta(days=10)
    session.ends_at = session.starts_at + dt.timedelta(hours=3)
    session.save()
    response = client.get(reverse("training:my_registrations"))
    assert response.status_code == HTTPStatus.FOUND and "/accounts/login/" in response["Location"]


def test_expired_course_logins_are_disabled_and_their_accounts_deleted(course_account):
    session, project, _staff, _resource = course_account
    rows = course_logins_create(session=session, count=2, actor=session.trainer)
    assert course_logins_expire() == 0
    later = session.ends_at + dt.timedelta(days=3, hours=1)
    assert course_logins_expire(now=later) == 2
    assert not User.objects.filter(email__in=[row["email"] for row in rows]).exists()
    assert all(login.disabled_at and login.user is None
               for login in CourseLogin.objects.filter(session=session))
    assert course_logins_expire(now=later) == 0
    end_day = timezone.localtime(session.ends_at).date()
    assert users_on(project, end_day).users == []


def test_trainer_role_is_given_by_staff_only():
    person = UserFactory()
    with pytest.raises(PermissionDenied):
        trainer_grant(user=person, actor=UserFactory())
    trainer_grant(user=person, actor=StaffFactory(mfa=True))
    assert person.trainer_role
