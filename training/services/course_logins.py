"""Course logins: anonymous accounts for a class, valid for one session's window.

A trainer generates N logins ``<course>-<yyyymmdd>-NN`` (the session's local start date)
with random passwords, printed once on a PDF sheet to hand out (the passwords are kept
only as hashes). The account's address is ``<login>@course-login.invalid`` (RFC 2606: a
name that never receives mail), so no person's name or email is ever asked. The login
signs in to the portal only during the session's access window
(:func:`training.selectors.slurm.access_window`; ``training.authentication``) and is a user
of the session's Slurm account then (``training.selectors.slurm``). After the window,
:func:`course_logins_expire` (a beat task) disables it and deletes its account.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from members.models import User

from ..models import CourseLogin, Session
from ..selectors.access import may_manage_session
from ..selectors.slurm import access_window
from .pdf import pdf_from_html

#: Domain of the course logins' addresses (RFC 2606 reserves ``.invalid``).
LOGIN_DOMAIN = "course-login.invalid"
#: Characters of the generated passwords: no look-alikes (0/O, 1/l/I) on a printed sheet.
PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits
                            if c not in "0O1lI")
PASSWORD_LENGTH = 14


def course_login_name(*, session: Session, number: int) -> str:
    """``<course slug>-<yyyymmdd>-NN`` (the session's local start date), a Slurm user name
    (at most 32 characters: the slug has at most 20)."""
    day = timezone.localtime(session.starts_at).strftime("%Y%m%d")
    return f"{session.course.slug}-{day}-{number:02d}"


def _password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _i in range(PASSWORD_LENGTH))


def course_logins_create(*, session: Session, count: int, actor) -> list[dict[str, str]]:
    """Create ``count`` course logins for ``session`` (numbered after the existing ones).

    Returns ``[{"login": …, "email": …, "password": …}]``: the only time the passwords
    exist in clear (print them with :func:`course_logins_sheet_pdf`). Raises
    ``PermissionDenied`` unless ``actor`` manages the session; ``ValidationError`` for a
    count outside 1..``TRAINING_MAX_COURSE_LOGINS`` or once the access window has ended.
    """
    if actor is None or not may_manage_session(session=session, user=actor):
        raise PermissionDenied(_("Only the session's trainers may create course logins."))
    limit = settings.TRAINING_MAX_COURSE_LOGINS
    if not isinstance(count, int) or not 1 <= count <= limit:
        raise ValidationError({"count": _("Give a number from 1 to %(limit)s.")
                               % {"limit": limit}})
    if timezone.now() > access_window(session)[1]:
        raise ValidationError(_("The session's access window has ended."))
    created = []
    try:
        with transaction.atomic():
            session = Session.objects.select_for_update(of=("self",)).select_related("course").get(
                pk=session.pk)
            first = CourseLogin.objects.filter(session=session).count() + 1
            if first + count - 1 > 99:
                raise ValidationError({"count": _("A session has at most 99 course logins.")})
            for number in range(first, first + count):
                login = course_login_name(session=session, number=number)
                email = f"{login}@{LOGIN_DOMAIN}"
                password = _password()
                user = User.objects.create_user(email=email, password=password,
                                                cluster_login=login,
                                                language=session.course.language)
                EmailAddress.objects.create(user=user, email=email, verified=True,
                                            primary=True)
                CourseLogin.objects.create(session=session, login=login, user=user)
                created.append({"login": login, "email": email, "password": password})
            audit_record(action="training.course_logins_created", actor=actor,
                         target=session, detail={"count": count})
    except IntegrityError as exc:
        raise ValidationError(_("These course logins exist already.")) from exc
    return created


def course_logins_sheet_pdf(*, session: Session, logins: list[dict[str, str]]) -> bytes:
    """A PDF sheet to cut out: one card per login with its portal login, cluster login
    and password, in the course's language."""
    start, end = access_window(session)
    with translation.override(session.course.language):
        html = render_to_string("training/course_logins_pdf.html", {
            "session": session, "course": session.course, "logins": logins,
            "window_start": timezone.localtime(start), "window_end": timezone.localtime(end),
            "site_url": settings.SITE_URL})
    return pdf_from_html(html)


def course_logins_expire(*, now: dt.datetime | None = None) -> int:
    """Disable the course logins whose session's access window has ended and delete their
    account (its personal data: the account row, its sessions and addresses); an account
    other rows still protect is kept disabled and anonymised instead. Idempotent; returns
    how many were disabled."""
    now = now or timezone.now()
    ended = now - dt.timedelta(days=settings.TRAINING_ACCESS_DAYS_AFTER)
    done = 0
    for course_login in CourseLogin.objects.filter(
            disabled_at__isnull=True, session__ends_at__lt=ended).select_related("user"):
        with transaction.atomic():
            user = course_login.user
            course_login.user = None
            course_login.disabled_at = now
            course_login.save(update_fields=["user", "disabled_at"])
            if user is not None:
                _delete_account(user)
            audit_record(action="training.course_login_disabled", category="system",
                         target=course_login, detail={"login": course_login.login})
        done += 1
    return done


def _delete_account(user: User) -> None:
    try:
        with transaction.atomic():
            user.delete()
    except ProtectedError:
        EmailAddress.objects.filter(user=user).delete()
        user.is_active = False
        user.set_unusable_password()
        user.email = f"disabled-{user.pk}@{LOGIN_DOMAIN}"
        user.cluster_login = ""
        user.save(update_fields=["is_active", "password", "email", "cluster_login"])
