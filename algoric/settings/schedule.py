"""The beat timetable: which periodic task runs when (in ``TIME_ZONE``).

Task names are dotted paths of the ``@shared_task`` functions; they are a contract with
the broker's queued messages and django-celery-beat's database rows, so a task keeps
its module.
"""

from celery.schedules import crontab


def beat_schedule(*, slurm_sync: bool, accounting_collect: bool) -> dict[str, dict]:
    """The periodic tasks, ``{entry name: {"task": dotted name, "schedule": seconds or
    crontab}}``: those every installation runs, plus the hourly Slurm synchronisation
    when ``slurm_sync`` and the accounting collection every 15 minutes when
    ``accounting_collect`` (settings ``SLURM_SYNC``, ``ACCOUNTING_COLLECT``)."""
    schedule = {
        "notifications-sweep": {
            "task": "algoric.notifications.tasks.sweep_notifications",
            "schedule": 60.0,
        },
        # Each person's weekly digest of the categories they chose to receive so.
        "notifications-weekly-digest": {
            "task": "algoric.notifications.tasks.send_weekly_digests",
            "schedule": crontab(day_of_week="mon", hour=7, minute=0),
        },
        "agreements-expire": {
            "task": "members.tasks.expire_agreements",
            "schedule": crontab(hour=0, minute=15),
        },
        "agreements-expiry-reminders": {
            "task": "members.tasks.send_agreement_expiry_reminders",
            "schedule": crontab(hour=8, minute=0),
        },
        "memberships-lapse": {
            "task": "members.tasks.lapse_memberships",
            "schedule": crontab(hour=0, minute=30),
        },
        "allocations-expire": {
            "task": "projects.tasks.expire_allocations",
            "schedule": crontab(hour=0, minute=45),
        },
        "allocations-expiry-reminders": {
            "task": "projects.tasks.send_allocation_expiry_reminders",
            "schedule": crontab(hour=8, minute=30),
        },
        "memberships-reminders": {
            "task": "members.tasks.send_membership_reminders",
            "schedule": crontab(hour=8, minute=15),
        },
        "invoices-usage-drafts": {
            "task": "billing.tasks.draft_usage_invoices",
            "schedule": crontab(hour=6, minute=30),
        },
        "invoices-overdue-reminders": {
            "task": "billing.tasks.send_overdue_invoice_reminders",
            "schedule": crontab(hour=9, minute=0),
        },
        "usage-thresholds": {
            "task": "projects.tasks.check_usage_thresholds",
            "schedule": crontab(minute=20),
        },
        # The previous year's reports, for every project with usage and for the centre.
        "usage-reports-yearly": {
            "task": "projects.tasks.generate_yearly_usage_reports",
            "schedule": crontab(month_of_year=1, day_of_month=2, hour=6, minute=0),
        },
        # PIs whose project computed last year but reported no output of that year.
        "outputs-reminders-yearly": {
            "task": "projects.tasks.send_outputs_reminders",
            "schedule": crontab(month_of_year=1, day_of_month=15, hour=9, minute=0),
        },
        "audit-purge": {
            "task": "algoric.audit.tasks.purge_audit_events",
            "schedule": crontab(hour=3, minute=10),
        },
        # Read by /healthz: a worker that stops running tasks shows as an old heartbeat.
        "worker-heartbeat": {
            "task": "algoric.operations.tasks.worker_heartbeat",
            "schedule": 60.0,
        },
        "usage-reports-requeue": {
            "task": "projects.tasks.requeue_stale_usage_reports",
            "schedule": crontab(minute="*/5"),
        },
        # Training: reminders the day before a session, feedback asked after it, and the
        # course logins disabled and deleted once their session's window has ended.
        "training-session-reminders": {
            "task": "training.tasks.send_session_reminders",
            "schedule": crontab(hour=9, minute=0),
        },
        "training-feedback-requests": {
            "task": "training.tasks.send_feedback_requests",
            "schedule": crontab(minute=40),
        },
        "training-course-logins-expire": {
            "task": "training.tasks.expire_course_logins",
            "schedule": crontab(minute=50),
        },
        # Accounting imports whose message was lost (broker down) or whose worker died.
        "accounting-imports-requeue": {
            "task": "resources.tasks.requeue_stale_accounting_imports",
            "schedule": crontab(minute="*/5"),
        },
    }
    if slurm_sync:
        schedule["slurm-sync"] = {
            "task": "projects.tasks.sync_slurm_clusters",
            "schedule": crontab(minute=5),
        }
    if accounting_collect:
        schedule["accounting-collect"] = {
            "task": "resources.tasks.collect_accounting_clusters",
            "schedule": crontab(minute="*/15"),
        }
    return schedule
