"""The API's routes as data, and a workspace with one of everything, for cross-route tests.

The role matrix and the tenant-isolation tests both walk every route the app has (so a new
route is covered, or fails until it is given an entry) and call it with real ids and a body
its request model accepts.
"""

from __future__ import annotations

import types
import typing
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel
from sqlmodel import Session

from roadside_console.domain.b2b.keys import issue_account_key
from roadside_console.domain.b2b.models import B2BAccount
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch import service as dispatch
from roadside_console.domain.identity.models import User
from roadside_console.domain.identity.service import create_api_token
from roadside_console.domain.pricing.schemas import QuoteRequest
from roadside_console.domain.pricing.service import create_quote
from roadside_console.domain.providers.models import ProviderStatus
from tests.dispatch.support import confirmed_booking, make_world, provider_at
from tests.factories import PASSWORD, actor_of, make_provider, make_user

ANONYMOUS = "anonymous"
ROLES = (*(role.value for role in Role), ANONYMOUS)
"""Every kind of caller: the six roles (partner is a B2B account key) and no token at all."""

Key = tuple[str, str]
"""A route as (method, path)."""


@dataclass(frozen=True)
class ApiRoute:
    """One operation of the app: its method, full path and FastAPI route."""

    method: str
    path: str
    route: APIRoute

    @property
    def key(self) -> Key:
        """The (method, path) the expectation tables are keyed by."""
        return (self.method, self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def api_routes(app: FastAPI) -> list[ApiRoute]:
    """Every API operation of `app`, from its router (the docs routes left out)."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        for method in sorted(context.methods or ()):
            found.append(ApiRoute(method=method, path=str(context.path), route=route))
    return found


def body_model(route: APIRoute) -> type[BaseModel] | None:
    """The pydantic model of a route's JSON body (unwrapping `X | None`), if it takes one."""
    for param in route.dependant.body_params:
        annotation = param.field_info.annotation
        if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
    return None


# Body fields that name a row: filled with the world's ids, not the documentation examples.
ID_FIELDS = ("service_id", "quote_id", "customer_id", "b2b_account_id")


@dataclass
class Request:
    """One call to make: the path filled in, the query string and the JSON body."""

    method: str
    url: str
    params: dict[str, str] = field(default_factory=dict)
    json: dict[str, Any] | None = None


def build_request(
    route: ApiRoute,
    ids: Mapping[str, str],
    *,
    body_ids: Mapping[str, str],
    extra_body: Mapping[str, str] | None = None,
) -> Request:
    """Fill the route's path and query parameters (required, or known) from `ids`; build a body.

    The body is the request model's documented example (or the empty body when every field is
    optional) with its id fields taken from `body_ids` (dropped when absent there), plus the
    fields of `extra_body` the model has; it is validated by the model so a test never sends
    something the route would refuse for its shape alone.
    """
    extra_body = extra_body or {}
    url = route.path.format(**{p.name: ids[p.name] for p in route.route.dependant.path_params})
    params = {
        q.name: ids[q.name]
        for q in route.route.dependant.query_params
        if q.field_info.is_required() or q.name in ids
    }
    model = body_model(route.route)
    body: dict[str, Any] | None = None
    if model is not None:
        examples = model.model_json_schema().get("examples") or [{}]
        body = dict(examples[0])
        for name in ID_FIELDS:
            if name in body:
                if name in body_ids:
                    body[name] = body_ids[name]
                else:
                    del body[name]
        body.update({k: v for k, v in extra_body.items() if k in model.model_fields})
        model.model_validate(body)
    return Request(method=route.method, url=url, params=params, json=body)


@dataclass
class Workspace:
    """A tenant with one user of each role (and their bearer headers) and one of each row."""

    slug: str
    tenant_id: uuid.UUID
    headers: dict[str, dict[str, str]]
    ids: dict[str, str]
    """Path and query values by parameter name: real rows of this workspace."""
    body_ids: dict[str, str]
    """Values for the id fields of request bodies."""
    markers: dict[str, str]
    """Strings only this workspace's data contains (ids, references), by what they are."""
    sign_in: dict[str, str]
    """The admin's console credentials, for the password sign-in route."""


def make_workspace(session: Session, uow_factory: Callable[[], UnitOfWork]) -> Workspace:
    """Add a workspace with staff, a provider, a customer, a partner key and their rows.

    The customer's booking is on the partner's business account and was dispatched, so its
    provider holds an open offer for it; the customer also has a price estimate and a spare
    API token, and a second provider waits for approval.
    """
    world = make_world(session)
    tenant = world.tenant
    users = {
        Role.ADMIN: world.admin,
        Role.DISPATCHER: world.dispatcher,
        Role.FINANCE: make_user(session, tenant, role=Role.FINANCE),
        Role.CUSTOMER: make_user(session, tenant, role=Role.CUSTOMER),
    }
    provider = provider_at(session, tenant, "Pat", miles_north=1)
    users[Role.PROVIDER] = session.get(User, provider.user_id)
    pending = make_provider(session, tenant, status=ProviderStatus.PENDING, is_available=False)
    account = B2BAccount(
        tenant_id=tenant.id, name=f"Fleet {tenant.slug}", billing_email="ap@fleet.example"
    )
    session.add(account)
    session.commit()
    booking = confirmed_booking(
        session, world, customer=users[Role.CUSTOMER], b2b_account_id=account.id
    )
    admin = actor_of(users[Role.ADMIN])
    customer = actor_of(users[Role.CUSTOMER])
    with uow_factory() as uow:
        offer = dispatch.dispatch_booking(uow, actor=None, booking_id=booking.id)
    assert offer.offer_id is not None, "dispatch offered the booking to nobody"
    with uow_factory() as uow:
        quote = create_quote(
            uow,
            tenant_id=tenant.id,
            actor_or_none=customer,
            request=QuoteRequest(service_id=world.service.id),
        )
    headers = {}
    for role, user in users.items():
        with uow_factory() as uow:
            issued = create_api_token(uow, actor=actor_of(user), name="cross-route tests")
        headers[role.value] = {"Authorization": f"Bearer {issued.token}"}
    with uow_factory() as uow:
        spare = create_api_token(uow, actor=customer, name="spare")
    with uow_factory() as uow:
        key = issue_account_key(uow, actor=admin, account_id=account.id, name="Fleet system")
    headers[Role.PARTNER.value] = {"Authorization": f"Bearer {key.token}"}
    headers[ANONYMOUS] = {"X-Workspace": tenant.slug}
    ids = {
        "booking_id": str(booking.id),
        "offer_id": str(offer.offer_id),
        "quote_id": str(quote.id),
        "token_id": spare.token_id,
        "provider_id": str(pending.id),
        "account_id": str(account.id),
        "token": f"not-a-tracking-token-{tenant.slug}",
        "code": "NOSUCHCODE",
        "workspace": tenant.slug,
        "customer_id": str(customer.user_id),
    }
    body_ids = {
        "service_id": str(world.service.id),
        "customer_id": str(customer.user_id),
        "b2b_account_id": str(account.id),
    }
    markers = {
        "tenant": str(tenant.id),
        "booking": str(booking.id),
        "booking reference": booking.reference,
        "offer": str(offer.offer_id),
        "quote": str(quote.id),
        "service": str(world.service.id),
        "account": str(account.id),
        "pending provider": str(pending.id),
        "provider": str(provider.id),
        "token": spare.token_id,
        **{f"{role.value} user": str(user.id) for role, user in users.items()},
    }
    return Workspace(
        slug=tenant.slug,
        tenant_id=tenant.id,
        headers=headers,
        ids=ids,
        body_ids=body_ids,
        markers=markers,
        sign_in={"workspace": tenant.slug, "email": users[Role.ADMIN].email, "password": PASSWORD},
    )
