"""JSON log lines (``LOG_FORMAT=json``): one object per line, with the request id.

Fields: ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``message``, ``request_id``
(``"-"`` outside a request, from :class:`algoric.core.request_id.RequestIdLogFilter`), and
``exception`` (the formatted traceback) when there is one. Extra attributes passed
with ``extra={...}`` that are plain JSON values are added too.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

#: Attributes of every ``LogRecord``; anything else on a record came from ``extra``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime", "request_id", "taskName"}


class JsonFormatter(logging.Formatter):
    """Format a record as one line of JSON (see the module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and isinstance(
                    value, str | int | float | bool | type(None)):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
