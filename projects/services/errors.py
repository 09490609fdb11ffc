"""Errors of the projects services."""

from members.services.errors import TransitionError

__all__ = ["TransitionError"]
