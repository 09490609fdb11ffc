"""Billing: quotes, invoices and credit notes (Factur-X), payments, receipts.

Sits above ``projects`` (a quote reads a resource request's table; a usage invoice reads
the usage of an organisation's projects at the catalogue's prices; a fee invoice reads
the membership). The association's identity comes from settings
(``algoric/settings/identity.py``); a fee invoice paid in full marks the membership paid
through ``members.services.memberships`` — the one source of truth for memberships.
"""
