"""Models of the API: the personal access tokens."""

from .tokens import PersonalAccessToken, Scope

__all__ = ["PersonalAccessToken", "Scope"]
