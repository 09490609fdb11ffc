"""Sections that apps above ``members`` add to the staff dashboard.

The dashboard belongs to the bottom app, but what staff must act on also lives
higher up (resource requests in ``projects``). A higher app registers a section
in its ``AppConfig.ready()``; the dashboard renders every registered section. No
import goes upward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DashboardSection:
    """A block of the staff dashboard.

    ``template``: the template to include; ``context``: a callable taking the
    request and returning the template's context (a dict); ``order``: smaller
    first (members' own sections come at 100).
    """

    template: str
    context: Callable[[object], dict]
    order: int = 50


_SECTIONS: list[DashboardSection] = []


def register_dashboard_section(section: DashboardSection) -> None:
    """Add ``section`` to the staff dashboard (once per template)."""
    if all(existing.template != section.template for existing in _SECTIONS):
        _SECTIONS.append(section)


def dashboard_sections(request) -> list[dict]:
    """The registered sections, in order, each as ``{"template": …, "context": {…}}``."""
    return [{"template": section.template, "context": section.context(request)}
            for section in sorted(_SECTIONS, key=lambda s: s.order)]
