"""``manage.py demo_data``: demo accounts for a local portal (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from projects.demo.data import (
    DEMO_USERS,
    demo_catalogue_create,
    demo_fees_create,
    demo_users_create,
)


class Command(BaseCommand):
    """Create the demo accounts (verified emails) and print their logins; also placeholder
    membership fees for the current year and, when the catalogue is empty, demonstration
    resources (``projects.demo.data``).

    Refuses to run when ``DEBUG`` is off unless ``--force`` is given, so demo
    passwords never reach a production database by accident.
    """

    help = "Create demo accounts for a local portal and print their logins."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="run even with DEBUG off (never in production)")

    @transaction.atomic
    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("demo_data only runs with DEBUG on (use --force to override).")
        demo_users_create()
        year = timezone.localdate().year
        created_fees = demo_fees_create(year=year)
        demo_resources = demo_catalogue_create()
        self.stdout.write(self.style.SUCCESS("Demo accounts (local use only):"))
        for email, password, _first, _last, is_staff in DEMO_USERS:
            role = "staff (asked to set up TOTP at the first staff page)" if is_staff else "member"
            self.stdout.write(f"  {email:28} {password:32} {role}")
        if created_fees:
            self.stdout.write(f"Placeholder membership fees for {year} created for: "
                              f"{', '.join(created_fees)} (demo values: staff set the real "
                              "ones under Staff → Membership fees).")
        if demo_resources:
            self.stdout.write(f"Demo resource catalogue created: {', '.join(demo_resources)} "
                              "(example figures, marked as such on the site).")
        outbox = getattr(settings, "EMAIL_FILE_PATH", "the configured SMTP server")
        self.stdout.write(f"Emails are written to {outbox}")
