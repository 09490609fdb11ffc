"""``manage.py demo_data``: demo accounts for a local portal (idempotent)."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from members.models import User

#: (email, password, first name, last name, is_staff) — local demonstration only.
DEMO_USERS = [
    ("staff@demo.algoric.org", "demo-staff-Penn-Ar-Bed-2026", "Maïwenn", "Le Goff", True),
    ("member@demo.algoric.org", "demo-member-Ria-Etel-2026", "Yann", "Kervella", False),
]


class Command(BaseCommand):
    """Create the demo accounts (verified emails) and print their logins.

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
        for email, password, first, last, is_staff in DEMO_USERS:
            user, created = User.objects.get_or_create(
                email=email,
                defaults={"first_name": first, "last_name": last, "is_staff": is_staff,
                          "is_superuser": is_staff},
            )
            if created:
                user.set_password(password)
                user.save()
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
        self.stdout.write(self.style.SUCCESS("Demo accounts (local use only):"))
        for email, password, _first, _last, is_staff in DEMO_USERS:
            role = "staff (asked to set up TOTP at the first staff page)" if is_staff else "member"
            self.stdout.write(f"  {email:28} {password:32} {role}")
        outbox = getattr(settings, "EMAIL_FILE_PATH", "the configured SMTP server")
        self.stdout.write(f"Emails are written to {outbox}")
