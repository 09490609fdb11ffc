"""The id of the request being served, for logs and error pages.

Kept apart from the middleware so that logging can load it before Django's apps.
"""

import contextvars
import ipaddress
import logging

from django.conf import settings

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
#: The client address of the request being served, as the portal trusts it (or ``None``);
#: services that write to the audit trail without the request read it from here.
client_ip_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip",
                                                                          default=None)


def current_request_id() -> str:
    """Return the id of the request being served in this context, or ``"-"``."""
    return request_id_var.get()


def current_client_ip() -> str | None:
    """Return the client address of the request being served in this context, or ``None``."""
    return client_ip_var.get()


def client_ip(request) -> str | None:
    """The client address of ``request`` as the portal trusts it, or ``None``.

    With ``ALLAUTH_TRUSTED_PROXY_COUNT = n > 0`` the n-th address from the right of
    ``X-Forwarded-For`` is used (each trusted proxy appends the address it saw);
    otherwise the TCP peer (``REMOTE_ADDR``), so a forged header changes nothing.
    """
    if request is None:
        return None
    candidate = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                     if p.strip()]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


class RequestIdLogFilter(logging.Filter):
    """Add ``record.request_id`` to every log record (``"-"`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True
