"""``manage.py demo_data``: demo accounts for a local portal (idempotent)."""

from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from members.models import FeeSchedule, User

#: (email, password, first name, last name, is_staff) — local demonstration only.
DEMO_USERS = [
    ("staff@demo.algoric.org", "demo-staff-Penn-Ar-Bed-2026", "Maïwenn", "Le Goff", True),
    ("member@demo.algoric.org", "demo-member-Ria-Etel-2026", "Yann", "Kervella", False),
]


#: Placeholder yearly fees (EUR) so that the membership workflow can be tried locally.
#: They are demo values, not the association's prices.
DEMO_FEES = {"sme": "250", "lab": "150", "public_body": "150", "school": "50",
             "association": "50", "individual": "20"}


#: Example resources for a local demo (name, kind, capacity per year, power figures,
#: price per unit in EUR). Labelled as demonstration data wherever they are shown.
DEMO_RESOURCES = [
    ("CPU (démo)", "cpu", "1000000",
     {"watts_per_core": Decimal("12"), "memory_gb_per_core": Decimal("4")}, "0.01"),
    ("GPU (démo)", "gpu", "20000", {"watts_per_gpu": Decimal("250")}, "0.50"),
    ("Stockage disque (démo)", "disk", "50", {}, "20"),
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
        year = timezone.localdate().year
        created_fees = []
        for kind, amount in DEMO_FEES.items():
            _fee, created = FeeSchedule.objects.get_or_create(
                kind=kind, year=year, defaults={"amount": Decimal(amount)}
            )
            if created:
                created_fees.append(kind)
        demo_resources = self._demo_catalogue()
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

    def _demo_catalogue(self) -> list[str]:
        """Create example resources when the catalogue is empty; return their names."""
        from django.apps import apps

        resource_model = apps.get_model("resources", "Resource")
        price_model = apps.get_model("resources", "ResourcePrice")
        if resource_model.objects.exists():
            return []
        names = []
        for order, (name, kind, capacity, figures, price) in enumerate(DEMO_RESOURCES, 1):
            resource = resource_model.objects.create(
                name=name, kind=kind, capacity_per_year=Decimal(capacity), order=order,
                description_fr="Ressource de démonstration : chiffres d'exemple, pas la "
                               "capacité réelle du centre.",
                description_en="Demonstration resource: example figures, not the centre's "
                               "real capacity.",
                slurm_cluster="algoric" if kind in ("cpu", "gpu") else "",
                slurm_partition=kind if kind in ("cpu", "gpu") else "", **figures)
            for kind_code in DEMO_FEES:
                price_model.objects.create(resource=resource, organisation_kind=kind_code,
                                           price_per_unit=Decimal(price))
            names.append(name)
        return names
