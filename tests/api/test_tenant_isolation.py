"""No route leaks another workspace's data, or acts on it.

Two workspaces each have staff, a provider, a customer, a partner key, a booking on a business
account with an open offer, an estimate, a spare token and a provider awaiting approval. Every
caller of the first calls every route of the app (so new routes are covered) once with its own
ids, and once per id it sends with the other workspace's id in that place instead. With a
foreign id the answer is a 404 or a 403, never a success; and no answer, whatever its status,
contains anything that identifies the other workspace's rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from api.app import create_api
from roadside_console.domain.core.settings import get_settings
from tests.api.conftest import client_for
from tests.api.routes import (
    ANONYMOUS,
    ID_FIELDS,
    ROLES,
    ApiRoute,
    Request,
    Workspace,
    api_routes,
    body_model,
    build_request,
    make_workspace,
)

pytestmark = pytest.mark.anyio

ROUTES = api_routes(create_api())
WORKSPACE_HEADER = "X-Workspace"
# Places where another workspace's value is not an id of its rows but something anyone may ask
# about: whether a referral code is valid in a workspace is public (a bare yes or no).
PUBLIC_SLOTS = {(("GET", "/api/v1/referrals/codes/{code}"), "workspace")}
REFUSED = {401, 403, 404}


def foreign_requests(
    route: ApiRoute, ours: Workspace, theirs: Workspace, role: str
) -> Iterator[tuple[str | None, Request, dict[str, str]]]:
    """Yield (slot, request, headers): ours alone, then one per place a foreign id can go."""
    headers = ours.headers[role]
    sign_in = {**ours.sign_in}
    yield None, build_request(route, ours.ids, body_ids=ours.body_ids, extra_body=sign_in), headers
    dependant = route.route.dependant
    for param in [*dependant.path_params, *dependant.query_params]:
        if param.name in theirs.ids and theirs.ids[param.name] != ours.ids[param.name]:
            ids = {**ours.ids, param.name: theirs.ids[param.name]}
            yield (
                param.name,
                build_request(route, ids, body_ids=ours.body_ids, extra_body=sign_in),
                headers,
            )
    model = body_model(route.route)
    for name in ID_FIELDS if model is not None else ():
        if name in model.model_fields:
            value = theirs.body_ids.get(name) or theirs.ids[name]
            request = build_request(
                route, ours.ids, body_ids=ours.body_ids, extra_body={**sign_in, name: value}
            )
            yield f"body.{name}", request, headers
    if role != ANONYMOUS and any(h.alias == WORKSPACE_HEADER for h in dependant.header_params):
        request = build_request(route, ours.ids, body_ids=ours.body_ids, extra_body=sign_in)
        yield WORKSPACE_HEADER, request, {**headers, WORKSPACE_HEADER: theirs.slug}


@pytest.fixture()
def workspaces(session, uow_factory, monkeypatch) -> tuple[Workspace, Workspace]:
    """Ours and theirs, on one deployment with Stripe webhooks configured."""
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_tenant_isolation")
    get_settings.cache_clear()
    return make_workspace(session, uow_factory), make_workspace(session, uow_factory)


@pytest.mark.parametrize("role", ROLES)
async def test_no_route_shows_or_touches_another_workspaces_rows(role, workspaces, app):
    # given our caller of this role, and the other workspace's ids
    ours, theirs = workspaces
    failures: list[str] = []
    async with client_for(app) as client:
        for route in ROUTES:
            for slot, request, headers in foreign_requests(route, ours, theirs, role):
                # when they call the route with it
                response = await client.request(
                    request.method,
                    request.url,
                    params=request.params,
                    json=request.json,
                    headers=headers,
                )
                # then a foreign id is refused, and nothing of theirs comes back
                said = f"{route} as {role}, {slot or 'own ids'}: {response.status_code}"
                if response.status_code >= 500:
                    failures.append(f"{said} (server error)")
                if slot is not None and (route.key, slot) not in PUBLIC_SLOTS:
                    expected = {422} if slot == WORKSPACE_HEADER else REFUSED
                    if response.status_code not in expected:
                        failures.append(f"{said}, expected one of {sorted(expected)}")
                leaked = [
                    what for what, value in theirs.markers.items() if value in _shown(response)
                ]
                if leaked:
                    failures.append(f"{said} shows their {', '.join(leaked)}")
    assert not failures, "\n".join(failures)


def _shown(response) -> str:
    """The answer's text, less a problem's `instance` (which repeats the path we sent)."""
    if not response.content:
        return ""
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        body = response.json()
        body.pop("instance", None)
        return json.dumps(body)
    return response.text
