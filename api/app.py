"""Build the public API application that the Reflex backend mounts.

Reflex wraps its own backend with this app (`rx.App(api_transformer=create_api())` calls
`mount("", reflex_backend)`), so the API claims only `/api` and must not rely on lifespan or
startup hooks: they do not run there. Everything it needs is built here, per call.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from api import API_VERSION, v1
from api.errors import install_error_handlers, install_problem_openapi
from api.middleware import (
    API_PREFIX,
    DEFAULT_MAX_BODY_BYTES,
    BodySizeLimitMiddleware,
    RequestContextMiddleware,
)

TITLE = "RoadSide Console API"
DESCRIPTION = (
    "Operations API of RoadSide Console. Authenticate with a bearer token from "
    "`POST /api/v1/auth/tokens`. Errors are `application/problem+json` (RFC 9457) with a "
    "stable `code`; every response carries `X-Request-ID`."
)


class ApiApp(FastAPI):
    """A FastAPI app that hands everything outside `/api` to the app mounted at the root.

    A plain `Mount("")` would out-rank this app's own routes whenever the method is wrong or the
    API path is unknown, so clients would get console pages instead of 404/405 problems. As the
    router's default, the console only sees what the API did not match, and unknown `/api`
    paths stay 404 problems.
    """

    def mount(self, path: str, app: ASGIApp, name: str | None = None) -> None:
        """Mount `app`; at the root it becomes the fallback for non-API paths."""
        if path.strip("/"):
            super().mount(path, app, name=name)
        else:
            self.router.default = _NonApiFallback(app, not_found=self.router.not_found)


class _NonApiFallback:
    def __init__(self, app: ASGIApp, *, not_found: ASGIApp) -> None:
        self.app = app
        self.not_found = not_found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        in_api = path == API_PREFIX.rstrip("/") or path.startswith(API_PREFIX)
        await (self.not_found if in_api else self.app)(scope, receive, send)


def create_api(*, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> FastAPI:
    """Return a new API app: v1 routes, problem+json errors, request ids, access logs."""
    app = ApiApp(
        title=TITLE,
        version=API_VERSION,
        description=DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url="/api/v1/redoc",
        swagger_ui_oauth2_redirect_url="/api/v1/docs/oauth2-redirect",
    )
    app.include_router(v1.router)
    install_error_handlers(app)
    install_problem_openapi(app)
    # The last one added runs first: ids and the crash net wrap the size limit.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=max_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    return app
