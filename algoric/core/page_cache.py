"""Public pages served whole from a cache to anonymous readers, and kept fresh.

A public view is marked with :func:`public_page` and the kinds of content it shows
(``"pages"``, ``"catalogue"``, ``"projects"``, ``"usage"``). Each kind has a **content
version**, a random token in the shared cache (``PAGE_CACHE_VERSIONS_ALIAS``, the default
cache: the database cache, or Redis). When content of a kind changes, its version is
replaced, at once and when the transaction commits (:func:`content_changed`), and
every page stored under the old version is no longer served: a page changes right after
what it shows changes.

:class:`PublicPageCacheMiddleware`, placed before the session middleware, answers a
``GET``/``HEAD`` of an anonymous reader (no session cookie, no messages cookie, no
``Authorization``) from the page store (``PAGE_CACHE_ALIAS``; a memory cache per
process by default) when the stored page's versions are still the current ones — one
round trip to the versions' cache and no database query with Redis (one with the
database cache), no session, no template. Otherwise the view runs; the page it renders
for such a reader is stored, keyed by path, query string and language, with the
versions read *before* the view ran (so a change during rendering makes it stale, never
newer than it is). Pages stay at most ``PAGE_CACHE_SECONDS`` in the store.

Answers to anonymous readers say ``Cache-Control: public, max-age=PAGE_CACHE_MAX_AGE``
and ``Vary: Cookie`` (a signed-in reader is never given the anonymous copy), and carry
an ``ETag`` (MD5 of the body) and ``Last-Modified`` (when rendered): a conditional
``GET`` gets ``304 Not Modified``. Signed-in users get the page rendered for them,
uncached and ``no-store`` (``PrivateNoStoreMiddleware``). A public page's template must
not use ``{% csrf_token %}`` for anonymous readers (the CSRF cookie would be set and the
page not stored): the language switch is a link for everyone.

Apps say which of their models are public content in ``AppConfig.ready()`` with
:func:`register_public_content` (a save or delete of a row bumps the versions).
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import get_language_from_path

from . import table_versions

#: The kinds of content public pages show; a page names those it depends on.
KINDS = ("pages", "catalogue", "projects", "usage", "agenda")
_VERSION_KEY = "page-cache:version:{}"
_PAGE_KEY = "page-cache:page:{}"
#: Headers never stored with a page: per-request or per-reader.
_NOT_STORED = {"set-cookie", "x-request-id", "date"}
_SAFE_METHODS = ("GET", "HEAD")


def _versions_cache():
    return caches[getattr(settings, "PAGE_CACHE_VERSIONS_ALIAS", "default")]


def _pages_cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "pages")]


def kind_table(kind: str) -> str:
    """The pseudo-table standing for ``kind`` among table versions
    (:mod:`algoric.core.table_versions`): replaced with the kind's content version."""
    return f"kind:{kind}"


def _check_kinds(names: Iterable[str]) -> tuple[str, ...]:
    names = tuple(names)
    unknown = [name for name in names if name not in KINDS]
    if unknown:
        raise ValueError(f"unknown kinds of public content {unknown}; known: {KINDS}")
    return names


def current_versions(names: Iterable[str] = KINDS) -> dict[str, str]:
    """The current version token of each kind of content in ``names`` (one cache round
    trip). A kind without a version yet (first use, or evicted) is given a new random one,
    so a page stored before can never match it.

    Raises:
        ValueError: a name is not one of :data:`KINDS`.
    """
    names = _check_kinds(names)
    # A signed-in page showing figures cached under these versions depends on them.
    table_versions.note_read(*(kind_table(name) for name in names))
    store = _versions_cache()
    keys = {name: _VERSION_KEY.format(name) for name in names}
    found = store.get_many(list(keys.values()))
    versions = {}
    for name, key in keys.items():
        value = found.get(key)
        if value is None:
            store.add(key, secrets.token_hex(8), timeout=None)
            value = store.get(key) or secrets.token_hex(8)
        versions[name] = value
    return versions


class VersionBump:
    """The after-commit step of :func:`content_changed`: new version tokens for ``names``."""

    def __init__(self, names: tuple[str, ...]):
        self.names = names

    def __call__(self) -> None:
        _versions_cache().set_many({_VERSION_KEY.format(name): secrets.token_hex(8)
                                    for name in self.names}, timeout=None)
        table_versions.replace_versions(kind_table(name) for name in self.names)


def content_changed(*names: str) -> None:
    """Say that content of the kinds ``names`` changes: every stored page showing one of
    them is served no more. The versions are replaced at once (this transaction reads its
    own writes) and again when the transaction commits: a page another process rendered
    from the old rows in between was stored under the replaced versions, and is not
    served after the commit.

    Raises:
        ValueError: a name is not one of :data:`KINDS`.
    """
    bump = VersionBump(_check_kinds(names))
    bump()
    transaction.on_commit(bump)


