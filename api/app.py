"""Build the public API application that the Reflex backend mounts.

Reflex wraps its own backend with this app (`rx.App(api_transformer=[..., create_api()])` calls
`mount("", reflex_backend)`), so the API claims only `/api` and must not rely on lifespan or
startup hooks: they do not run there. Everything it needs is built here, per call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from api import API_VERSION, v1
from api.deps import get_uow
from api.errors import install_error_handlers, install_problem_openapi
from api.group_commit import GroupCommitter
from api.hot_routes import install_hot_routes
from api.idempotency import IdempotencyMiddleware
from api.middleware import (
    API_PREFIX,
    DEFAULT_MAX_BODY_BYTES,
    BodySizeLimitMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
    default_security_headers,
)
from api.openapi import install_middleware_openapi
from api.rate_limits import (
    CounterStore,
    RateLimiter,
    RateLimitMiddleware,
    RateLimitPolicy,
    parse_networks,
    store_from_settings,
)
from roadside_console.domain.core.settings import Settings
from roadside_console.domain.core.uow import UnitOfWork

TITLE = "RoadSide Console API"
DESCRIPTION = (
    "Operations API of RoadSide Console. Authenticate with a bearer token from "
    "`POST /api/v1/auth/tokens`. Errors are `application/problem+json` (RFC 9457) with a "
    "stable `code`; every response carries `X-Request-ID`."
)


class ApiApp(FastAPI):
    """A FastAPI app that hands everything outside `/api` straight to the app mounted at the root.

    A plain `Mount("")` would out-rank this app's own routes whenever the method is wrong or the
    API path is unknown, so clients would get console pages instead of 404/405 problems; and it
    would run every console request (each page, script and the websocket) through this app's
    middleware and past every API route first. So the console app is called directly for any
    path outside `/api`, before the middleware: the request ids, access log, rate limits, body
    limit, idempotency and security headers are the API's, and unknown `/api` paths stay 404
    problems.
    """

    _console: ASGIApp | None = None

    def mount(self, path: str, app: ASGIApp, name: str | None = None) -> None:
        """Mount `app`; at the root it receives every request outside `/api`."""
        if path.strip("/"):
            super().mount(path, app, name=name)
        else:
            self._console = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send console requests to the console app, API requests through the API's stack."""
        if self._console is not None and scope["type"] in ("http", "websocket"):
            path = scope.get("path", "")
            if not (path == API_PREFIX.rstrip("/") or path.startswith(API_PREFIX)):
                await self._console(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def create_api(
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    rate_limits: bool | RateLimitPolicy | None = None,
    rate_limit_store: CounterStore | None = None,
    trusted_proxies: Sequence[str] | None = None,
    idempotency: bool = True,
    security_headers: Mapping[str, str] | bool = True,
    hot_routes: bool = True,
) -> FastAPI:
    """Return a new API app: v1 routes, problem+json errors, request ids, access logs.

    The cross-cutting protections apply to every route without the route doing anything:
    rate limits (`rate_limits`: None follows `RATE_LIMITS_ENABLED`, False turns them off, a
    policy tightens them; `rate_limit_store` replaces the store picked from the settings),
    `Idempotency-Key` on POSTs, and security headers (False for none, or a mapping).
    `hot_routes` puts the short path to the busiest routes first (`api.hot_routes`).
    """
    # Read, not cached: building the app must not freeze the settings a test changes afterwards.
    settings = Settings()
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
    if hot_routes:
        install_hot_routes(app)
    install_error_handlers(app)
    install_problem_openapi(app)
    install_middleware_openapi(app)

    def uow_factory() -> UnitOfWork:
        # The route's own factory, so a test's override of `get_uow` covers the middleware too
        # (`get_uow` itself is async, for the routes; its default is a plain unit of work).
        override = app.dependency_overrides.get(get_uow)
        return override() if override is not None else UnitOfWork()

    committer = GroupCommitter(uow_factory)
    app.state.uow_factory = uow_factory
    app.state.group_commit = committer

    # The last one added runs first. Outermost to innermost: security headers (on every answer,
    # crashes included), request ids and the crash net, rate limits (before any body is read),
    # the size limit, then idempotency (which reads the whole body, within the size limit).
    if idempotency:
        app.add_middleware(IdempotencyMiddleware, committer=committer)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=max_body_bytes)
    if rate_limits is None:
        rate_limits = settings.rate_limiting
    if rate_limits:
        store = rate_limit_store or store_from_settings(settings, uow_factory)
        app.add_middleware(
            RateLimitMiddleware,
            limiter=RateLimiter(store),
            policy=rate_limits if isinstance(rate_limits, RateLimitPolicy) else None,
            trusted_proxies=parse_networks(
                settings.trusted_proxy_list if trusted_proxies is None else trusted_proxies
            ),
        )
    app.add_middleware(RequestContextMiddleware)
    if security_headers:
        chosen = (
            security_headers
            if isinstance(security_headers, Mapping)
            else default_security_headers(
                production=settings.is_production,
                hsts_max_age_seconds=settings.hsts_max_age_seconds,
            )
        )
        app.add_middleware(SecurityHeadersMiddleware, headers=chosen)
    return app
