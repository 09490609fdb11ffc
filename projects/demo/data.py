"""What ``manage.py demo_data`` creates for a local portal: two demo accounts, placeholder
membership fees for the current year and, when the catalogue is empty, three
demonstration resources. Every step is idempotent (what exists is kept).

It lives in ``projects``, the top app, because it writes rows of ``members`` and of
``resources``; :mod:`projects.demo.centre` builds on it (the demo staff member).
"""

from __future__ import annotations

from decimal import Decimal

from allauth.account.models import EmailAddress

from members.models import FeeSchedule, User
from resources.models import Resource, ResourcePrice

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


def demo_users_create() -> None:
    """Create the :data:`DEMO_USERS` that do not exist (staff ones are superusers), with
    their password, and mark their addresses verified and primary."""
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


def demo_fees_create(*, year: int) -> list[str]:
    """Create the :data:`DEMO_FEES` of ``year`` for the organisation kinds that have no
    fee that year; return those kinds."""
    created_fees = []
    for kind, amount in DEMO_FEES.items():
        _fee, created = FeeSchedule.objects.get_or_create(
            kind=kind, year=year, defaults={"amount": Decimal(amount)}
        )
        if created:
            created_fees.append(kind)
    return created_fees


def demo_catalogue_create() -> list[str]:
    """Create the :data:`DEMO_RESOURCES`, each priced for every organisation kind, when
    the catalogue is empty; return their names (none when it was not empty)."""
    if Resource.objects.exists():
        return []
    names = []
    for order, (name, kind, capacity, figures, price) in enumerate(DEMO_RESOURCES, 1):
        resource = Resource.objects.create(
            name=name, kind=kind, capacity_per_year=Decimal(capacity), order=order,
            description_fr="Ressource de démonstration : chiffres d'exemple, pas la "
                           "capacité réelle du centre.",
            description_en="Demonstration resource: example figures, not the centre's "
                           "real capacity.",
            slurm_cluster="algoric" if kind in ("cpu", "gpu") else "",
            slurm_partition=kind if kind in ("cpu", "gpu") else "", **figures)
        for kind_code in DEMO_FEES:
            ResourcePrice.objects.create(resource=resource, organisation_kind=kind_code,
                                         price_per_unit=Decimal(price))
        names.append(name)
    return names