_MODELS: dict[str, tuple[str, ...]] = {}


def model_changed(model) -> None:
    """Rows of ``model`` changed without a ``save()`` (a queryset ``update()``, as
    :func:`algoric.core.workflow.transition` does): bump the versions registered for it,
    if any (:func:`register_public_content`)."""
    names = _MODELS.get(model._meta.label)
    if names:
        content_changed(*names)


def register_public_content(model, *names: str) -> None:
    """Bump the versions ``names`` whenever a row of ``model`` is saved or deleted
    (called from an ``AppConfig.ready()``; registering again replaces the hooks).

    Raises:
        ValueError: a name is not one of :data:`KINDS`.
    """
    names = _check_kinds(names)
    _MODELS[model._meta.label] = names

    def changed(sender, **kwargs):
        content_changed(*names)

    uid = f"page-cache:{model._meta.label}"
    for signal in (post_save, post_delete):
        signal.disconnect(sender=model, dispatch_uid=uid)
        signal.connect(changed, sender=model, dispatch_uid=uid, weak=False)


def anonymous_request(request) -> bool:
    """Whether ``request`` is a ``GET``/``HEAD`` that nothing ties to a person: no session
    cookie, no messages cookie, no ``Authorization`` header."""
    return (request.method in _SAFE_METHODS
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and getattr(settings, "MESSAGE_COOKIE_NAME", "messages") not in request.COOKIES
            and "authorization" not in request.headers)


def page_key(request) -> str:
    """The store key of ``request``'s page: its language, path and query string."""
    language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    raw = f"{language}|{request.path}|{request.META.get('QUERY_STRING', '')}"
    return _PAGE_KEY.format(hashlib.md5(raw.encode(), usedforsecurity=False).hexdigest())


def _public_headers(response, etag: str, modified: float) -> None:
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(modified)
    patch_cache_control(response, public=True, max_age=settings.PAGE_CACHE_MAX_AGE)
    # A browser or proxy keeps it for readers without cookies only: once signed in (a
    # session cookie), the reader gets the page rendered for them.
    patch_vary_headers(response, ("Cookie",))


def public_page(*names: str) -> Callable:
    """Mark a view as a public page showing content of the kinds ``names``.

    For an anonymous reader (:func:`anonymous_request`) the versions are read before the
    view runs and its ``200`` answer gets public caching headers and an ``ETag``; the
    middleware stores it. Signed-in users are served by the view as usual.

    Raises:
        ValueError: a name is not one of :data:`KINDS` (when decorating).
    """
    names = _check_kinds(names)

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not anonymous_request(request):
                return view(request, *args, **kwargs)
            versions = current_versions(names)
            response = view(request, *args, **kwargs)
            if (response.status_code == 200 and not response.streaming
                    and not response.cookies and not request.user.is_authenticated):
                etag = '"' + hashlib.md5(response.content,
                                         usedforsecurity=False).hexdigest() + '"'
                _public_headers(response, etag, time.time())
                request.public_page_versions = versions
            return response

        wrapper.public_page_kinds = names
        return wrapper

    return decorate


class PublicPageCacheMiddleware:
    """Serve stored public pages to anonymous readers; store the ones just rendered.

    Sits after the request id and before the session middleware (settings.MIDDLEWARE):
    a page served from the store runs no session, authentication or template code; the
    security middleware around it still adds its headers, and the stored page keeps the
    ones added inside (Content-Security-Policy, X-Frame-Options, Content-Language, Vary).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not anonymous_request(request):
            return self.get_response(request)
        key = page_key(request)
        entry = _pages_cache().get(key)
        if entry is not None and entry["versions"] == current_versions(entry["versions"]):
            return self._from_entry(request, entry)
        response = self.get_response(request)
        versions = getattr(request, "public_page_versions", None)
        if versions is not None and not response.cookies and response.status_code == 200:
            entry = {
                "versions": versions,
                "content": response.content,
                "status": response.status_code,
                "headers": [(name, value) for name, value in response.items()
                            if name.lower() not in _NOT_STORED],
            }
            _pages_cache().set(key, entry, timeout=settings.PAGE_CACHE_SECONDS)
            return get_conditional_response(
                request, etag=response.headers["ETag"],
                last_modified=_modified(response), response=response)
        return response

    @staticmethod
    def _from_entry(request, entry) -> HttpResponse:
        response = HttpResponse(entry["content"], status=entry["status"])
        for name, value in entry["headers"]:
            response.headers[name] = value
        return get_conditional_response(request, etag=response.headers.get("ETag"),
                                        last_modified=_modified(response), response=response)


def _modified(response) -> int | None:
    return parse_http_date_safe(response.headers.get("Last-Modified", ""))
