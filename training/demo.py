"""The training part of the demonstration centre (``demo_centre``): a Slurm course with a
past and an upcoming session, a forum and a school visit. Registered in
``algoric.core.registries.register_demo_builder`` (``projects`` cannot import this app)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from members.models import User

from .models import Course, Event, Registration, Session, Topic, Trainer

#: The demonstration course's short name.
COURSE_SLUG = "slurm-intro"
#: Demo people registered for the past session (their local part; demo domain).
DEMO_DOMAIN = "demo.algoric.org"


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_default_timezone())


def demo_training(*, today: dt.date, staff, year: int | None = None,
                  log=lambda line: None) -> dict[str, int]:
    """Create the demonstration's course, sessions, registrations and events around
    ``today``, once (a second run finds the course and writes nothing). ``staff``
    teaches the sessions; ``year`` (the demonstration's year) is ``today``'s. Returns
    ``{kind: count created}``."""
    if Course.objects.filter(slug=COURSE_SLUG).exists():
        return {}
    log("Training: a course, two sessions, a forum and a school visit …")
    Trainer.objects.get_or_create(user=staff, defaults={"granted_by": staff})
    course = Course.objects.create(
        slug=COURSE_SLUG, title="Premiers pas avec Slurm sur Algoric",
        summary="Se connecter à la grappe, soumettre ses premiers travaux avec sbatch, suivre "
                "leur consommation en heures-cœur et leur empreinte énergétique.",
        level="beginner", language="fr", duration_hours=Decimal("3.5"),
        prerequisites="Savoir utiliser un terminal.", topics=[Topic.SLURM, Topic.GREEN])
    past_day = today - dt.timedelta(days=21)
    next_day = today + dt.timedelta(days=18)
    past = Session.objects.create(
        course=course, starts_at=_at(past_day, 14), ends_at=_at(past_day, 17, 30),
        place="La Fabrique du Loch, Auray", capacity=12,
        registration_deadline=_at(past_day - dt.timedelta(days=2), 18),
        prices={"sme": "90", "individual": "20"})
    upcoming = Session.objects.create(
        course=course, starts_at=_at(next_day, 9, 30), ends_at=_at(next_day, 13),
        place="La Fabrique du Loch, Auray", online_url="https://visio.example.org/algoric",
        capacity=12, registration_deadline=_at(next_day - dt.timedelta(days=2), 18),
        prices={"sme": "90", "individual": "20"})
    past.trainers.add(staff)
    upcoming.trainers.add(staff)
    people = list(User.objects.filter(email__endswith="@" + DEMO_DOMAIN, is_staff=False,
                                      is_active=True).order_by("pk")[:10])
    registrations = 0
    for index, person in enumerate(people):
        Registration.objects.create(session=past, user=person,
                                    status=Registration.Status.CONFIRMED,
                                    attended=index % 5 != 4, attendance_marked_by=staff)
        registrations += 1
    for person in people[:4]:
        Registration.objects.create(session=upcoming, user=person,
                                    status=Registration.Status.CONFIRMED)
        registrations += 1
    forum_day = today + dt.timedelta(days=40)
    Event.objects.create(
        kind=Event.Kind.FORUM, title="Forum calcul et numérique responsable du Morbihan",
        description="Rencontres entre PME, laboratoires et collectivités autour du calcul "
                    "sobre : retours d'expérience et démonstrations.",
        starts_at=_at(forum_day, 9), ends_at=_at(forum_day, 17), place="Vannes",
        audience="PME, laboratoires, collectivités")
    visit_day = today - dt.timedelta(days=10)
    Event.objects.create(
        kind=Event.Kind.SCHOOL_VISIT, title="Visite du lycée Benjamin Franklin",
        description="Une classe de première découvre un supercalculateur recyclé.",
        starts_at=_at(visit_day, 10), ends_at=_at(visit_day, 12),
        place="La Fabrique du Loch, Auray", audience="Lycéens", participants=28)
    return {"courses": 1, "sessions": 2, "registrations": registrations, "events": 2}
