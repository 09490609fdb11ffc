"""Pages of a signed-in user served again from a cache while nothing they show changed.

A signed-in page is rendered for one person, so it is kept for that person only: the key
is the user's row, the cookies (the session's, and the CSRF cookie of which the page's forms
carry a token), what the session holds, the language, the host, the path with its query
string, the ``Accept`` header, today's date in the portal's time zone and a generation
replaced whenever settings change (:func:`page_key`). What the page shows is known from what it
read: while the view and its template run, :class:`algoric.core.table_versions.Reading`
collects the tables every ``SELECT`` names (and the kinds of public content whose cached
figures it showed), to which the user's own tables are added (read before the view). The
page is stored with the versions of those tables read after rendering, unless the write
stamp read before rendering changed meanwhile (a table may then have changed under it:
the page is not stored). It is served again only while each of those versions is still
current: any write to one of the tables, from any process, replaces its version when it
commits, and the next request renders the page afresh. Nothing is stale for longer than
it takes a commit to reach the shared versions store; what depends on the clock alone is
at most ``SIGNED_IN_PAGE_CACHE_SECONDS`` old.

A page is stored only when rendering it had no side effect and nothing personal to one
request: a ``GET`` answered ``200`` with HTML, by a view that wrote nothing, did not
change the session, added no message, set no cookie and no ``Cache-Control`` of its own.
It is never looked up while messages wait to be shown. The sign-in, account and security
pages (allauth), the admin and the API are never kept. A view showing what the database
does not hold (a live Slurm state, a file listing) opts out with Django's ``never_cache``:
its ``Cache-Control`` keeps it out of the store.
"""

from __future__ import annotations

import functools
import hashlib
import logging

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpResponse
from django.utils import timezone

from . import table_versions

logger = logging.getLogger(__name__)
_PAGE_KEY = "signed-in-page:{}"
#: Views of these modules are never kept (sign-in and security pages, admin, API).
_EXEMPT_MODULES = ("allauth.", "django.contrib.admin", "rest_framework", "drf_spectacular",
                   "api.")
_generation = 0


def _settings_changed(**kwargs) -> None:
    global _generation
    _generation += 1


setting_changed.connect(_settings_changed, dispatch_uid="signed-in-page-cache")


@functools.cache
def _always_read() -> frozenset[str]:
    """Tables read for every signed-in request before the view runs, the user's own row
    aside (it is part of the key): their groups and permissions, their second factors."""
    from django.contrib.auth import get_user_model

    user = get_user_model()
    tables = {"auth_group", "auth_permission", "auth_group_permissions",
              "mfa_authenticator", table_versions.ANY_TABLE}
    tables.update(field.remote_field.through._meta.db_table
                  for field in user._meta.many_to_many)
    return frozenset(tables)


def _seconds() -> int:
    return getattr(settings, "SIGNED_IN_PAGE_CACHE_SECONDS", 0)


def _has_pending_messages(request) -> bool:
    cookie = getattr(settings, "MESSAGE_COOKIE_NAME", "messages")
    return cookie in request.COOKIES or "_messages" in request.session


def _exempt(view_func) -> bool:
    module = getattr(view_func, "__module__", "") or ""
    return module.startswith(_EXEMPT_MODULES)


def _user_state(user) -> str:
    """The signed-in user's row as loaded before the view ran (every field but the last
    sign-in, which a sign-in anywhere would otherwise change for every page)."""
    return repr([getattr(user, field.attname) for field in user._meta.concrete_fields
                 if field.attname != "last_login"])


def page_key(request) -> str:
    """The store key of ``request``'s page for its signed-in user: the user's row, the
    host, the path with its query string, the language, the ``Accept`` and ``Cookie``
    headers (the session and CSRF cookies among them), what the session holds, today's
    date in the portal's time zone and the settings generation."""
    session = request.session
    held = sorted((key, repr(value)) for key, value in session.items())
    raw = "\x1f".join((
        _user_state(request.user), request.get_host(), request.get_full_path(),
        getattr(request, "LANGUAGE_CODE", ""), request.headers.get("Accept", ""),
        request.headers.get("Cookie", ""), repr(held),
        timezone.localdate().isoformat(), str(_generation),
    ))
    return _PAGE_KEY.format(hashlib.sha256(raw.encode()).hexdigest())


class _Pending:
    """A page being rendered for the store: its key, the write stamp before it ran, and
    what it reads and writes."""

    def __init__(self, key: str):
        self.key = key
        self.stamp = table_versions.write_stamp()
        self.reading = table_versions.Reading().start()

    def entry(self, request, response) -> dict | None:
        """What to store for ``response``, or ``None`` when it must not be kept."""
        self.reading.stop()
        if (response.status_code != 200 or response.streaming or response.cookies
                or response.has_header("Cache-Control")
                or not response.get("Content-Type", "").startswith("text/html")
                or self.reading.written or request.session.modified
                or getattr(getattr(request, "_messages", None), "added_new", False)):
            return None
        try:
            versions = table_versions.versions_after(self.reading.read | _always_read(),
                                                     self.stamp)
        except Exception:  # the versions store is out of reach: keep nothing
            logger.warning("signed-in page not kept", exc_info=True)
            return None
        if versions is None:
            return None
        return {"versions": versions, "content": response.content,
                "headers": list(response.items())}


class SignedInPageCacheMiddleware:
    """Serve a signed-in user's page again while nothing it shows changed; keep the pages
    just rendered. The last middleware of ``settings.MIDDLEWARE``: everything before it
    (sessions, authentication, CSRF, staff second factor, rate limits, security headers)
    runs for a page served from the store too.

    It also replaces, before and after each request, the versions of tables written on the
    request's connection and not yet announced (:func:`table_versions.flush_pending`).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        connection = connections[DEFAULT_DB_ALIAS]
        table_versions.flush_pending(connection)
        try:
            response = self.get_response(request)
        finally:
            pending = request.__dict__.pop("_signed_in_page", None)
            if pending is not None:
                pending.reading.stop()
        if pending is not None:
            entry = pending.entry(request, response)
            if entry is not None:
                caches["pages"].set(pending.key, entry, timeout=_seconds())
        table_versions.flush_pending(connection)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if (request.method != "GET" or _seconds() <= 0 or user is None
                or not user.is_authenticated or _exempt(view_func)
                or _has_pending_messages(request)):
            return None
        key = page_key(request)
        try:
            entry = caches["pages"].get(key)
            if entry is not None and table_versions.current_versions(entry["versions"]) == \
                    entry["versions"]:
                response = HttpResponse(entry["content"])
                for name, value in entry["headers"]:
                    response.headers[name] = value
                return response
            request._signed_in_page = _Pending(key)
        except Exception:  # the versions store is out of reach: render, keep nothing
            logger.warning("signed-in page cache unavailable", exc_info=True)
        return None
