"""Daily tasks of the members app (beat): expiries, lapses and reminders.

Each task re-reads the database and is safe to run twice: transitions are
conditional and every reminder carries a dedupe key.
"""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def expire_agreements() -> int:
    """Expire active agreements whose end date has passed (daily)."""
    return services.agreements_expire()


@shared_task(acks_late=True)
def send_agreement_expiry_reminders() -> int:
    """Remind representatives 60, 30 and 7 days before an agreement ends (daily)."""
    return services.agreements_send_expiry_reminders()


@shared_task(acks_late=True)
def lapse_memberships() -> int:
    """Mark lapsed the memberships of past years left unpaid (daily)."""
    return services.memberships_lapse()


@shared_task(acks_late=True)
def send_membership_reminders() -> int:
    """Remind representatives of unpaid memberships, of renewals and of the membership
    grace period (daily)."""
    return services.memberships_send_reminders()
