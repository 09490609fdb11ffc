"""Errors raised by the members services."""

from django.core.exceptions import ValidationError


class TransitionError(ValidationError):
    """A workflow change that is not allowed from the current status.

    Carries a message fit to show the person who asked for it.
    """
