"""The association's identity: settings checked by python-stdnum and schwifty."""

from billing.selectors.identity import association_identity, default_vat_rate, identity_problems


def test_the_demonstration_identity_is_valid_but_refused_in_production():
    assert identity_problems(production=False) == []
    problems = identity_problems(production=True)
    assert "ASSOCIATION_SIRET still holds the demonstration value." in problems
    assert "ASSOCIATION_IBAN still holds the demonstration value." in problems


def test_a_wrong_iban_bic_or_siren_is_reported(settings):
    settings.ASSOCIATION_IBAN = "FR7630006000011234567890180"  # bad check digits
    settings.ASSOCIATION_BIC = "12"
    settings.ASSOCIATION_SIREN = "123456789"
    problems = " ".join(identity_problems(production=False))
    assert "ASSOCIATION_IBAN is not valid" in problems
    assert "ASSOCIATION_BIC is not valid" in problems
    assert "ASSOCIATION_SIREN is not valid" in problems


def test_without_a_vat_number_the_exemption_applies_and_lines_carry_no_vat(settings):
    settings.ASSOCIATION_VAT_NUMBER = ""
    identity = association_identity()
    assert identity["vat_exemption"] == settings.ASSOCIATION_VAT_EXEMPTION
    assert default_vat_rate() == 0
    settings.ASSOCIATION_VAT_NUMBER = "FR40303265045"
    settings.ASSOCIATION_VAT_RATE = "20.00"
    assert association_identity()["vat_exemption"] == ""
    assert default_vat_rate() == 20
