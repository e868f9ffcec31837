"""Typed domain errors with a stable machine code and a message a person can act on.

The API maps them to `application/problem+json`; the console shows `message` inline.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a use case raises on purpose."""

    status: int = 400
    title: str = "Bad request"

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    """Input is well-formed but breaks a business rule."""

    status = 422
    title = "Validation failed"


class NotFound(DomainError):
    """The thing does not exist in the caller's tenant (never says whether it exists elsewhere)."""

    status = 404
    title = "Not found"


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    status = 403
    title = "Forbidden"


class AuthenticationFailed(DomainError):
    """The caller could not be identified; the message stays generic on purpose."""

    status = 401
    title = "Unauthorized"


class Throttled(DomainError):
    """Too many attempts in a window."""

    status = 429
    title = "Too many requests"

    def __init__(self, code: str, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(code, message)
        self.retry_after_seconds = retry_after_seconds


class Conflict(DomainError):
    """The state changed under the caller (lost race, duplicate)."""

    status = 409
    title = "Conflict"


class InvalidTransition(Conflict):
    """The requested state change is not allowed from the current state."""

    title = "Invalid transition"
