"""Logging setup and the request id, shared by the API, the console and the worker.

One handler on the root logger writes every record (JSON in production, text for people) with
the id of the request or job that produced it, so one id finds every line of one request.
"""

from __future__ import annotations

import logging
import sys
import uuid
from contextvars import ContextVar
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

_HANDLER_NAME = "roadside_console"
_TEXT_FORMAT = "%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s"


def new_request_id() -> str:
    """Return a fresh id for a request or a job that did not bring one."""
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """Return the id of the request or job running in this context, if any."""
    return request_id_var.get()


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request id so every log line can be correlated."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add `request_id` (None outside a request) and keep the record."""
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


def configure_logging(level: str, json: bool, *, stream: TextIO | None = None) -> None:
    """Send every log record to one stream handler, as JSON lines or as text.

    Idempotent: a second call reconfigures the same handler instead of adding another, so
    reloads and tests never print a line twice.

    Args:
        level: a level name such as "INFO" or "debug".
        json: write one JSON object per line (for log shippers) instead of text.
        stream: where to write; stderr by default.
    """
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == _HANDLER_NAME), None)
    if not isinstance(handler, logging.StreamHandler):
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.set_name(_HANDLER_NAME)
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    elif stream is not None:
        handler.setStream(stream)
    handler.setFormatter(_json_formatter() if json else logging.Formatter(_TEXT_FORMAT))
    root.setLevel(level.upper())


def _json_formatter() -> logging.Formatter:
    return JsonFormatter(
        ["levelname", "name", "message", "request_id"],
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",
    )
