"""The association's identity as printed on quotes, invoices and receipts (settings)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.fr import siren, siret

from algoric.settings.identity import DEMO_IDENTITY

#: The settings an invoice cannot go without (art. L441-9 and R123-237 of the Code de
#: commerce: name, address, SIREN; the bank details to pay).
REQUIRED = ("ASSOCIATION_LEGAL_NAME", "ASSOCIATION_ADDRESS", "ASSOCIATION_POSTAL_CODE",
            "ASSOCIATION_CITY", "ASSOCIATION_SIREN", "ASSOCIATION_SIRET", "ASSOCIATION_IBAN",
            "ASSOCIATION_BIC")

#: Demonstration values that are the association's real facts (its town), not made up.
REAL_FACTS = {"ASSOCIATION_POSTAL_CODE", "ASSOCIATION_CITY"}


def association_identity() -> dict:
    """The seller's details, JSON-able, as copied onto an invoice at issue.

    Keys: ``name``, ``address``, ``postal_code``, ``city``, ``country_code``, ``siren``,
    ``siret``, ``vat_number`` (``""`` when not subject to VAT), ``vat_exemption`` (the
    legal mention, ``""`` when subject to VAT), ``iban``, ``bic``, ``email``, ``footer``.
    """
    vat_number = settings.ASSOCIATION_VAT_NUMBER
    return {
        "name": settings.ASSOCIATION_LEGAL_NAME,
        "address": settings.ASSOCIATION_ADDRESS,
        "postal_code": settings.ASSOCIATION_POSTAL_CODE,
        "city": settings.ASSOCIATION_CITY,
        "country_code": settings.ASSOCIATION_COUNTRY_CODE,
        "siren": settings.ASSOCIATION_SIREN,
        "siret": settings.ASSOCIATION_SIRET,
        "vat_number": vat_number,
        "vat_exemption": "" if vat_number else settings.ASSOCIATION_VAT_EXEMPTION,
        "iban": settings.ASSOCIATION_IBAN.replace(" ", ""),
        "bic": settings.ASSOCIATION_BIC,
        "email": settings.ASSOCIATION_EMAIL,
        "footer": settings.INVOICE_FOOTER,
    }


def default_vat_rate() -> Decimal:
    """The VAT rate of a line, percent: ``ASSOCIATION_VAT_RATE`` when the association has
    a VAT number, else 0 (not subject to VAT: ``ASSOCIATION_VAT_EXEMPTION``)."""
    return Decimal(settings.ASSOCIATION_VAT_RATE) if settings.ASSOCIATION_VAT_NUMBER \
        else Decimal("0.00")


def identity_problems(*, production: bool) -> list[str]:
    """What is missing or wrong in the identity settings, as sentences (empty: fine).

    Checks the SIREN and SIRET with ``python-stdnum``, the IBAN and BIC with
    ``schwifty``; with ``production``, also that every :data:`REQUIRED` setting is set
    and none still holds the made-up demonstration value.
    """
    problems = []
    for name in REQUIRED:
        value = getattr(settings, name, "")
        if production and not value:
            problems.append(f"{name} is not set.")
        elif production and name not in REAL_FACTS and value == DEMO_IDENTITY.get(name):
            problems.append(f"{name} still holds the demonstration value.")
    checks = [("ASSOCIATION_SIREN", siren.validate), ("ASSOCIATION_SIRET", siret.validate),
              ("ASSOCIATION_IBAN", IBAN), ("ASSOCIATION_BIC", BIC)]
    for name, check in checks:
        value = getattr(settings, name, "")
        if not value:
            continue
        try:
            check(value)
        except (SchwiftyException, ValueError) as error:
            problems.append(f"{name} is not valid: {error}")
    return problems
