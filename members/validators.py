"""Validators: passwords (beyond Django's), SIRET, RNSR and UAI codes, cluster logins."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


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

    Source: ISO/IEC 7812-1, annex B; INSEE uses it for SIREN and SIRET numbers.
    """
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


#: SIRET of La Poste establishments: SIREN 356000000 does not follow the Luhn rule;
#: INSEE checks them by the sum of the digits being a multiple of 5.
LA_POSTE_SIREN = "356000000"


def validate_siret(value: str) -> None:
    """Check a French SIRET: 14 digits (spaces ignored) passing the Luhn check.

    Raises ``ValidationError`` (code ``siret_format`` or ``siret_checksum``). The
    La Poste exception (SIREN 356 000 000, digit sum multiple of 5) is accepted, as
    INSEE documents it.
    """
    digits = value.replace(" ", "")
    if not re.fullmatch(r"\d{14}", digits):
        raise ValidationError(_("A SIRET number has exactly 14 digits."), code="siret_format")
    if digits.startswith(LA_POSTE_SIREN):
        valid = sum(int(c) for c in digits) % 5 == 0
    else:
        valid = luhn_is_valid(digits)
    if not valid:
        raise ValidationError(
            _("This SIRET number is not valid (its check digit does not match)."),
            code="siret_checksum",
        )


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
