"""A short path into the busiest routes: estimates, bookings and provider location fixes.

FastAPI's routing, dependency solving and request handling took about half of an estimate's
CPU in the app (0.26 of 0.56 ms), more than pricing, storing and answering it. A `HotRoute`
sits first in the router for one method and path and calls the very same endpoint function
FastAPI would call, with the same arguments: the body validated by the same model and the
dependencies resolved by the same dependency functions (`api.deps`). It only takes requests
that FastAPI would accept as they are: a JSON body that decodes and validates, and headers
within their declared limits. Anything else (bad JSON, a field error, another content type)
goes on to the FastAPI route itself, so every error answer is FastAPI's own. The routes stay
declared with FastAPI, which is what the OpenAPI document and every other request see; a
test sends the same requests with and without the short path and compares the answers.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

from api.deps import WORKSPACE_MAX_LENGTH, bearer_scheme, get_caller, get_token_caller
from api.idempotency import replaying
from api.v1 import bookings, estimates, provider
from api.v1.booking_schemas import BookingIn, EstimateIn
from api.v1.provider import LocationIn

SKIP = "roadside.hot_route_declined"
"""Scope flag: the short path declined this request, so the router must not offer it again."""

Params = Callable[[Request], Awaitable[dict[str, Any] | None]]


async def _caller_and_batch(request: Request) -> dict[str, Any] | None:
    workspace = request.headers.get("x-workspace")
    if workspace is not None and len(workspace) > WORKSPACE_MAX_LENGTH:
        return None  # FastAPI answers that header's 422
    caller = await get_caller(await bearer_scheme(request), workspace)
    return {"caller": caller, "batch": request.app.state.group_commit}


async def _caller_batch_and_request(request: Request) -> dict[str, Any] | None:
    params = await _caller_and_batch(request)
    return None if params is None else {**params, "request": request}


async def _token_and_batch(request: Request) -> dict[str, Any] | None:
    caller = await get_token_caller(await bearer_scheme(request))
    return {"caller": caller, "batch": request.app.state.group_commit}


@dataclass(frozen=True)
class HotRoute(BaseRoute):
    """POST `path` straight to `endpoint`, for requests FastAPI would take as they are."""

    path: str
    endpoint: Callable[..., Awaitable[Response]]
    body_model: type[BaseModel]
    params: Params
    router: ASGIApp

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """Match the exact path and method, unless this request was declined once already."""
        if (
            scope["type"] == "http"
            and scope["path"] == self.path
            and scope["method"] == "POST"
            and not scope.get(SKIP)
        ):
            return Match.FULL, {}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Call the endpoint with what FastAPI would pass it, or hand the request back."""
        request = Request(scope, receive)
        raw = await request.body()
        body = self._body(request, raw)
        params = await self.params(request) if body is not None else None
        if body is None or params is None:
            scope[SKIP] = True
            await self.router(scope, replaying(raw, receive), send)
            return
        response = await self.endpoint(body=body, **params)
        await response(scope, receive, send)

    def _body(self, request: Request, raw: bytes) -> BaseModel | None:
        content_type = request.headers.get("content-type", "")
        if content_type.split(";", 1)[0].strip().lower() != "application/json" or not raw:
            return None
        try:
            return self.body_model.model_validate(json.loads(raw))
        except (ValueError, ValidationError):  # JSONDecodeError is a ValueError
            return None


def install_hot_routes(app: Any) -> None:
    """Put the short paths in front of the app's router (they fall back to it)."""
    router = app.router
    routes = [
        HotRoute(
            "/api/v1/estimates", estimates.create_estimate, EstimateIn, _caller_and_batch, router
        ),
        HotRoute("/api/v1/bookings", bookings.create, BookingIn, _caller_batch_and_request, router),
        HotRoute(
            "/api/v1/provider/location",
            provider.post_location,
            LocationIn,
            _token_and_batch,
            router,
        ),
    ]
    router.routes[0:0] = routes
