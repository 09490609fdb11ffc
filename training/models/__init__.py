"""Training models by subject, every name importable from ``training.models``."""

from .courses import Course, Level, Session, SessionQuerySet, Topic, Trainer

# isort: split
from .registrations import Feedback, Registration, RegistrationQuerySet

# isort: split
from .events import Event, EventQuerySet

# isort: split
from .logins import CourseLogin

__all__ = [
    "Course",
    "CourseLogin",
    "Event",
    "EventQuerySet",
    "Feedback",
    "Level",
    "Registration",
    "RegistrationQuerySet",
    "Session",
    "SessionQuerySet",
    "Topic",
    "Trainer",
]
