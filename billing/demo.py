"""Billing in the demonstration centre: this year's membership invoices, one SME's usage
invoice, payments. Registered as a demo step (``register_demo_builder``) by the app."""

from __future__ import annotations


def demo_billing(*, staff, year: int, log) -> dict:
    """Placeholder filled below."""
    return {}
