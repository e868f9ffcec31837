"""The customers desk: search in SQL by name, email, phone or plate, and one customer's file."""

import pytest

from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden, NotFound, ValidationFailed
from roadside_console.domain.customers.models import Vehicle
from roadside_console.domain.customers.queries import customer_detail, search_customers
from roadside_console.domain.referrals.credits import move_credit
from roadside_console.domain.referrals.models import CreditReason
from roadside_console.domain.trust.queries import trust_overview
from roadside_console.domain.trust.service import set_promotion_threshold
from tests.factories import actor_of, make_booking, make_tenant, make_user


def _customer(session, tenant, name, *, phone=None, tier=1):
    user = make_user(session, tenant, role=Role.CUSTOMER)
    user.name, user.phone, user.trust_tier = name, phone, tier
    session.add(user)
    session.commit()
    return user


@pytest.fixture()
def desk(session):
    tenant = make_tenant(session)
    dispatcher = actor_of(make_user(session, tenant, role=Role.DISPATCHER))
    return tenant, dispatcher


def _search(uow_factory, actor, **filters):
    with uow_factory() as uow:
        return search_customers(uow, actor=actor, **filters)


def test_customers_are_listed_by_name_and_paged_and_staff_are_not_customers(
    session, uow_factory, desk
):
    tenant, dispatcher = desk
    for name in ["Cole", "ana", "Ben"]:
        _customer(session, tenant, name)
    first = _search(uow_factory, dispatcher, page=1, page_size=2)
    second = _search(uow_factory, dispatcher, page=2, page_size=2)
    assert [r.name for r in first.rows] == ["ana", "Ben"]
    assert [r.name for r in second.rows] == ["Cole"]
    assert first.total == 3  # the dispatcher is not counted


def test_a_customer_is_found_by_name_email_or_phone_however_it_is_typed(session, uow_factory, desk):
    tenant, dispatcher = desk
    rosa = _customer(session, tenant, "Rosa Diaz", phone="+14045550188")
    _customer(session, tenant, "Tom Baker", phone="+14045550999")
    for term in ["DIAZ", rosa.email.upper(), "(404) 555-0188", "5550188"]:
        assert [r.name for r in _search(uow_factory, dispatcher, search=term).rows] == [
            "Rosa Diaz"
        ], term


def test_a_customer_is_found_by_a_plate_on_their_vehicle_or_on_a_booking(
    session, uow_factory, desk
):
    # given one customer with a saved vehicle and another whose plate is only on a booking
    tenant, dispatcher = desk
    rosa = _customer(session, tenant, "Rosa")
    session.add(Vehicle(tenant_id=tenant.id, owner_id=rosa.id, make="Honda", plate="ABC 1234"))
    session.commit()
    tom = _customer(session, tenant, "Tom")
    make_booking(session, tenant, customer=tom, vehicle={"make": "Ford", "plate": "XYZ-987"})
    # when staff search a plate the way it was read out
    by_vehicle = _search(uow_factory, dispatcher, search="abc1234")
    by_booking = _search(uow_factory, dispatcher, search="xyz 987")
    # then each finds its customer
    assert [r.name for r in by_vehicle.rows] == ["Rosa"]
    assert [r.name for r in by_booking.rows] == ["Tom"]


def test_a_row_counts_bookings_and_the_tier_filter_narrows(session, uow_factory, desk):
    tenant, dispatcher = desk
    rosa = _customer(session, tenant, "Rosa", tier=2)
    _customer(session, tenant, "Tom", tier=1)
    for _ in range(2):
        make_booking(session, tenant, customer=rosa)
    [row] = _search(uow_factory, dispatcher, tier=2).rows
    assert (row.name, row.trust_tier, row.bookings) == ("Rosa", 2, 2)
    assert row.last_booking_at is not None
    assert [r.name for r in _search(uow_factory, dispatcher, tier=1).rows] == ["Tom"]
    with pytest.raises(ValidationFailed):
        _search(uow_factory, dispatcher, tier=3)


def test_the_file_shows_trust_referral_credit_vehicles_and_a_page_of_bookings(
    session, uow_factory, desk
):
    # given a referred customer with a code, credit, a vehicle and twelve bookings
    tenant, dispatcher = desk
    ana = _customer(session, tenant, "Ana")
    rosa = _customer(session, tenant, "Rosa", tier=2)
    rosa.referral_code, rosa.referred_by_id, rosa.clean_payment_count = "K7M2P9QX", ana.id, 4
    session.add(rosa)
    session.add(Vehicle(tenant_id=tenant.id, owner_id=rosa.id, make="Honda", plate="ABC1234"))
    move_credit(
        session,
        tenant_id=tenant.id,
        user_id=rosa.id,
        amount_cents=1000,
        reason=CreditReason.REFERRAL_REWARD,
    )
    session.commit()
    bookings = [make_booking(session, tenant, customer=rosa) for _ in range(12)]
    # when staff open the file, then its second page of bookings
    with uow_factory() as uow:
        detail = customer_detail(uow, actor=dispatcher, customer_id=rosa.id)
    with uow_factory() as uow:
        second = customer_detail(uow, actor=dispatcher, customer_id=rosa.id, bookings_page=2)
    # then
    assert (detail.trust_tier, detail.clean_payments, detail.promotion_threshold) == (2, 4, 3)
    assert (detail.referral_code, detail.referred_by, detail.credit_cents) == (
        "K7M2P9QX",
        "Ana",
        1000,
    )
    assert [v["plate"] for v in detail.vehicles] == ["ABC1234"]
    assert detail.bookings_total == 12
    assert len(detail.bookings) == 10 and len(second.bookings) == 2
    shown = {b.booking_id for b in detail.bookings + second.bookings}
    assert shown == {b.id for b in bookings}
    assert detail.can_change_tier is False  # dispatchers see trust; only admins change it


def test_a_customer_of_another_workspace_or_a_staff_member_has_no_file(session, uow_factory, desk):
    tenant, dispatcher = desk
    theirs = _customer(session, make_tenant(session), "Rosa")
    staff = make_user(session, tenant, role=Role.ADMIN)
    for customer_id in (theirs.id, staff.id):
        with uow_factory() as uow, pytest.raises(NotFound):
            customer_detail(uow, actor=dispatcher, customer_id=customer_id)


def test_finance_cannot_browse_customers(session, uow_factory, desk):
    tenant, _ = desk
    finance = actor_of(make_user(session, tenant, role=Role.FINANCE))
    with pytest.raises(Forbidden):
        _search(uow_factory, finance)


def test_the_trust_overview_counts_customers_per_tier_and_follows_the_threshold(
    session, uow_factory, desk
):
    tenant, dispatcher = desk
    admin = actor_of(make_user(session, tenant, role=Role.ADMIN))
    _customer(session, tenant, "Rosa", tier=2)
    _customer(session, tenant, "Tom")
    _customer(session, tenant, "Ana")
    _customer(session, make_tenant(session), "Elsewhere", tier=2)
    with uow_factory() as uow:
        set_promotion_threshold(uow, actor=admin, clean_payments=5)
    with uow_factory() as uow:
        overview = trust_overview(uow, actor=admin)
    assert (overview.promotion_threshold, overview.tier_one, overview.tier_two) == (5, 2, 1)
    with uow_factory() as uow, pytest.raises(Forbidden):
        trust_overview(uow, actor=dispatcher)
