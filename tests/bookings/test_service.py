import pytest
from sqlmodel import select

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.bookings import service
from roadside_console.domain.bookings.models import Booking, BookingEvent, BookingStatus
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Conflict, InvalidTransition, NotFound
from roadside_console.domain.notifications.models import OutboxMessage
from tests.factories import (
    actor_of,
    make_booking,
    make_provider,
    make_tenant,
    make_user,
)

S = BookingStatus


def _reload(session, booking):
    session.expire_all()
    return session.get(Booking, booking.id)


def test_a_dispatcher_confirms_a_booking_and_it_is_recorded_and_audited(session, uow_factory):
    # given
    tenant = make_tenant(session)
    dispatcher = make_user(session, tenant, role=Role.DISPATCHER)
    booking = make_booking(session, tenant)
    # when
    with uow_factory() as uow:
        service.confirm_booking(uow, actor=actor_of(dispatcher), booking_id=booking.id)
    # then
    booking = _reload(session, booking)
    assert booking.status is S.CONFIRMED and booking.confirmed_at is not None
    event = session.exec(select(BookingEvent).where(BookingEvent.booking_id == booking.id)).one()
    assert (event.from_status, event.to_status, event.actor_id) == (
        S.PENDING,
        S.CONFIRMED,
        dispatcher.id,
    )
    audit = session.exec(select(AuditEntry).where(AuditEntry.target_id == str(booking.id))).one()
    assert audit.action == "booking.confirmed"
    texts = session.exec(select(OutboxMessage).where(OutboxMessage.tenant_id == tenant.id)).all()
    assert [t.topic for t in texts] == ["booking.confirmed"]


def test_confirming_a_booking_that_moved_meanwhile_is_a_conflict_and_writes_nothing(
    session, uow_factory
):
    tenant = make_tenant(session)
    admin = make_user(session, tenant, role=Role.ADMIN)
    booking = make_booking(session, tenant, status=S.CONFIRMED)
    with uow_factory() as uow, pytest.raises(Conflict):
        service.confirm_booking(uow, actor=actor_of(admin), booking_id=booking.id)
    assert (
        session.exec(select(BookingEvent).where(BookingEvent.booking_id == booking.id)).all() == []
    )


def _move(uow_factory, session, actor, booking, to_status, reason=None):
    with uow_factory() as uow:
        fresh = service.get_booking(uow.session, tenant_id=booking.tenant_id, booking_id=booking.id)
        service.apply_transition(
            uow.session, actor=actor, booking=fresh, to_status=to_status, reason=reason
        )
        uow.commit()


def test_the_assigned_provider_hands_back_starts_and_completes_a_job(session, uow_factory):
    # given a job dispatched to a provider
    tenant = make_tenant(session)
    user = make_user(session, tenant, role=Role.PROVIDER)
    provider = make_provider(session, tenant, user=user)
    booking = make_booking(session, tenant, status=S.DISPATCHED, provider_id=provider.id)
    # when they hand it back, it returns to the queue without a provider
    _move(uow_factory, session, actor_of(user), booking, S.CONFIRMED, reason="too far")
    rejected = _reload(session, booking)
    assert rejected.status is S.CONFIRMED and rejected.provider_id is None
    # and when it is theirs again they start and complete it
    rejected.status, rejected.provider_id = S.DISPATCHED, provider.id
    session.add(rejected)
    session.commit()
    _move(uow_factory, session, actor_of(user), booking, S.IN_PROGRESS)
    with uow_factory() as uow:
        service.complete_booking(uow, actor=actor_of(user), booking_id=booking.id)
    done = _reload(session, booking)
    assert done.status is S.COMPLETED and done.started_at and done.completed_at


def test_another_provider_cannot_start_a_job_that_is_not_theirs(session, uow_factory):
    tenant = make_tenant(session)
    assigned = make_provider(session, tenant)
    other_user = make_user(session, tenant, role=Role.PROVIDER)
    make_provider(session, tenant, user=other_user)
    booking = make_booking(session, tenant, status=S.DISPATCHED, provider_id=assigned.id)
    from roadside_console.domain.core.errors import Forbidden

    with pytest.raises(Forbidden):
        _move(uow_factory, session, actor_of(other_user), booking, S.IN_PROGRESS)


