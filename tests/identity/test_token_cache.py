"""The in-process memory of which actor a token acts for: short-lived, and revocation wins."""

import uuid
from datetime import timedelta

from roadside_console.domain.core.auth import Actor, Role
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.identity import service
from roadside_console.domain.identity.token_cache import ActorCache, api_token_actors
from tests.factories import actor_of, make_tenant, make_user

ACTOR = Actor(user_id=uuid.uuid4(), tenant_id=uuid.uuid4(), role=Role.CUSTOMER)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_entry_is_forgotten_once_its_few_seconds_are_over():
    # given
    clock = Clock()
    cache = ActorCache(ttl_seconds=5, clock=clock)
    cache.put("d", ACTOR, generation=cache.generation, token_expires_at=None, now=utc_now())
    # when / then
    clock.now += 4.9
    assert cache.get("d") == ACTOR
    clock.now += 0.2
    assert cache.get("d") is None


def test_an_entry_never_outlives_the_token_itself():
    # given a token that expires in one second
    clock = Clock()
    cache = ActorCache(ttl_seconds=5, clock=clock)
    now = utc_now()
    cache.put("d", ACTOR, generation=0, token_expires_at=now + timedelta(seconds=1), now=now)
    # when
    clock.now += 1.5
    # then
    assert cache.get("d") is None


def test_a_lookup_that_started_before_a_revocation_is_not_stored():
    # given a lookup under way
    cache = ActorCache()
    generation = cache.generation
    # when the token is revoked meanwhile, then the lookup finishes
    cache.forget("d")
    cache.put("d", ACTOR, generation=generation, token_expires_at=None, now=utc_now())
    # then
    assert cache.get("d") is None


def test_revoking_a_token_stops_its_cached_actor_at_once(session, uow_factory):
    # given a token that was just used, so its actor is remembered
    tenant = make_tenant(session)
    user = make_user(session, tenant, role=Role.DISPATCHER)
    with uow_factory() as uow:
        issued = service.create_api_token(uow, actor=actor_of(user), name="partner app")
    with uow_factory() as uow:
        service.authenticate_api_token(uow, issued.token)
    assert service.cached_api_token_actor(issued.token) is not None
    # when
    with uow_factory() as uow:
        service.revoke_api_token(uow, actor=actor_of(user), token_id=uuid.UUID(issued.token_id))
    # then
    assert service.cached_api_token_actor(issued.token) is None
    api_token_actors.forget()
