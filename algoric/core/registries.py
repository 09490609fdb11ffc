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
- :func:`register_notification_events` — the category of each notification event (the
  person's choice between every message at once and a weekly digest is per category),
  and the events that must always be sent at once.
- :func:`register_slurm_extra_members` — logins added to Slurm accounts of the plan
  (``projects.services.slurm``) by an app above ``projects`` (training sessions);
- :func:`register_centre_report_section` — figures added to the centre's activity
  report (``projects.reports.centre``) and the public statistics;
- :func:`register_demo_builder` — a step run at the end of ``demo_centre``.
- :func:`register_profile_section` — a block of the member's profile page.

Each ``register_*`` is idempotent (registering the same thing again replaces it), so a
second ``ready()`` (tests, reloads) changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
class NotificationEvent:
    """How the notifications of one event are delivered.

    ``category``: one of :class:`algoric.notifications.models.NotificationCategory`'s
    values (``"requests"``, ``"allocations"``, …); ``mandatory``: the law or the
    agreement requires it to be sent at once (security, access refused, agreement to
    sign), whatever the person chose for the category.
    """

    category: str
    mandatory: bool = False


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
_NOTIFICATION_EVENTS: dict[str, NotificationEvent] = {}
_SLURM_EXTRA_MEMBERS: dict[str, Callable[..., dict[str, set[str]]]] = {}
_CENTRE_REPORT_SECTIONS: dict[str, Callable[..., Any]] = {}
_DEMO_BUILDERS: dict[str, tuple[int, Callable[..., Any]]] = {}


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


def register_notification_events(category: str, *, events: Iterable[str] = (),
                                 mandatory: Iterable[str] = ()) -> None:
    """File notification ``events`` under ``category`` (one line per app and category in
    its ``AppConfig.ready()``).

    ``category``: a value of :class:`algoric.notifications.models.NotificationCategory`;
    ``events``: event names (the ``templates/emails/<event>.*`` names, or allauth's
    template names without their folder) that follow the person's choice for the
    category; ``mandatory``: events of the category always sent at once. An event
    registered again takes its latest category. An event no app registered is sent at once.
    """
    for event in events:
        _NOTIFICATION_EVENTS[event] = NotificationEvent(category=category)
    for event in mandatory:
        _NOTIFICATION_EVENTS[event] = NotificationEvent(category=category, mandatory=True)


def notification_event(event: str) -> NotificationEvent | None:
    """How ``event``'s notifications are delivered, or ``None`` for an unregistered event
    (sent at once, with no category)."""
    return _NOTIFICATION_EVENTS.get(event)


def notification_events() -> dict[str, NotificationEvent]:
    """Every registered event, ``{event: NotificationEvent}``."""
    return dict(_NOTIFICATION_EVENTS)
def register_slurm_extra_members(provider: Callable[..., dict[str, set[str]]]) -> None:
    """Add logins to the Slurm plan: ``provider(accounts=set[str], on_date=date)`` returns
    ``{slurm account: {cluster login, …}}`` for some of ``accounts`` (the accounts of the
    plan), the logins that must be users of that account on ``on_date`` besides the
    project's members."""
    _SLURM_EXTRA_MEMBERS[_key(provider)] = provider


def slurm_extra_members(*, accounts: set[str], on_date) -> dict[str, set[str]]:
    """The union of the registered providers' logins, ``{account: {login, …}}``, limited to
    ``accounts``."""
    found: dict[str, set[str]] = {}
    for provider in _SLURM_EXTRA_MEMBERS.values():
        for account, logins in provider(accounts=accounts, on_date=on_date).items():
            if account in accounts:
                found.setdefault(account, set()).update(logins)
    return found


def register_centre_report_section(name: str, provider: Callable[..., Any]) -> None:
    """Add the section ``name`` to the centre's activity report and the public statistics:
    ``provider(year=int)`` returns ``{"title": str, "rows": [(label, value), …]}`` (labels
    translated in the active language, values numbers)."""
    _CENTRE_REPORT_SECTIONS[name] = provider


def centre_report_sections(*, year: int) -> list[dict]:
    """The registered sections for ``year``, in registration order, each
    ``{"name": …, "title": …, "rows": [(label, value), …]}``."""
    return [{"name": name, **provider(year=year)}
            for name, provider in _CENTRE_REPORT_SECTIONS.items()]


def register_demo_builder(name: str, builder: Callable[..., Any], *, order: int = 50) -> None:
    """Add a step to the demonstration centre: ``builder(*, staff, year, today, log)`` runs
    after the centre's own steps (``staff``: the user who makes the demo's decisions;
    ``year``: this year; ``today``: the demonstration's date; ``log``: a callable taking a
    line of text); it is idempotent (a second run writes nothing) and returns a dict of
    counts of what it created (``{"invoices": 3}``). Smaller ``order`` runs first."""
    _DEMO_BUILDERS[name] = (order, builder)


def demo_builders() -> list[tuple[str, Callable[..., Any]]]:
    """The registered demo steps, ``[(name, builder)]`` in order."""
    return [(name, builder) for name, (_order, builder)
            in sorted(_DEMO_BUILDERS.items(), key=lambda item: (item[1][0], item[0]))]
