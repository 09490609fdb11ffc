"""The id of the request being served, for logs and error pages.

Kept apart from the middleware so that logging can load it before Django's apps.
"""

import contextvars
import logging

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


class RequestIdLogFilter(logging.Filter):
    """Add ``record.request_id`` to every log record (``"-"`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True
