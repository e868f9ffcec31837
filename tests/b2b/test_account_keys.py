"""Business-account API keys: they book on their own account, priced by its contract."""

import uuid

import pytest
from sqlmodel import select

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.b2b.keys import issue_account_key, revoke_account_key
from roadside_console.domain.b2b.models import AccountStatus
from roadside_console.domain.bookings.creation import BookingCreate, create_booking
from roadside_console.domain.bookings.models import Booking
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import (
    AuthenticationFailed,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from roadside_console.domain.identity.models import User
from roadside_console.domain.identity.service import authenticate_api_token, revoke_api_token
from roadside_console.domain.pricing import service as pricing
from roadside_console.domain.pricing.schemas import QuoteRequest
from tests.factories import actor_of, make_user
from tests.pricing.builders import at_local_hour
from tests.pricing.test_quotes import add_account

NOW = at_local_hour(10)


def _key(uow_factory, world, account, name="Fleet dispatch system"):
    finance = world.admin
    with uow_factory() as uow:
        return issue_account_key(uow, actor=finance, account_id=account.id, name=name, now=NOW)


def _actor(uow_factory, raw):
    with uow_factory() as uow:
        return authenticate_api_token(uow, raw, now=NOW)


def test_an_account_key_acts_for_its_account_and_prices_by_its_contract(
    session, uow_factory, world
):
    # given a fleet whose contract fixes towing at $110
    account = add_account(session, world, service_prices={str(world.towing.id): 11000})
    partner = _actor(uow_factory, _key(uow_factory, world, account).token)
    # when its system asks for a 25-mile tow without naming the account
    with uow_factory() as uow:
        view = pricing.create_quote(
            uow,
            tenant_id=world.tenant.id,
            actor_or_none=partner,
            request=QuoteRequest(service_id=world.towing.id, towing_miles=25),
            now=NOW,
        )
    # then it is the contract price ($110 + 15 extra miles at $3), not the list price ($170)
    assert partner.role is Role.PARTNER and partner.b2b_account_id == account.id
    assert view.total_cents == 15500


def test_a_booking_made_with_an_account_key_is_on_the_account_without_a_customer(
    session, uow_factory, world
):
    # given
    account = add_account(session, world, discount_bp=1000)
    partner = _actor(uow_factory, _key(uow_factory, world, account).token)
    # when
    with uow_factory() as uow:
        created = create_booking(
            uow,
            tenant_id=world.tenant.id,
            actor=partner,
            data=BookingCreate(
                service_id=world.jump.id,
                address="1 Fleet Yard, Atlanta, GA",
                lat=33.75,
                lng=-84.39,
                contact_name="Driver 12",
                contact_phone="4045550112",
            ),
            now=NOW,
        )
    # then the $100 jump start costs the contract's 10 % less, on the account
    booking = session.get(Booking, created.booking_id)
    assert (booking.b2b_account_id, booking.customer_id) == (account.id, None)
    assert created.total_cents == 9000


def test_an_account_key_cannot_book_on_another_account(session, uow_factory, world):
    mine = add_account(session, world)
    theirs = add_account(session, world)
    partner = _actor(uow_factory, _key(uow_factory, world, mine).token)
    with pytest.raises(Forbidden), uow_factory() as uow:
        pricing.create_quote(
            uow,
            tenant_id=world.tenant.id,
            actor_or_none=partner,
            request=QuoteRequest(service_id=world.jump.id, b2b_account_id=theirs.id),
            now=NOW,
        )


def test_a_dispatcher_cannot_issue_account_keys_and_a_suspended_account_gets_none(
    session, uow_factory, world
):
    account = add_account(session, world)
    with pytest.raises(Forbidden), uow_factory() as uow:
        issue_account_key(uow, actor=world.dispatcher, account_id=account.id, name="x")
    suspended = add_account(session, world, status=AccountStatus.SUSPENDED)
    with pytest.raises(ValidationFailed), uow_factory() as uow:
        issue_account_key(uow, actor=world.admin, account_id=suspended.id, name="x")


def test_a_revoked_account_key_stops_working_and_the_others_keep_going(session, uow_factory, world):
    # given two keys of one account
    account = add_account(session, world)
    first = _key(uow_factory, world, account, "old system")
    second = _key(uow_factory, world, account, "new system")
    # when an admin revokes the first
    with uow_factory() as uow:
        revoke_api_token(uow, actor=world.admin, token_id=uuid.UUID(first.token_id), now=NOW)
    # then it is refused, the second still works, and both acted as one account user
    with pytest.raises(AuthenticationFailed):
        _actor(uow_factory, first.token)
    assert _actor(uow_factory, second.token).b2b_account_id == account.id
    api_users = session.exec(select(User).where(User.role == Role.PARTNER)).all()
    assert [u.tenant_id for u in api_users] == [world.tenant.id]
    assert api_users[0].password_hash is None


def test_finance_revokes_an_account_key_it_did_not_issue_but_only_on_that_account(
    session, uow_factory, world
):
    # given a key an admin issued to one fleet, and another fleet
    account = add_account(session, world)
    other = add_account(session, world)
    key = _key(uow_factory, world, account)
    finance = actor_of(make_user(session, world.tenant, role=Role.FINANCE))
    # when finance asks to revoke it under the other fleet, nothing happens
    with pytest.raises(NotFound), uow_factory() as uow:
        revoke_account_key(
            uow, actor=finance, account_id=other.id, key_id=uuid.UUID(key.token_id), now=NOW
        )
    assert _actor(uow_factory, key.token).b2b_account_id == account.id
    # when finance revokes it under its own fleet
    with uow_factory() as uow:
        revoke_account_key(
            uow, actor=finance, account_id=account.id, key_id=uuid.UUID(key.token_id), now=NOW
        )
    # then the key is refused at once, and the revocation is audited under the account
    with pytest.raises(AuthenticationFailed):
        _actor(uow_factory, key.token)
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "b2b.api_key_revoked")).one()
    assert audit.target_id == str(account.id) and audit.actor_id == finance.user_id
    # and a dispatcher may not revoke account keys
    with pytest.raises(Forbidden), uow_factory() as uow:
        revoke_account_key(
            uow,
            actor=world.dispatcher,
            account_id=account.id,
            key_id=uuid.UUID(key.token_id),
        )
