"""Every route refuses the roles it must refuse: a table of who may call what, proved per route.

The routes come from the app itself, so a new route fails here until it has an entry. Each
route is called by a token of every role (a partner is a B2B account key) and by no token at
all, with real ids of the workspace's rows (a 404 for a made-up id would hide a missing role
check) and a body its request model accepts. Refused callers get exactly the status the
table says; allowed ones never get a 401, a 5xx, or the bare permission refusal (`forbidden`)
that `require` raises: a business rule may still say no (a tier, a state) with its own code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pytest

from api.app import create_api
from roadside_console.domain.core.settings import get_settings
from tests.api.conftest import client_for
from tests.api.routes import ANONYMOUS, ROLES, ApiRoute, Key, api_routes, build_request
from tests.api.routes import make_workspace as make_workspace_for

pytestmark = pytest.mark.anyio

ADMIN, DISPATCHER, FINANCE, PROVIDER, CUSTOMER, PARTNER = (
    "admin",
    "dispatcher",
    "finance",
    "provider",
    "customer",
    "partner",
)
SIGNED_IN = (ADMIN, DISPATCHER, FINANCE, PROVIDER, CUSTOMER, PARTNER)


@dataclass(frozen=True)
class Access:
    """Who may call a route; the others get `refusals[role]`, else 403 (401 without a token)."""

    allowed: frozenset[str]
    refusals: Mapping[str, int] = field(default_factory=dict)

    def refusal(self, role: str) -> int:
        """The status a caller the route refuses gets."""
        return self.refusals.get(role, 401 if role == ANONYMOUS else 403)


def allow(*roles: str, **refusals: int) -> Access:
    """The roles a route admits, and any refusal other than the usual 403 / 401."""
    return Access(allowed=frozenset(roles), refusals=refusals)


PUBLIC = allow(*ROLES)
V1 = "/api/v1"

EXPECTED: dict[Key, Access] = {
    ("GET", f"{V1}/health"): PUBLIC,
    ("POST", f"{V1}/auth/tokens"): PUBLIC,
    ("GET", f"{V1}/me"): allow(*SIGNED_IN),
    # Your own token, or any for an admin; a token you may not touch does not exist for you.
    ("DELETE", f"{V1}/auth/tokens/{{token_id}}"): allow(
        ADMIN, CUSTOMER, dispatcher=404, finance=404, provider=404
    ),
    ("GET", f"{V1}/payments/methods"): allow(ADMIN, FINANCE, CUSTOMER),
    ("POST", f"{V1}/bookings/{{booking_id}}/checkout"): allow(ADMIN, FINANCE, CUSTOMER),
    ("POST", f"{V1}/webhooks/stripe"): PUBLIC,  # the Stripe signature, not a token, decides
    ("GET", f"{V1}/provider/offers"): allow(PROVIDER),
    ("POST", f"{V1}/provider/offers/{{offer_id}}/accept"): allow(PROVIDER),
    ("POST", f"{V1}/provider/offers/{{offer_id}}/reject"): allow(PROVIDER),
    ("GET", f"{V1}/provider/jobs"): allow(PROVIDER),
    ("POST", f"{V1}/provider/jobs/{{booking_id}}/status"): allow(PROVIDER),
    ("POST", f"{V1}/provider/location"): allow(PROVIDER),
    ("PUT", f"{V1}/provider/availability"): allow(PROVIDER),
    ("GET", f"{V1}/referrals/codes/{{code}}"): PUBLIC,
    ("POST", f"{V1}/referrals/apply"): allow(CUSTOMER),
    ("GET", f"{V1}/referrals/balance"): allow(ADMIN, DISPATCHER, CUSTOMER),
    ("POST", f"{V1}/bookings/{{booking_id}}/review"): allow(CUSTOMER),
    ("GET", f"{V1}/catalog/services"): PUBLIC,
    ("POST", f"{V1}/estimates"): PUBLIC,  # guests price too: an estimate is a price preview
    # A customer's estimate is theirs and staff's; anyone else is told it does not exist.
    ("GET", f"{V1}/estimates/{{quote_id}}"): allow(
        ADMIN, DISPATCHER, FINANCE, CUSTOMER, provider=404, partner=404, anonymous=404
    ),
    ("POST", f"{V1}/bookings"): allow(ADMIN, DISPATCHER, CUSTOMER, PARTNER, ANONYMOUS),
    ("GET", f"{V1}/bookings"): allow(CUSTOMER, PARTNER),
    ("GET", f"{V1}/bookings/{{booking_id}}"): allow(*SIGNED_IN),
    ("GET", f"{V1}/bookings/{{booking_id}}/cancellation"): allow(*SIGNED_IN),
    ("POST", f"{V1}/bookings/{{booking_id}}/cancel"): allow(ADMIN, DISPATCHER, CUSTOMER, PARTNER),
    ("POST", f"{V1}/bookings/{{booking_id}}/reschedule"): allow(ADMIN, DISPATCHER, CUSTOMER),
    ("GET", f"{V1}/tracking/{{token}}"): PUBLIC,  # the unguessable token is the credential
    ("POST", f"{V1}/providers/invites"): allow(ADMIN, DISPATCHER),
    ("POST", f"{V1}/providers/{{provider_id}}/invites"): allow(ADMIN, DISPATCHER),
    ("POST", f"{V1}/providers/join"): PUBLIC,  # the emailed invite token is the credential
    ("POST", f"{V1}/providers/{{provider_id}}/approve"): allow(ADMIN, DISPATCHER),
    ("POST", f"{V1}/b2b/accounts/{{account_id}}/keys"): allow(ADMIN, FINANCE),
}

ROUTES = api_routes(create_api())
# The whole matrix runs on SQLite. On PostgreSQL (where row-level security backs the
# application's scoping) the routes that load a row by id, or list them, run again: the rest
# refuse on the role alone, before any query, the same on both databases.
CASES = [pytest.param("sqlite", route, id=f"sqlite-{route}") for route in ROUTES] + [
    pytest.param("postgres", route, id=f"postgres-{route}")
    for route in ROUTES
    if "{" in route.path or route.route.dependant.query_params
]


def test_the_matrix_has_an_entry_for_every_route_and_no_other():
    # given the routes the app serves
    served = {route.key for route in ROUTES}
    # then each has a row in the table, and the table names no route that is gone
    assert sorted(served - EXPECTED.keys()) == [], "give the new routes an entry in EXPECTED"
    assert sorted(EXPECTED.keys() - served) == [], "remove the entries of routes that are gone"


@pytest.fixture()
def workspace(session, uow_factory, monkeypatch):
    """A workspace with one caller of each role; Stripe webhooks configured, as in production."""
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_role_matrix")
    get_settings.cache_clear()
    return make_workspace_for(session, uow_factory)


@pytest.mark.parametrize(("database_url", "route"), CASES, indirect=["database_url"])
async def test_a_route_refuses_exactly_the_roles_the_matrix_refuses(
    route: ApiRoute, workspace, app
):
    # given the route's entry and a request with the workspace's real ids
    access = EXPECTED.get(route.key)
    assert access is not None, f"{route} has no entry in EXPECTED"
    request = build_request(
        route, workspace.ids, body_ids=workspace.body_ids, extra_body=workspace.sign_in
    )
    refused = [role for role in ROLES if role not in access.allowed]
    allowed = [role for role in ROLES if role in access.allowed]
    async with client_for(app) as client:
        # when every refused caller tries first (so nothing an allowed one did changes it)
        for role in refused + allowed:
            response = await client.request(
                request.method,
                request.url,
                params=request.params,
                json=request.json,
                headers=workspace.headers[role],
            )
            # then the refused get the table's status, and the allowed are not refused for who
            # they are
            said = f"{route} as {role}: {response.status_code} {response.text[:300]}"
            if role in refused:
                assert response.status_code == access.refusal(role), said
            else:
                assert response.status_code < 500, said
                assert response.status_code != 401, said
                assert not _permission_refusal(response), said


def _permission_refusal(response) -> bool:
    if response.status_code != 403:
        return False
    return response.json().get("code") == "forbidden"
