"""What apps higher in the stack add to pages and processes owned lower down.

The staff dashboard, the personal-data export and the account deletion belong to the
bottom app (``members``), the health check to ``algoric.operations``; yet what they must
show or check also lives higher up (resource requests in ``projects``, clusters in
``resources``). A higher app registers its part in its ``AppConfig.ready()``; the owner
asks the registry. No import goes upward (CONVENTIONS.md, layers).

- :func:`register_dashboard_section` — a block of the staff dashboard;
- :func:`register_personal_data` — a section of a member's personal-data export;
- :func:`register_deletion_blocker` — reasons why an account cannot be deleted yet;
- :func:`register_deletion_hook` — a step of an account's deletion;
- :func:`register_health_check` — a list of problems shown by ``/healthz``;
- :func:`register_profile_section` — a block of the member's profile page.

Each ``register_*`` is idempotent (registering the same thing again replaces it), so a
second ``ready()`` (tests, reloads) changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DashboardSection:
    """A block of the staff dashboard.

    ``template``: the template to include (its key in the registry); ``context``: a
    callable taking the request and returning the template's context (a dict);
    ``order``: smaller first (the members' own blocks come at 100).
    """

    template: str
    context: Callable[[Any], dict]
    order: int = 50


@dataclass(frozen=True)
class ProfileSection:
    """A block of the member's profile page (``members:profile``).

    ``template``: the template to include (its key in the registry); ``context``: a
    callable taking the request and returning the template's context (a dict);
    ``order``: smaller first.
    """

    template: str
    context: Callable[[Any], dict]
    order: int = 50


_DASHBOARD: dict[str, DashboardSection] = {}
_PROFILE: dict[str, ProfileSection] = {}
_PERSONAL_DATA: dict[str, Callable[[Any], Any]] = {}
_DELETION_BLOCKERS: dict[str, Callable[[Any], list[str]]] = {}
_DELETION_HOOKS: dict[str, Callable[[Any], None]] = {}
_HEALTH_CHECKS: dict[str, Callable[[], list]] = {}


def _key(function: Callable) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def register_dashboard_section(section: DashboardSection) -> None:
    """Add ``section`` to the staff dashboard (once per template)."""
    _DASHBOARD[section.template] = section


def dashboard_sections(request) -> list[dict]:
    """The registered sections in order, each as ``{"template": …, "context": {…}}``."""
    return [{"template": section.template, "context": section.context(request)}
            for section in sorted(_DASHBOARD.values(), key=lambda s: (s.order, s.template))]


def register_profile_section(section: ProfileSection) -> None:
    """Add ``section`` to the member's profile page (once per template)."""
    _PROFILE[section.template] = section


def profile_sections(request) -> list[dict]:
    """The registered profile sections in order, each as ``{"template": …, "context": {…}}``."""
    return [{"template": section.template, "context": section.context(request)}
            for section in sorted(_PROFILE.values(), key=lambda s: (s.order, s.template))]


def register_personal_data(name: str, provider: Callable[[Any], Any]) -> None:
    """Add the section ``name`` to every personal-data export: ``provider(user)``
    returns a JSON-able value (a later registration of ``name`` replaces it)."""
    _PERSONAL_DATA[name] = provider


def personal_data_sections() -> dict[str, Callable[[Any], Any]]:
    """The registered export sections, ``{name: provider}``, in registration order."""
    return dict(_PERSONAL_DATA)


def register_deletion_blocker(check: Callable[[Any], list[str]]) -> None:
    """Add a check run before an account is deleted: ``check(user)`` returns reasons
    (sentences for the person) why it cannot be deleted yet, or ``[]``."""
    _DELETION_BLOCKERS[_key(check)] = check


def deletion_blocker_checks() -> list[Callable[[Any], list[str]]]:
    """The registered deletion checks, in registration order."""
    return list(_DELETION_BLOCKERS.values())


def register_deletion_hook(hook: Callable[[Any], None]) -> None:
    """Add a step run inside an account deletion's transaction: ``hook(user)``."""
    _DELETION_HOOKS[_key(hook)] = hook


def deletion_hooks() -> list[Callable[[Any], None]]:
    """The registered deletion steps, in registration order."""
    return list(_DELETION_HOOKS.values())


def register_health_check(name: str, check: Callable[[], list]) -> None:
    """Add a check to ``/healthz``: ``check()`` returns a list of problems (JSON-able
    dicts or texts); an empty list means healthy, anything else makes it degraded."""
    _HEALTH_CHECKS[name] = check


def health_checks() -> dict[str, Callable[[], list]]:
    """The registered health checks, ``{name: check}``."""
    return dict(_HEALTH_CHECKS)
