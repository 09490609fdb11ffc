"""Every sweeper the fault suite relies on is on the beat schedule (runs everywhere)."""

from django.conf import settings

SWEEPERS = {
    "algoric.notifications.tasks.sweep_notifications",
    "projects.tasks.requeue_stale_usage_reports",
    "resources.tasks.requeue_stale_accounting_imports",
}


def test_every_sweeper_is_scheduled():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled >= SWEEPERS, SWEEPERS - scheduled
