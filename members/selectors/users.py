"""Reads on people: who receives what is meant for staff."""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import User


def staff_recipients() -> QuerySet[User]:
    """Active staff members, who receive the notifications meant for staff."""
    return User.objects.filter(is_staff=True, is_active=True)
