"""The staff dashboard: what staff must act on."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ..models import Agreement, Membership


def staff_dashboard(*, today: dt.date | None = None) -> dict:
    """What staff must act on, oldest first, with counts.

    Keys: ``to_review`` (submitted agreements), ``to_countersign`` (signed),
    ``unpaid`` (pending memberships), ``expiring`` (active agreements ending
    within 60 days), each a list, and ``counts`` (a dict of their lengths).
    """
    today = today or timezone.localdate()
    base = Agreement.objects.select_related("organisation")
    data = {
        "to_review": list(base.filter(status=Agreement.Status.SUBMITTED)
                          .order_by("updated_at")),
        "to_countersign": list(base.filter(status=Agreement.Status.SIGNED)
                               .order_by("signed_uploaded_at")),
        "unpaid": list(Membership.objects.filter(status=Membership.Status.PENDING)
                       .select_related("organisation").order_by("year", "created_at")),
        "expiring": list(base.filter(status=Agreement.Status.ACTIVE,
                                     ends_on__lte=today + dt.timedelta(days=60))
                         .order_by("ends_on")),
    }
    data["counts"] = {key: len(value) for key, value in data.items()}
    return data
