"""Who acts as staff outside the staff pages.

Staff see every organisation's objects (organisations, agreements, projects, requests).
That power needs two-factor authentication, like every staff page (RELIABILITY.md,
staff): a staff account without TOTP enrolled is treated as a plain member.
"""

from allauth.mfa.utils import is_mfa_enabled


def is_verified_staff(user) -> bool:
    """Whether ``user`` is a signed-in staff member with TOTP enrolled (one query)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_staff
                and is_mfa_enabled(user))
