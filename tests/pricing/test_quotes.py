"""Estimates and the price lock, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import select

from roadside_console.domain.b2b.models import AccountStatus, B2BAccount, B2BContract
from roadside_console.domain.catalog.models import SchedulingMode
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from roadside_console.domain.pricing import service as pricing
from roadside_console.domain.pricing.cache import invalidate_pricing_config
from roadside_console.domain.pricing.models import PriceQuote
from roadside_console.domain.pricing.schemas import QuoteRequest
from roadside_console.domain.providers.models import Provider
from roadside_console.domain.referrals.models import CreditEntry, CreditReason
from tests.factories import actor_of, make_service, make_user
from tests.pricing.builders import at_local_hour
from tests.pricing.conftest import PricingWorld, add_pricing_world

NOW = at_local_hour(10)  # 10:30 in New York: Standard hours


def quote(uow_factory, world: PricingWorld, request: QuoteRequest, *, actor=None, now=NOW):
    with uow_factory() as uow:
        return pricing.create_quote(
            uow, tenant_id=world.tenant.id, actor_or_none=actor, request=request, now=now
        )


def quotes_of(session, world: PricingWorld) -> int:
    return session.exec(
        select(func.count()).select_from(PriceQuote).where(PriceQuote.tenant_id == world.tenant.id)
    ).one()


def test_a_guest_gets_a_stored_quote_valid_for_fifteen_minutes(session, uow_factory, world):
    # given
    request = QuoteRequest(service_id=world.towing.id, towing_miles=25, lat=33.75, lng=-84.39)

    # when
    view = quote(uow_factory, world, request)

    # then
    stored = session.get(PriceQuote, view.id)
    assert stored is not None
    assert view.total_cents == stored.total_cents == 17000
    assert sum(line["amount_cents"] for line in stored.breakdown) == stored.total_cents
    assert [line["code"] for line in stored.breakdown] == ["base", "mileage"]
    assert stored.expires_at == NOW + timedelta(minutes=15)
    assert stored.customer_id is None and stored.used_at is None
    assert stored.request["towing_miles"] == 25


def test_the_quote_ttl_comes_from_the_tenant_settings(session, uow_factory, world):
    # given
    world.settings.quote_ttl_minutes = 30
    session.add(world.settings)
    session.commit()
    invalidate_pricing_config(world.tenant.id)

    # when
    view = quote(uow_factory, world, QuoteRequest(service_id=world.jump.id))

    # then
    assert view.expires_at == NOW + timedelta(minutes=30)


def test_a_booking_with_a_quote_pays_the_quoted_total_after_storm_mode_changed(
    session, uow_factory, world
):
    # given
    request = QuoteRequest(service_id=world.towing.id, towing_miles=25)
    view = quote(uow_factory, world, request, actor=world.customer)
    with uow_factory() as uow:
        pricing.activate_storm_mode(
            uow, actor=world.admin, template_id=world.ice_storm.id, reason="Ice on I-285"
        )
    later = NOW + timedelta(minutes=5)

    # when
    fresh = pricing.price_request(
        session, tenant_id=world.tenant.id, actor=world.customer, request=request, now=later
    )
    redeemed = pricing.redeem_quote(
        session,
        tenant_id=world.tenant.id,
        quote_id=view.id,
        request=request,
        now=later,
        customer_id=world.customer.user_id,
    )
    session.commit()

    # then
    assert fresh.total_cents == 18750 + 4500
    assert redeemed.total_cents == view.total_cents == 17000
    assert session.get(PriceQuote, view.id).used_at == later


def test_an_expired_quote_is_refused_and_stays_unused(session, uow_factory, world):
    # given
    request = QuoteRequest(service_id=world.jump.id)
    view = quote(uow_factory, world, request)

    # when
    with pytest.raises(ValidationFailed) as error:
        pricing.redeem_quote(
            session,
            tenant_id=world.tenant.id,
            quote_id=view.id,
            request=request,
            now=view.expires_at,
        )

    # then
    assert (error.value.code, error.value.field) == ("quote_expired", "quote_id")
    assert session.get(PriceQuote, view.id).used_at is None


def test_a_quote_of_another_tenant_is_not_found_exactly_like_an_unknown_id(
    session, uow_factory, world
):
    # given
    other = add_pricing_world(session)
    request = QuoteRequest(service_id=world.jump.id)
    view = quote(uow_factory, world, request)
    errors = []

    # when
    for quote_id in (view.id, uuid.uuid4()):
        with pytest.raises(NotFound) as error:
            pricing.redeem_quote(
                session, tenant_id=other.tenant.id, quote_id=quote_id, request=request, now=NOW
            )
        errors.append((error.value.code, error.value.message))

    # then
    assert errors[0] == errors[1] == ("quote_not_found", pricing.QUOTE_NOT_FOUND)
    assert session.get(PriceQuote, view.id).used_at is None


def test_a_quote_made_by_one_customer_cannot_be_used_by_another(session, uow_factory, world):
    # given
    request = QuoteRequest(service_id=world.jump.id)
    view = quote(uow_factory, world, request, actor=world.customer)
    someone_else = make_user(session, world.tenant, role=Role.CUSTOMER)

    # when / then
    with pytest.raises(NotFound, match="does not exist"):
        pricing.redeem_quote(
            session,
            tenant_id=world.tenant.id,
            quote_id=view.id,
            request=request,
            now=NOW,
            customer_id=someone_else.id,
        )


def test_a_quote_cannot_pay_for_two_bookings(session, uow_factory, world):
    # given
    request = QuoteRequest(service_id=world.jump.id)
    view = quote(uow_factory, world, request)
    pricing.redeem_quote(
        session, tenant_id=world.tenant.id, quote_id=view.id, request=request, now=NOW
    )
    session.commit()

    # when
    with pytest.raises(Conflict) as error:
        pricing.redeem_quote(
            session, tenant_id=world.tenant.id, quote_id=view.id, request=request, now=NOW
        )

    # then
    assert error.value.code == "quote_used"


def test_the_loser_of_a_redemption_race_gets_a_conflict_from_the_guarded_update(
    session, uow_factory, world
):
    # given: this session still holds the quote as unused while another booking takes it
    request = QuoteRequest(service_id=world.jump.id)
    view = quote(uow_factory, world, request)
    assert session.get(PriceQuote, view.id).used_at is None
    table = PriceQuote.__table__
    session.connection().execute(sa.update(table).where(table.c.id == view.id).values(used_at=NOW))

    # when
    with pytest.raises(Conflict) as error:
        pricing.redeem_quote(
            session, tenant_id=world.tenant.id, quote_id=view.id, request=request, now=NOW
        )

    # then
    assert error.value.code == "quote_used"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"service": "jump"}, "service_id"),
        ({"towing_miles": 30}, "towing_miles"),
        ({"scheduled_at": NOW + timedelta(hours=3)}, "scheduled_at"),
        ({"b2b_account_id": uuid.uuid4()}, "b2b_account_id"),
    ],
)
def test_a_quote_for_a_different_request_is_refused_as_a_mismatch(
    session, uow_factory, world, change, field
):
    # given
    quoted = QuoteRequest(service_id=world.towing.id, towing_miles=25)
    view = quote(uow_factory, world, quoted)
    values = {"service_id": world.towing.id, "towing_miles": 25}
    values.update(change)
    if values.pop("service", None):
        values["service_id"] = world.jump.id

    # when
    with pytest.raises(ValidationFailed) as error:
        pricing.redeem_quote(
            session,
            tenant_id=world.tenant.id,
            quote_id=view.id,
            request=QuoteRequest(**values),
            now=NOW,
        )

    # then
    assert (error.value.code, error.value.field) == ("quote_mismatch", field)
    assert session.get(PriceQuote, view.id).used_at is None


def test_miles_sent_for_a_service_without_mileage_are_ignored_and_not_stored(
    session, uow_factory, world
):
    # given
    request = QuoteRequest(service_id=world.jump.id, towing_miles=40)

    # when
    view = quote(uow_factory, world, request)
    redeemed = pricing.redeem_quote(
        session,
        tenant_id=world.tenant.id,
        quote_id=view.id,
        request=QuoteRequest(service_id=world.jump.id),
        now=NOW,
    )

    # then
    assert view.total_cents == 10000
    assert redeemed.request["towing_miles"] is None


@pytest.mark.parametrize(
    ("make_request", "error_type", "code", "field"),
    [
        (
            lambda w: QuoteRequest(service_id=uuid.uuid4()),
            NotFound,
            "service_not_found",
            "service_id",
        ),
        (
            lambda w: QuoteRequest(service_id=w.retired.id),
            ValidationFailed,
            "service_inactive",
            "service_id",
        ),
        (
            lambda w: QuoteRequest(service_id=w.other_tenants.id),
            NotFound,
            "service_not_found",
            "service_id",
        ),
        (
            lambda w: QuoteRequest(service_id=w.towing.id, towing_miles=-3),
            ValidationFailed,
            "invalid_miles",
            "towing_miles",
        ),
        (
            lambda w: QuoteRequest(service_id=w.jump.id, lat=95.0, lng=-84.0),
            ValidationFailed,
            "invalid_coordinates",
            "lat",
        ),
        (
            lambda w: QuoteRequest(service_id=w.jump.id, lat=33.7, lng=-200.0),
            ValidationFailed,
            "invalid_coordinates",
            "lng",
        ),
        (
            lambda w: QuoteRequest(service_id=w.diagnostics.id),
            ValidationFailed,
            "scheduled_time_required",
            "scheduled_at",
        ),
        (
            lambda w: QuoteRequest(service_id=w.jump.id, scheduled_at=NOW + timedelta(minutes=90)),
            ValidationFailed,
            "schedule_too_soon",
            "scheduled_at",
        ),
        (
            lambda w: QuoteRequest(
                service_id=w.jump.id, scheduled_at=(NOW + timedelta(hours=3)).replace(tzinfo=None)
            ),
            ValidationFailed,
            "invalid_scheduled_at",
            "scheduled_at",
        ),
    ],
    ids=[
        "unknown-service",
        "inactive-service",
        "other-tenants-service",
        "negative-miles",
        "latitude",
        "longitude",
        "scheduled-only-without-time",
        "under-two-hours-ahead",
        "naive-time",
    ],
)
def test_bad_input_is_refused_with_a_typed_error_and_nothing_is_written(
    session, uow_factory, world, make_request, error_type, code, field
):
    # given
    world.retired = make_service(session, world.tenant, name="Old", active=False)
    world.diagnostics = make_service(
        session, world.tenant, name="Diagnostics", scheduling_mode=SchedulingMode.SCHEDULED
    )
    world.other_tenants = add_pricing_world(session).jump
    invalidate_pricing_config(world.tenant.id)

    # when
    with pytest.raises(error_type) as error:
        quote(uow_factory, world, make_request(world))

    # then
    assert (error.value.code, error.value.field) == (code, field)
    assert error.value.message
    assert quotes_of(session, world) == 0


def test_a_scheduled_estimate_uses_the_hour_of_the_scheduled_time(uow_factory, world):
    # given: asked at 10:30, for 19:30 the same day
    request = QuoteRequest(service_id=world.jump.id, scheduled_at=at_local_hour(19))

    # when
    view = quote(uow_factory, world, request)

    # then
    assert view.local_hour == 19
    assert view.total_cents == 12500


def test_a_provider_going_off_shift_makes_the_next_estimate_scarcer(session, uow_factory, world):
    # given
    before = quote(uow_factory, world, QuoteRequest(service_id=world.jump.id))
    provider = session.exec(select(Provider).where(Provider.tenant_id == world.tenant.id)).first()
    provider.is_available = False
    session.add(provider)
    session.commit()
    invalidate_pricing_config(world.tenant.id)

    # when
    after = quote(uow_factory, world, QuoteRequest(service_id=world.jump.id))

    # then
    assert before.total_cents == 10000
    assert [(line.code, line.amount_cents) for line in after.lines] == [
        ("base", 10000),
        ("scarcity", 500),
    ]


def test_a_customers_referral_credit_is_its_own_line_and_guests_get_none(
    session, uow_factory, world
):
    # given
    session.add(
        CreditEntry(
            tenant_id=world.tenant.id,
            user_id=world.customer.user_id,
            amount_cents=1500,
            reason=CreditReason.REFERRAL_REWARD,
        )
    )
    session.commit()
    request = QuoteRequest(service_id=world.jump.id)

    # when
    as_customer = quote(uow_factory, world, request, actor=world.customer)
    opted_out = quote(
        uow_factory,
        world,
        QuoteRequest(service_id=world.jump.id, use_referral_credit=False),
        actor=world.customer,
    )
    as_guest = quote(uow_factory, world, request)

    # then
    assert [(line.code, line.amount_cents) for line in as_customer.lines] == [
        ("base", 10000),
        ("referral_credit", -1500),
    ]
    assert as_customer.total_cents == 8500
    assert as_customer.referral_credit_cents == 1500
    assert opted_out.total_cents == as_guest.total_cents == 10000


def test_a_quote_whose_credit_was_spent_meanwhile_cannot_be_redeemed(session, uow_factory, world):
    # given
    session.add(
        CreditEntry(
            tenant_id=world.tenant.id,
            user_id=world.customer.user_id,
            amount_cents=1500,
            reason=CreditReason.REFERRAL_REWARD,
        )
    )
    session.commit()
    request = QuoteRequest(service_id=world.jump.id)
    view = quote(uow_factory, world, request, actor=world.customer)
    session.add(
        CreditEntry(
            tenant_id=world.tenant.id,
            user_id=world.customer.user_id,
            amount_cents=-1500,
            reason=CreditReason.SPENT,
        )
    )
    session.commit()

    # when
    with pytest.raises(Conflict) as error:
        pricing.redeem_quote(
            session,
            tenant_id=world.tenant.id,
            quote_id=view.id,
            request=request,
            now=NOW,
            customer_id=world.customer.user_id,
        )

    # then
    assert error.value.code == "quote_credit_unavailable"


def add_account(session, world: PricingWorld, *, status=AccountStatus.ACTIVE, **contract):
    account = B2BAccount(
        tenant_id=world.tenant.id,
        name=f"Fleet {uuid.uuid4().hex[:6]}",
        billing_email="ap@fleet.example",
        status=status,
    )
    session.add(account)
    session.commit()
    if contract:
        session.add(
            B2BContract(
                tenant_id=world.tenant.id,
                account_id=account.id,
                name="Fleet agreement",
                starts_on=date(2026, 1, 1),
                **contract,
            )
        )
        session.commit()
    return account


def test_staff_pricing_for_a_b2b_account_get_the_contract_price(session, uow_factory, world):
    # given
    fixed = add_account(session, world, service_prices={str(world.towing.id): 11000})
    discounted = add_account(session, world, discount_bp=1000)
    no_contract = add_account(session, world)

    # when
    prices = [
        quote(
            uow_factory,
            world,
            QuoteRequest(service_id=world.towing.id, towing_miles=25, b2b_account_id=account.id),
            actor=world.dispatcher,
        ).total_cents
        for account in (fixed, discounted, no_contract)
    ]

    # then
    assert prices == [15500, 15300, 17000]


def test_an_ended_contract_no_longer_applies(session, uow_factory, world):
    # given
    account = add_account(session, world, discount_bp=5000)
    contract = session.exec(select(B2BContract).where(B2BContract.account_id == account.id)).one()
    contract.ends_on = date(2026, 1, 13)
    session.add(contract)
    session.commit()
    request = QuoteRequest(service_id=world.jump.id, b2b_account_id=account.id)

    # when
    view = quote(uow_factory, world, request, actor=world.admin)

    # then
    assert view.total_cents == 10000


@pytest.mark.parametrize(
    ("who", "account_kind", "error_type", "code"),
    [
        ("customer", "own", Forbidden, "b2b_booking_forbidden"),
        (None, "own", Forbidden, "b2b_booking_forbidden"),
        ("dispatcher", "foreign", NotFound, "b2b_account_not_found"),
        ("dispatcher", "suspended", ValidationFailed, "b2b_account_suspended"),
    ],
)
def test_b2b_pricing_is_for_staff_and_active_accounts_of_the_tenant(
    session, uow_factory, world, who, account_kind, error_type, code
):
    # given
    if account_kind == "foreign":
        account = add_account(session, add_pricing_world(session))
    else:
        status = AccountStatus.SUSPENDED if account_kind == "suspended" else AccountStatus.ACTIVE
        account = add_account(session, world, status=status, discount_bp=1000)
    actor = getattr(world, who) if who else None
    request = QuoteRequest(service_id=world.jump.id, b2b_account_id=account.id)

    # when
    with pytest.raises(error_type) as error:
        quote(uow_factory, world, request, actor=actor)

    # then
    assert error.value.code == code
    assert quotes_of(session, world) == 0


def test_an_actor_of_another_tenant_cannot_quote_in_this_one(session, uow_factory, world):
    # given
    other = add_pricing_world(session)

    # when / then
    with pytest.raises(Forbidden):
        quote(uow_factory, world, QuoteRequest(service_id=world.jump.id), actor=other.customer)
    assert quotes_of(session, world) == 0


def test_the_tenants_time_zone_decides_the_hour(session, uow_factory, world):
    # given: 23:30 UTC is 18:30 in New York (After-Hours) but 17:30 in Chicago (Standard)
    chicago = add_pricing_world(session)
    chicago.tenant.timezone = "America/Chicago"
    session.add(chicago.tenant)
    session.commit()
    invalidate_pricing_config(chicago.tenant.id)
    instant = at_local_hour(18)
    request_ny = QuoteRequest(service_id=world.jump.id)
    request_chi = QuoteRequest(service_id=chicago.jump.id)

    # when
    ny = quote(uow_factory, world, request_ny, now=instant)
    chi = quote(uow_factory, chicago, request_chi, now=instant)

    # then
    assert (ny.local_hour, ny.total_cents) == (18, 12500)
    assert (chi.local_hour, chi.total_cents) == (17, 10000)


def test_staff_and_customers_alike_can_ask_for_an_estimate(uow_factory, world, session):
    # given
    provider_actor = actor_of(make_user(session, world.tenant, role=Role.PROVIDER))

    # when
    totals = {
        actor.role if actor else None: quote(
            uow_factory, world, QuoteRequest(service_id=world.jump.id), actor=actor
        ).total_cents
        for actor in (None, world.customer, world.dispatcher, provider_actor)
    }

    # then
    assert set(totals.values()) == {10000}
