"""What the B2B desk reads: accounts with their counts, one account's terms and keys."""

import uuid

import pytest

from roadside_console.domain.b2b.keys import issue_account_key
from roadside_console.domain.b2b.queries import account_detail, list_accounts
from roadside_console.domain.core.errors import Forbidden, NotFound
from roadside_console.domain.identity.service import API_TOKEN_PREFIX, revoke_api_token
from tests.pricing.builders import at_local_hour
from tests.pricing.conftest import add_pricing_world
from tests.pricing.test_quotes import add_account

NOW = at_local_hour(10)


def _issue(uow_factory, world, account, name):
    with uow_factory() as uow:
        return issue_account_key(uow, actor=world.admin, account_id=account.id, name=name, now=NOW)


def test_accounts_are_listed_by_name_with_contracts_and_live_keys(session, uow_factory, world):
    # given one account with a contract and two keys, one revoked, and one without either
    fleet = add_account(session, world, discount_bp=1000)
    fleet.name = "Alpha Fleet"
    bare = add_account(session, world)
    bare.name = "Beta Motor Club"
    session.add_all([fleet, bare])
    session.commit()
    _issue(uow_factory, world, fleet, "Dispatch system")
    old = _issue(uow_factory, world, fleet, "Old system")
    with uow_factory() as uow:
        revoke_api_token(uow, actor=world.admin, token_id=uuid.UUID(old.token_id))
    # when
    with uow_factory() as uow:
        page = list_accounts(uow, actor=world.admin)
    # then
    assert [(r.name, r.contracts, r.live_keys) for r in page.rows] == [
        ("Alpha Fleet", 1, 1),
        ("Beta Motor Club", 0, 0),
    ]
    assert (page.total, page.rows[0].status, page.rows[0].payment_terms_days) == (2, "active", 30)


def test_an_account_shows_its_contract_terms_by_service_name_and_its_keys_by_prefix(
    session, uow_factory, world
):
    # given a contract that fixes towing at $110 and takes 10 % off, and one key
    account = add_account(
        session, world, discount_bp=1000, service_prices={str(world.towing.id): 11000}
    )
    issued = _issue(uow_factory, world, account, "Fleet dispatch system")
    # when
    with uow_factory() as uow:
        detail = account_detail(uow, actor=world.admin, account_id=account.id)
    # then
    [contract] = detail.contracts
    assert (contract.name, contract.discount_bp, contract.active) == ("Fleet agreement", 1000, True)
    assert [(p.service_name, p.price_cents) for p in contract.prices] == [
        (world.towing.name, 11000)
    ]
    [key] = detail.keys
    assert (key.name, key.revoked_at) == ("Fleet dispatch system", None)
    assert issued.token.startswith(f"{API_TOKEN_PREFIX}_{key.prefix}_")  # the raw key is not kept


def test_other_tenants_accounts_are_not_found_and_dispatchers_may_not_read_them(
    session, uow_factory, world
):
    other = add_pricing_world(session)
    theirs = add_account(session, other)
    with uow_factory() as uow, pytest.raises(NotFound):
        account_detail(uow, actor=world.admin, account_id=theirs.id)
    with uow_factory() as uow:
        assert list_accounts(uow, actor=world.admin).rows == []
    with uow_factory() as uow, pytest.raises(Forbidden):
        list_accounts(uow, actor=world.dispatcher)
