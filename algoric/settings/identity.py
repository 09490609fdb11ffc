"""The association's identity on quotes, invoices and receipts, and the demonstration's.

Read by ``base`` from the environment (every name below is listed in ``.env.example``).
``local`` and ``test`` fill what is not set with :data:`DEMO_IDENTITY`: clearly made-up
values (an all-zero SIREN, the IBAN of the French banks' documentation) that no real
invoice may carry; ``billing``'s deployment check refuses them, and missing ones, in
production. The association's real facts (name, town) come from its own documents; its
official numbers are never guessed.
"""

#: Made-up identity for a laptop and the tests. The SIREN/SIRET pass the Luhn check
#: only because they are all zeros; the IBAN is the example printed in the French
#: banks' IBAN documentation; ``DEMOFRPP`` is no bank.
DEMO_IDENTITY = {
    "ASSOCIATION_LEGAL_NAME": "Association Algoric (démonstration)",
    "ASSOCIATION_ADDRESS": "La Fabrique du Loch, adresse de démonstration",
    "ASSOCIATION_POSTAL_CODE": "56400",
    "ASSOCIATION_CITY": "Auray",
    "ASSOCIATION_SIREN": "000000000",
    "ASSOCIATION_SIRET": "00000000000000",
    "ASSOCIATION_IBAN": "FR7630006000011234567890189",
    "ASSOCIATION_BIC": "DEMOFRPP",
    "ASSOCIATION_EMAIL": "tresorerie@demo.algoric.org",
}


def identity_settings(env) -> dict:
    """The identity settings read from ``env`` (a django-environ ``Env``), empty where
    unset. Returns ``{setting name: value}``; see ``.env.example`` for each name."""
    names = ["ASSOCIATION_LEGAL_NAME", "ASSOCIATION_ADDRESS", "ASSOCIATION_POSTAL_CODE",
             "ASSOCIATION_CITY", "ASSOCIATION_SIREN", "ASSOCIATION_SIRET",
             "ASSOCIATION_VAT_NUMBER", "ASSOCIATION_IBAN", "ASSOCIATION_BIC",
             "ASSOCIATION_EMAIL", "INVOICE_FOOTER", "INVOICE_LATE_PENALTY_RATE"]
    values = {name: env.str(name, default="") for name in names}
    values.update(
        ASSOCIATION_COUNTRY_CODE=env.str("ASSOCIATION_COUNTRY_CODE", default="FR"),
        # Without a VAT number the association is not subject to VAT: this mention is
        # printed and every line carries 0 % (exemption category E, EN 16931).
        ASSOCIATION_VAT_EXEMPTION=env.str(
            "ASSOCIATION_VAT_EXEMPTION", default="TVA non applicable, art. 293 B du CGI"),
        # The VAT rate of a line when the association is subject to VAT (percent).
        ASSOCIATION_VAT_RATE=env.str("ASSOCIATION_VAT_RATE", default="20.00"),
        INVOICE_PAYMENT_DAYS=env.int("INVOICE_PAYMENT_DAYS", default=30),
        QUOTE_VALIDITY_DAYS=env.int("QUOTE_VALIDITY_DAYS", default=30),
        # The association's certificate and key for countersigning agreements (PAdES):
        # PEM files, the key's passphrase.
        AGREEMENT_SIGNING_CERT=env.str("AGREEMENT_SIGNING_CERT", default=""),
        AGREEMENT_SIGNING_KEY=env.str("AGREEMENT_SIGNING_KEY", default=""),
        AGREEMENT_SIGNING_KEY_PASSPHRASE=env.str("AGREEMENT_SIGNING_KEY_PASSPHRASE",
                                                 default=""),
        # PEM files of the certificate authorities whose signatures on uploaded agreements
        # are shown as trusted (comma-separated paths).
        AGREEMENT_SIGNATURE_TRUST_ROOTS=env.list("AGREEMENT_SIGNATURE_TRUST_ROOTS", default=[]),
    )
    return values


def with_demo_identity(values: dict) -> dict:
    """``values`` with :data:`DEMO_IDENTITY` filling the names left empty."""
    return {**values, **{name: value for name, value in DEMO_IDENTITY.items()
                         if not values.get(name)}}
