"""How the staff views report a refused change: the message and the HTTP status."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from algoric.core.feedback import error_messages, form_error_texts

from ...services import TransitionError


def error_status(exc: ValidationError) -> int:
    """409 for a refused transition (the status changed), 400 for bad input."""
    return 409 if isinstance(exc, TransitionError) else 400


def error_texts(errors) -> list[str]:
    """The messages of a ``ValidationError``, or of a bound form's errors, flattened."""
    if isinstance(errors, ValidationError):
        return error_messages(errors)
    return form_error_texts(errors)


def refused(request, texts: list[str]) -> None:
    """Add the error message "Nothing was changed", followed by ``texts`` (the reasons)."""
    messages.error(request, _("Nothing was changed: %(reasons)s")
                   % {"reasons": " ".join(texts)})
