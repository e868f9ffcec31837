"""Pure ASGI middleware: request ids, access log, crash safety net, body size limit, headers.

Pure ASGI rather than `BaseHTTPMiddleware`: no extra task per request and no buffering. The
API app wraps the whole Reflex backend once mounted, so websockets pass straight through and
only paths under `/api/` are logged and size-limited (console uploads keep their own rules).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import internal_error, problem
from roadside_console.observability import new_request_id, request_id_var

API_PREFIX = "/api/"
REQUEST_ID_HEADER = "X-Request-ID"
DEFAULT_MAX_BODY_BYTES = 1024 * 1024

_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
access_logger = logging.getLogger("api.access")
error_logger = logging.getLogger("api.errors")


class RequestContextMiddleware:
    """Give each request an id, echo it, log one access line, and never leak a traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request with its id bound to the logging context."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or new_request_id()
        token = request_id_var.set(request_id)
        started_at = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_request_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_request_id)
        except Exception:
            error_logger.exception("Unhandled error in %s %s", scope["method"], scope["path"])
            if response_started:
                raise
            await internal_error(scope["path"])(scope, receive, send_with_request_id)
        finally:
            if scope["path"].startswith(API_PREFIX):
                _log_access(scope, status, started_at)
            request_id_var.reset(token)


class BodySizeLimitMiddleware:
    """Refuse API request bodies over `max_bytes` with 413, before or while reading them."""

    def __init__(self, app: ASGIApp, *, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length up front and count the bytes actually received."""
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope)(scope, receive, send)
            return
        received = 0

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise RequestTooLarge(self.max_bytes)
            return message

        try:
            await self.app(scope, receive_limited, send)
        except RequestTooLarge:
            # Only reached when no handler turned it into a response (e.g. a raw ASGI route).
            await self._too_large(scope)(scope, receive, send)

    def _too_large(self, scope: Scope) -> ASGIApp:
        return problem(
            413,
            code="request_too_large",
            detail=f"The request body is larger than {self.max_bytes} bytes.",
            instance=scope["path"],
        )


# Browsers hide response headers from cross-origin scripts unless they are listed: these are
# the ones API clients act on (CORS itself is added by Reflex around the mounted API).
EXPOSED_HEADERS = (
    "Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, "
    "RateLimit-Policy, Idempotent-Replayed, X-Request-ID"
)


def default_security_headers(*, production: bool, hsts_max_age_seconds: int) -> dict[str, str]:
    """Return the headers every API response carries; HSTS only in production (HTTPS there)."""
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Access-Control-Expose-Headers": EXPOSED_HEADERS,
    }
    if production and hsts_max_age_seconds > 0:
        headers["Strict-Transport-Security"] = f"max-age={hsts_max_age_seconds}; includeSubDomains"
    return headers


class SecurityHeadersMiddleware:
    """Add security headers to API responses, errors included, unless a route set its own."""

    def __init__(self, app: ASGIApp, *, headers: Mapping[str, str]) -> None:
        self.app = app
        self.headers = dict(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers to the response start of API requests."""
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    response_headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestTooLarge(StarletteHTTPException):
    """The body grew past the limit while being read (no or a lying Content-Length)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"The request body is larger than {max_bytes} bytes.")


def _incoming_request_id(scope: Scope) -> str | None:
    value = Headers(scope=scope).get(REQUEST_ID_HEADER)
    return value if value and _SANE_REQUEST_ID.fullmatch(value) else None


def _log_access(scope: Scope, status: int, started_at: float) -> None:
    duration_ms = round((time.perf_counter() - started_at) * 1000, 1)
    access_logger.info(
        "%s %s %s %sms",
        scope["method"],
        scope["path"],
        status,
        duration_ms,
        extra={
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "duration_ms": duration_ms,
        },
    )
