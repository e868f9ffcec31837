"""The B2B desk: accounts, contract terms in words, keys issued once and revoked on request."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

import pytest

from roadside_console.domain.b2b.queries import ContractPrice, ContractTerms
from roadside_console.domain.core.auth import Role
from roadside_console.domain.identity.models import ApiToken, User
from roadside_console.domain.identity.service import API_TOKEN_PREFIX
from roadside_console.ui.b2b.account import B2BAccountState, b2b_account_page, contract_line
from roadside_console.ui.b2b.accounts import B2BAccountsState, b2b_accounts_page
from tests.factories import make_user
from tests.pricing.conftest import add_pricing_world
from tests.pricing.test_quotes import add_account
from tests.ui.support import run_handler, signed_in_state


def _contract(**overrides):
    values = {
        "contract_id": uuid.uuid4(),
        "name": "2026 fleet agreement",
        "starts_on": date(2026, 1, 1),
        "ends_on": None,
        "discount_bp": 1000,
        "active": True,
        "prices": [ContractPrice("Towing", 11000)],
    }
    values.update(overrides)
    return ContractTerms(**values)


def test_contract_terms_read_in_words():
    line = contract_line(_contract())
    assert (line.period, line.discount, line.prices) == (
        "Jan 01, 2026 – open-ended",
        "10 % off list prices",
        "Towing $110.00",
    )
    bare = contract_line(_contract(discount_bp=250, prices=[], ends_on=date(2026, 12, 31)))
    assert (bare.period, bare.discount, bare.prices) == (
        "Jan 01, 2026 – Dec 31, 2026",
        "2.5 % off list prices",
        "No fixed prices",
    )


def test_the_b2b_pages_build_with_their_tables_and_dialogs():
    accounts = str(b2b_accounts_page().render())
    assert "accounts-table" in accounts
    account = str(b2b_account_page().render())
    for element in ("contracts", "api-keys", "new-key", "key-name", "revoke-confirm"):
        assert element in account


def _admin_state(session, uow_factory, monkeypatch, state_cls, world, role=Role.ADMIN):
    user = make_user(session, world.tenant, role=role)
    return signed_in_state(state_cls, user, world.tenant, uow_factory, monkeypatch)


def _open(state, account_id) -> None:
    state._account_id = str(account_id)
    run_handler(state._fetch())


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FINANCE])
def test_staff_issue_a_key_see_it_once_and_revoke_it(session, uow_factory, monkeypatch, role):
    # given an active fleet account, opened by an admin or by finance
    world = add_pricing_world(session)
    account = add_account(session, world, discount_bp=1000)
    state = _admin_state(session, uow_factory, monkeypatch, B2BAccountState, world, role=role)
    _open(state, account.id)
    assert (state.name, state.status, state.keys) == (account.name, "active", [])
    # when they name and create a key
    state.open_new_key()
    state.set_key_name("Fleet dispatch system")
    run_handler(state.create_key())
    # then the raw key shows once, and the list has it by prefix only
    assert state.key_error == ""
    [key] = state.keys
    assert state.new_key.startswith(f"{API_TOKEN_PREFIX}_{key.prefix}_") and key.live
    state.set_key_open(False)
    assert state.new_key == ""
    # when they revoke it after confirming
    state.ask_revoke(key.key_id)
    assert (state.revoke_open, state.revoke_name) == (True, "Fleet dispatch system")
    run_handler(state.confirm_revoke())
    # then it is refused from now on
    assert state.revoke_error == "" and state.revoke_open is False
    assert state.keys[0].live is False
    assert session.get(ApiToken, uuid.UUID(key.key_id)).revoked_at is not None


def test_an_empty_key_name_is_refused_inline(session, uow_factory, monkeypatch):
    world = add_pricing_world(session)
    account = add_account(session, world)
    state = _admin_state(session, uow_factory, monkeypatch, B2BAccountState, world)
    _open(state, account.id)
    state.open_new_key()
    run_handler(state.create_key())
    assert state.key_error == "Give the key a name."
    assert (state.new_key, state.keys) == ("", [])


def test_a_dispatcher_gets_nothing_even_by_calling_the_handlers(session, uow_factory, monkeypatch):
    # given an account with a key, and a dispatcher who got past the page guard somehow
    world = add_pricing_world(session)
    account = add_account(session, world)
    admin = _admin_state(session, uow_factory, monkeypatch, B2BAccountState, world)
    _open(admin, account.id)
    admin.set_key_name("Fleet system")
    run_handler(admin.create_key())
    state = _admin_state(
        session, uow_factory, monkeypatch, B2BAccountState, world, role=Role.DISPATCHER
    )
    # when the handlers run anyway
    _open(state, account.id)
    state.set_key_name("Sneaky")
    run_handler(state.create_key())
    listing = _admin_state(
        session, uow_factory, monkeypatch, B2BAccountsState, world, role=Role.DISPATCHER
    )
    run_handler(listing.load())
    # then nothing is shown or issued, and the domain's refusal is said inline
    assert (state.name, state.keys, state.new_key) == ("", [], "")
    assert state.error != "" and state.key_error != ""
    assert (listing.accounts, listing.error != "") == ([], True)
    assert len(session.query(ApiToken).filter(ApiToken.b2b_account_id == account.id).all()) == 1


def test_a_key_id_from_elsewhere_is_never_revoked(session, uow_factory, monkeypatch):
    # given the admin's own personal API token, not one of the account's keys
    world = add_pricing_world(session)
    account = add_account(session, world)
    state = _admin_state(session, uow_factory, monkeypatch, B2BAccountState, world)
    _open(state, account.id)
    admin = session.query(User).filter(User.tenant_id == world.tenant.id, User.role == Role.ADMIN)
    token = ApiToken(
        tenant_id=world.tenant.id,
        name="Personal",
        prefix="abcd1234",
        token_hash=uuid.uuid4().hex,
        user_id=admin.first().id,
    )
    session.add(token)
    session.commit()
    # when a crafted event asks to revoke it from this page
    state.ask_revoke(str(token.id))
    state._revoke_id = str(token.id)
    asyncio.run(state.confirm_revoke())
    # then nothing happens
    session.refresh(token)
    assert token.revoked_at is None and state.revoke_open is False


def test_the_accounts_list_links_each_account_to_its_page(session, uow_factory, monkeypatch):
    world = add_pricing_world(session)
    account = add_account(session, world, discount_bp=500)
    state = _admin_state(session, uow_factory, monkeypatch, B2BAccountsState, world)
    run_handler(state.load())
    [line] = state.accounts
    assert (line.name, line.path, line.contracts, line.terms) == (
        account.name,
        f"/admin/b2b/{account.id}",
        1,
        "Net 30",
    )
