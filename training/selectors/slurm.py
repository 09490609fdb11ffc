"""The users a session's course account gives to the Slurm plan (a registry of
``algoric.core.registries``, filled in ``TrainingConfig.ready()``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from ..models import CourseLogin, Registration, Session


def access_window(session: Session) -> tuple[dt.datetime, dt.datetime]:
    """``(start, end)`` of a session's cluster access: from its start until
    ``TRAINING_ACCESS_DAYS_AFTER`` days after its end (aware datetimes)."""
    return session.starts_at, session.ends_at + dt.timedelta(
        days=settings.TRAINING_ACCESS_DAYS_AFTER)


def in_access_window(session: Session, *, at: dt.datetime | None = None) -> bool:
    """Whether ``at`` (default now) lies in the session's access window."""
    at = at or timezone.now()
    start, end = access_window(session)
    return start <= at <= end


def _sessions_open_on(*, accounts: set[str], on_date: dt.date):
    """Sessions with a training project among ``accounts`` whose access window covers
    ``on_date`` (local days: the start day to the end day + N days)."""
    zone = timezone.get_default_timezone()
    day_start = dt.datetime.combine(on_date, dt.time.min, tzinfo=zone)
    day_end = day_start + dt.timedelta(days=1)
    return Session.objects.filter(
        project__slurm_account__in=accounts, starts_at__lt=day_end,
        ends_at__gte=day_start - dt.timedelta(days=settings.TRAINING_ACCESS_DAYS_AFTER))


def training_slurm_members(*, accounts: set[str], on_date: dt.date) -> dict[str, set[str]]:
    """``{slurm account: {cluster login, …}}``: for each session whose training project's
    account is in ``accounts`` and whose access window covers ``on_date``, the cluster
    logins of its confirmed attendees (active accounts) and of its course logins not
    disabled. One query (none without ``accounts``)."""
    if not accounts:
        return {}
    open_sessions = _sessions_open_on(accounts=accounts, on_date=on_date)
    attendees = Registration.objects.confirmed().filter(
        session__in=open_sessions, user__is_active=True, user__deleted_at__isnull=True,
    ).exclude(user__cluster_login="").order_by().values_list(
        "session__project__slurm_account", "user__cluster_login")
    course_logins = CourseLogin.objects.filter(
        session__in=open_sessions, disabled_at__isnull=True, user__is_active=True,
    ).order_by().values_list("session__project__slurm_account", "login")
    found: dict[str, set[str]] = {}
    for account, login in attendees.union(course_logins):
        found.setdefault(account, set()).add(login)
    return found
