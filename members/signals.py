"""Edges with allauth: react to its account events (CONVENTIONS.md, habit 7)."""

from allauth.account.signals import email_confirmed
from django.db import transaction
from django.dispatch import receiver

from algoric.notifications.services import notify


@receiver(email_confirmed, dispatch_uid="members_welcome_on_email_confirmed")
def welcome_on_first_confirmation(sender, request, email_address, **kwargs):
    """Send the welcome message once, when a person confirms their first address."""
    user = email_address.user
    with transaction.atomic():
        notify(event="welcome", recipient=user, dedupe_key=f"welcome:{user.pk}")
