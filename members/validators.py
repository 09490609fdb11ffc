"""Validators: passwords (beyond Django's), SIRET, SIREN, VAT numbers, RNSR and UAI codes,
cluster logins. Official identifiers are checked by ``python-stdnum``."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from stdnum import luhn
from stdnum.eu import vat
from stdnum.exceptions import InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as ValidationError_
from stdnum.fr import siren, siret


class MaximumLengthValidator:
    """Refuse passwords longer than ``max_length`` characters (default 128).

    OWASP ASVS 4.0.3 V2.1.2 asks for at least 64 characters to be allowed and no
    more than 128; a cap also bounds the cost of hashing hostile input.
    """

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        """Raise ``ValidationError`` (code ``password_too_long``) past ``max_length``."""
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It must contain at most %(max_length)d "
                    "character.",
                    "This password is too long. It must contain at most %(max_length)d "
                    "characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        """Describe the rule for the password field's help text."""
        return ngettext(
            "Your password must contain at most %(max_length)d character.",
            "Your password must contain at most %(max_length)d characters.",
            self.max_length,
        ) % {"max_length": self.max_length}


def luhn_is_valid(digits: str) -> bool:
    """Return whether the string of digits passes the Luhn (mod 10) check.

    Source: ISO/IEC 7812-1, annex B; INSEE uses it for SIREN and SIRET numbers. The
    check is ``python-stdnum``'s (``stdnum.luhn``).
    """
    return luhn.is_valid(digits)


def luhn_complete(digits: str) -> str:
    """``digits`` followed by the Luhn check digit that makes the whole valid
    (``stdnum.luhn.calc_check_digit``): a SIREN from 8 digits, a SIRET from 13."""
    return digits + luhn.calc_check_digit(digits)


def validate_siret(value: str) -> None:
    """Check a French SIRET: 14 digits (spaces ignored), its check digit and its SIREN's.

    The check is ``python-stdnum``'s (``stdnum.fr.siret``), which also knows the La Poste
    exception INSEE documents (SIREN 356 000 000: the sum of the digits is a multiple of 5).
    Raises ``ValidationError`` (code ``siret_format`` or ``siret_checksum``).
    """
    try:
        siret.validate(value.replace(" ", ""))
    except (InvalidFormat, InvalidLength) as error:
        raise ValidationError(_("A SIRET number has exactly 14 digits."),
                              code="siret_format") from error
    except ValidationError_ as error:
        raise ValidationError(
            _("This SIRET number is not valid (its check digit does not match)."),
            code="siret_checksum",
        ) from error


def validate_siren(value: str) -> None:
    """Check a French SIREN: 9 digits (spaces ignored) passing the Luhn check
    (``stdnum.fr.siren``). Raises ``ValidationError`` (code ``siren``)."""
    try:
        siren.validate(value.replace(" ", ""))
    except ValidationError_ as error:
        raise ValidationError(_("This SIREN number is not valid (9 digits, with a check "
                                "digit)."), code="siren") from error


def validate_vat_number(value: str) -> None:
    """Check an intra-EU VAT number (``FR`` + 2 check digits + SIREN, ``DE…``, …) with
    ``stdnum.eu.vat``: country prefix, format and check digits of that country's rule.
    Empty is allowed. Raises ``ValidationError`` (code ``vat_number``)."""
    if not value:
        return
    try:
        vat.validate(value)
    except ValidationError_ as error:
        raise ValidationError(
            _("This is not a valid intra-EU VAT number (a country code such as FR, then the "
              "number, e.g. FR40303265045)."), code="vat_number") from error


def normalise_vat_number(value: str) -> str:
    """The VAT number in its compact form (upper case, no spaces or dots), or ``""``."""
    return vat.compact(value) if value else ""


def validate_research_code(value: str) -> None:
    """Check an RNSR laboratory code (9 digits and a letter, e.g. ``200912345X``) or a UAI
    school code (7 digits and a letter, e.g. ``0561234A``). Raises ``ValidationError``.

    Formats: RNSR, Répertoire national des structures de recherche (MESR); UAI,
    Unité administrative immatriculée (Éducation nationale, BCE directory).
    """
    if not re.fullmatch(r"\d{9}[A-Z]|\d{7}[A-Z]", value.strip().upper()):
        raise ValidationError(
            _("Enter an RNSR code (9 digits and a letter) or a UAI code (7 digits and a "
              "letter)."),
            code="research_code_format",
        )


#: A cluster login Slurm and the cluster's systems accept: a POSIX user name, lower-case
#: letters, digits, ``_`` and ``-``, starting with a letter or ``_``, at most 32
#: characters (useradd(8) NAME_REGEX; ``sacctmgr add user`` takes it as it is).
CLUSTER_LOGIN_RE = re.compile(r"[a-z_][a-z0-9_-]{0,31}")


def validate_cluster_login(value: str) -> None:
    """Refuse a cluster login that is not a valid Slurm/POSIX user name (empty is allowed).

    Raises ``ValidationError`` (code ``cluster_login``).
    """
    if value and not CLUSTER_LOGIN_RE.fullmatch(value):
        raise ValidationError(
            _("Use lower-case letters, digits, '_' or '-', starting with a letter."),
            code="cluster_login")