def test_a_customer_sees_the_fee_before_cancelling_a_dispatched_job_and_pays_it(
    session, uow_factory
):
    # given a job a provider is driving to
    tenant = make_tenant(session)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    provider = make_provider(session, tenant)
    booking = make_booking(
        session, tenant, customer=customer, status=S.DISPATCHED, provider_id=provider.id
    )
    # when the customer asks what cancelling costs, then cancels accepting that fee
    with uow_factory() as uow:
        terms = service.cancellation_terms(uow, actor=actor_of(customer), booking_id=booking.id)
    assert (terms.allowed, terms.fee_cents, terms.fee_label) == (
        True,
        2500,
        "Cancelling now costs $25.00.",
    )
    with uow_factory() as uow:
        result = service.cancel_booking(
            uow, actor=actor_of(customer), booking_id=booking.id, expected_fee_cents=terms.fee_cents
        )
    # then
    assert result.fee_cents == 2500
    assert _reload(session, booking).cancellation_fee_cents == 2500


def test_a_customer_who_was_shown_a_free_cancellation_is_asked_again_if_a_fee_now_applies(
    session, uow_factory
):
    tenant = make_tenant(session)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    provider = make_provider(session, tenant)
    booking = make_booking(
        session, tenant, customer=customer, status=S.DISPATCHED, provider_id=provider.id
    )
    with uow_factory() as uow, pytest.raises(Conflict, match=r"\$25\.00"):
        service.cancel_booking(
            uow, actor=actor_of(customer), booking_id=booking.id, expected_fee_cents=0
        )
    assert _reload(session, booking).status is S.DISPATCHED


def test_staff_must_give_a_reason_to_cancel(session, uow_factory):
    tenant = make_tenant(session)
    admin = make_user(session, tenant, role=Role.ADMIN)
    booking = make_booking(session, tenant)
    with uow_factory() as uow, pytest.raises(InvalidTransition) as caught:
        service.cancel_booking(uow, actor=actor_of(admin), booking_id=booking.id, reason=" ")
    assert caught.value.field == "reason"


def test_a_booking_of_another_tenant_is_not_found(session, uow_factory):
    mine, theirs = make_tenant(session), make_tenant(session)
    admin = make_user(session, mine, role=Role.ADMIN)
    booking = make_booking(session, theirs)
    with uow_factory() as uow, pytest.raises(NotFound):
        service.confirm_booking(uow, actor=actor_of(admin), booking_id=booking.id)


def test_two_dispatchers_confirming_at_once_on_postgresql_one_wins_one_gets_a_conflict(pg_engine):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from sqlmodel import Session

    from roadside_console.domain.core.uow import UnitOfWork
    from roadside_console.domain.tenants.models import Tenant

    # given a committed pending booking and two dispatchers
    with Session(pg_engine, expire_on_commit=False) as session:
        tenant = make_tenant(session)
        first = make_user(session, tenant, role=Role.DISPATCHER)
        second = make_user(session, tenant, role=Role.DISPATCHER)
        booking = make_booking(session, tenant)
    barrier = Barrier(2)

    def confirm(user):
        with UnitOfWork(lambda: Session(pg_engine, expire_on_commit=False)) as uow:
            service.get_booking(uow.session, tenant_id=tenant.id, booking_id=booking.id)
            barrier.wait()  # both have read "pending" before either writes
            try:
                service.confirm_booking(uow, actor=actor_of(user), booking_id=booking.id)
                return "won"
            except Conflict:
                return "conflict"

    # when both confirm at the same moment
    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(confirm, [first, second]))
    # then exactly one change and one event were written
    try:
        assert outcomes == ["conflict", "won"]
        with Session(pg_engine) as session:
            events = session.exec(
                select(BookingEvent).where(BookingEvent.booking_id == booking.id)
            ).all()
            assert len(events) == 1
    finally:
        with Session(pg_engine) as session:
            session.delete(session.get(Tenant, tenant.id))
            session.commit()
