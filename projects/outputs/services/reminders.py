"""The yearly reminder: a PI whose project computed last year but reported no output of
that year (or later) is asked to add them, through the outbox (event
``outputs_reminder``), once per project and year."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from algoric.notifications.services.outbox import notify

from ..selectors import projects_to_remind

#: The outbox event of the reminder (templates/emails/outputs_reminder.*).
REMINDER_EVENT = "outputs_reminder"


def outputs_send_reminders(*, year: int | None = None) -> int:
    """Remind the PI of every project of :func:`~projects.outputs.selectors.projects_to_remind`
    for ``year`` (default: last year in ``TIME_ZONE``) to add its outputs.

    The dedupe key ``outputs_reminder:<project id>:<year>`` sends each at most once,
    however often the task runs. Returns the number of notifications created.
    """
    year = year or timezone.localdate().year - 1
    created = 0
    for project in projects_to_remind(year=year):
        pi = project.pi
        if pi is None or not pi.is_active:
            continue
        with transaction.atomic():
            created += notify(
                event=REMINDER_EVENT, recipient=pi,
                context={"project": project, "year": str(year)},
                dedupe_key=f"{REMINDER_EVENT}:{project.pk}:{year}",
            ).created
    return created
