"""Every error leaves the API as `application/problem+json` (RFC 9457).

Clients branch on `code` (the domain's stable machine code, also in `type`), show `detail` to
people, and highlight each entry of `errors` next to its field. Tracebacks never leave the
process: they go to the log under the request id the problem carries.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from roadside_console.domain.core.errors import AuthenticationFailed, DomainError, Throttled
from roadside_console.observability import current_request_id

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:roadside-console:problem:"
BEARER_CHALLENGE = {"WWW-Authenticate": "Bearer"}

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    503: "service_unavailable",
}


class FieldError(BaseModel):
    """One invalid input, addressed by its dotted path in the request body."""

    field: str = Field(examples=["email"])
    message: str = Field(examples=["Field required"])


class Problem(BaseModel):
    """An RFC 9457 problem detail with the domain's machine code."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "urn:roadside-console:problem:invalid_credentials",
                    "title": "Unauthorized",
                    "status": 401,
                    "detail": "Invalid email or password.",
                    "instance": "/api/v1/auth/tokens",
                    "code": "invalid_credentials",
                    "request_id": "4f1c2b6e9a0d4c1e8b7a6f5e4d3c2b1a",
                }
            ]
        }
    )

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    errors: list[FieldError] | None = None
    request_id: str | None = None


class ProblemResponse(JSONResponse):
    """A JSON response served with the problem media type."""

    media_type = PROBLEM_MEDIA_TYPE


def problem(
    status: int,
    *,
    code: str,
    detail: str,
    instance: str,
    title: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> ProblemResponse:
    """Build a problem response; `title` defaults to the HTTP reason phrase."""
    body = Problem(
        type=PROBLEM_TYPE_PREFIX + code,
        title=title or HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=instance,
        code=code,
        errors=errors,
        request_id=current_request_id(),
    )
    return ProblemResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Declare problem responses for OpenAPI (`install_problem_openapi` fixes the media type)."""
    return {
        status: {"model": Problem, "description": HTTPStatus(status).phrase} for status in statuses
    }


async def domain_error_handler(request: Request, exc: Exception) -> ProblemResponse:
    """Map a domain error by its own status, title, code, message and field."""
    assert isinstance(exc, DomainError)
    headers: dict[str, str] = {}
    if isinstance(exc, Throttled):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    if isinstance(exc, AuthenticationFailed):
        headers.update(BEARER_CHALLENGE)
    errors = [FieldError(field=exc.field, message=exc.message)] if exc.field else None
    return problem(
        exc.status,
        code=exc.code,
        title=exc.title,
        detail=exc.message,
        instance=request.url.path,
        errors=errors,
        headers=headers,
    )


async def validation_error_handler(request: Request, exc: Exception) -> ProblemResponse:
    """Answer 400 for a body that is not JSON, 422 naming each wrong or missing field."""
    assert isinstance(exc, RequestValidationError)
    raw = list(exc.errors())
    malformed = next((e for e in raw if e.get("type") == "json_invalid"), None)
    if malformed is not None:
        reason = malformed.get("ctx", {}).get("error", "invalid JSON")
        message = f"The request body is not valid JSON: {reason}."
        return problem(
            400,
            code="malformed_json",
            title="Malformed JSON",
            detail=message,
            instance=request.url.path,
            errors=[FieldError(field="body", message=message)],
        )
    errors = [FieldError(field=_field_path(e["loc"]), message=e["msg"]) for e in raw]
    return problem(
        422,
        code="validation_failed",
        title="Validation failed",
        detail="Some fields are missing or invalid; see `errors`.",
        instance=request.url.path,
        errors=errors,
    )


async def http_error_handler(request: Request, exc: Exception) -> ProblemResponse:
    """Turn framework HTTP errors (404, 405, 413, ...) into problems, keeping their headers."""
    assert isinstance(exc, StarletteHTTPException)
    phrase = HTTPStatus(exc.status_code).phrase
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else None
    return problem(
        exc.status_code,
        code=_HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}"),
        detail=detail or _default_detail(exc.status_code, request),
        instance=request.url.path,
        headers=dict(exc.headers or {}),
    )


def internal_error(instance: str) -> ProblemResponse:
    """Say that something broke, without saying what; the log has the traceback."""
    return problem(
        500,
        code="internal_error",
        detail="Something went wrong on our side. Quote request id "
        f"{current_request_id()} if you contact support.",
        instance=instance,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the problem+json handlers on `app`."""
    app.add_exception_handler(DomainError, domain_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)


def install_problem_openapi(app: FastAPI) -> None:
    """Document error responses under `application/problem+json`, as they are served."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            for operation in _operations(schema):
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if status[0] in "45" and _is_problem(content.get("application/json")):
                        content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for path in schema.get("paths", {}).values() for op in path.values()]


def _is_problem(media: dict[str, Any] | None) -> bool:
    return bool(media) and media.get("schema", {}).get("$ref", "").endswith("/Problem")


def _field_path(loc: tuple[int | str, ...]) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts) or "body"


def _default_detail(status: int, request: Request) -> str:
    if status == 404:
        return f"There is nothing at {request.url.path}."
    if status == 405:
        return f"{request.method} is not allowed on {request.url.path}."
    return HTTPStatus(status).description or HTTPStatus(status).phrase
