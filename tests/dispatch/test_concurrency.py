"""Races on PostgreSQL with committed data: the guards, not luck, decide who wins."""

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from threading import Barrier

import pytest
from sqlmodel import Session, select

from roadside_console.domain.bookings.models import BookingEvent, BookingStatus
from roadside_console.domain.bookings.service import get_booking
from roadside_console.domain.core.errors import Conflict
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch import expiry, service
from roadside_console.domain.dispatch.models import DispatchOffer, OfferStatus
from roadside_console.domain.identity.models import User
from roadside_console.domain.tenants.models import Tenant
from tests.dispatch.support import NOW, confirmed_booking, later, make_world, provider_at
from tests.factories import actor_of

S = BookingStatus
pytestmark = pytest.mark.pg


@contextmanager
def _committed_world(pg_engine):
    with Session(pg_engine, expire_on_commit=False) as session:
        world = make_world(session)
    try:
        yield world
    finally:
        with Session(pg_engine) as session:
            session.delete(session.get(Tenant, world.tenant.id))
            session.commit()


def _uow(pg_engine):
    return UnitOfWork(lambda: Session(pg_engine, expire_on_commit=False))


@pytest.mark.parametrize("same_provider", [False, True])
def test_two_dispatchers_assigning_the_same_booking_at_once_one_wins(pg_engine, same_provider):
    with _committed_world(pg_engine) as world, Session(pg_engine, expire_on_commit=False) as s:
        # given a committed confirmed booking, two providers and two dispatchers
        first = provider_at(s, world.tenant, "First", miles_north=1)
        second = first if same_provider else provider_at(s, world.tenant, "Second", miles_north=2)
        other = actor_of(s.get(User, world.admin.id))
        booking = confirmed_booking(s, world)
        barrier = Barrier(2)

        def assign(actor, provider):
            with _uow(pg_engine) as uow:
                get_booking(uow.session, tenant_id=world.tenant.id, booking_id=booking.id)
                barrier.wait()  # both have read "confirmed" before either writes
                try:
                    service.assign_provider(
                        uow,
                        actor=actor,
                        booking_id=booking.id,
                        provider_id=provider.id,
                        reason="racing",
                        now=NOW,
                    )
                    return "won"
                except Conflict:
                    return "conflict"

        # when both assign at the same moment
        with ThreadPoolExecutor(2) as pool:
            outcomes = sorted(
                pool.map(
                    lambda args: assign(*args),
                    [(actor_of(world.dispatcher), first), (other, second)],
                )
            )
        # then one offer, one transition
        assert outcomes == ["conflict", "won"]
        with Session(pg_engine) as check:
            offers = check.exec(
                select(DispatchOffer).where(DispatchOffer.booking_id == booking.id)
            ).all()
            assert [o.status for o in offers] == [OfferStatus.PENDING]
            events = check.exec(
                select(BookingEvent).where(BookingEvent.booking_id == booking.id)
            ).all()
            assert [e.kind for e in events] == ["provider_assigned"]


def test_offer_expiry_racing_acceptance_has_exactly_one_outcome(pg_engine):
    rounds = 6
    with _committed_world(pg_engine) as world, Session(pg_engine, expire_on_commit=False) as s:
        # given several bookings, each offered to its own provider, a round's offer expiring
        # at start + 60 s (rounds an hour apart, so one round's sweep leaves the next alone)
        cases = []
        for n in range(rounds):
            start = NOW + timedelta(hours=n)
            provider = provider_at(s, world.tenant, f"P{n}", miles_north=1 + n)
            booking = confirmed_booking(s, world)
            with _uow(pg_engine) as uow:
                outcome = service.dispatch_booking(
                    uow, actor=None, booking_id=booking.id, now=start
                )
            assert outcome.provider_id == provider.id
            provider_actor = actor_of(s.get(User, provider.user_id))
            cases.append((start, booking, outcome.offer_id, provider_actor))

        for start, booking, offer_id, provider_actor in cases:
            barrier = Barrier(2)

            def accept(offer_id=offer_id, actor=provider_actor, start=start, barrier=barrier):
                with _uow(pg_engine) as uow:
                    barrier.wait()
                    try:
                        service.accept_offer(
                            uow,
                            actor=actor,
                            offer_id=offer_id,
                            now=start + timedelta(seconds=59.9),
                        )
                        return "accepted"
                    except Conflict as error:
                        return error.code

            def sweep(start=start, barrier=barrier):
                with _uow(pg_engine) as uow:
                    barrier.wait()
                    return expiry.expire_offers(uow, now=start + timedelta(seconds=60)).expired

            # when the provider accepts just in time while the sweep runs just after expiry
            with ThreadPoolExecutor(2) as pool:
                accepted = pool.submit(accept)
                swept = pool.submit(sweep)
                answer, expired = accepted.result(), swept.result()

            # then exactly one of them happened, and the booking agrees with the offer
            with Session(pg_engine) as check:
                offer = check.get(DispatchOffer, offer_id)
                status = check.exec(
                    select(BookingEvent.to_status)
                    .where(BookingEvent.booking_id == booking.id)
                    .order_by(BookingEvent.created_at.desc())
                ).first()
            if answer == "accepted":
                assert (expired, offer.status, status) == (0, OfferStatus.ACCEPTED, S.IN_PROGRESS)
            else:
                assert (answer, expired) == ("offer_expired", 1)
                assert (offer.status, status) == (OfferStatus.EXPIRED, S.CONFIRMED)


def test_two_workers_sweeping_at_once_expire_each_offer_exactly_once(pg_engine):
    with _committed_world(pg_engine) as world, Session(pg_engine, expire_on_commit=False) as s:
        # given 40 bookings with offers that lapsed
        for n in range(4):
            provider_at(s, world.tenant, f"P{n}", miles_north=1 + n)
        bookings = [confirmed_booking(s, world) for _ in range(40)]
        # (four providers, three jobs each at most: twelve get offers, the rest go manual)
        offered = []
        for booking in bookings:
            with _uow(pg_engine) as uow:
                if service.dispatch_booking(
                    uow, actor=None, booking_id=booking.id, now=NOW
                ).offered:
                    offered.append(booking.id)
        assert len(offered) == 12
        barrier = Barrier(2)

        def sweep():
            with _uow(pg_engine) as uow:
                barrier.wait()
                return expiry.expire_offers(uow, now=later(61), limit=7).expired

        # when two workers sweep side by side (batches of 7)
        with ThreadPoolExecutor(2) as pool:
            first, second = pool.submit(sweep), pool.submit(sweep)
            counts = [first.result(), second.result()]
        # then 12 distinct offers were expired in total, each booking returned once
        assert sum(counts) == 12
        with Session(pg_engine) as check:
            events = check.exec(
                select(BookingEvent.booking_id).where(BookingEvent.kind == "offer_expired")
            ).all()
            assert sorted(events) == sorted(offered)


def test_two_bookings_racing_for_a_providers_last_slot_do_not_exceed_the_job_limit(
    pg_engine, monkeypatch
):
    from threading import Event, current_thread

    from roadside_console.domain.dispatch import queries

    with _committed_world(pg_engine) as world, Session(pg_engine, expire_on_commit=False) as s:
        # given the nearest provider has two jobs (one slot left) and another is farther out
        near = provider_at(s, world.tenant, "Near", miles_north=1)
        far = provider_at(s, world.tenant, "Far", miles_north=15)
        for _ in range(2):
            confirmed_booking(s, world, status=S.IN_PROGRESS, provider_id=near.id)
        first, second = confirmed_booking(s, world), confirmed_booking(s, world)
        # the second dispatch reads its candidates, then waits until the first has committed
        second_read, first_committed = Event(), Event()
        read = queries.find_candidates

        def slow_read(*args, **kwargs):
            found = read(*args, **kwargs)
            if current_thread().name.startswith("second"):
                second_read.set()
                assert first_committed.wait(10)
            return found

        monkeypatch.setattr(queries, "find_candidates", slow_read)

        def dispatch(booking):
            with _uow(pg_engine) as uow:
                return service.dispatch_booking(uow, actor=None, booking_id=booking.id, now=NOW)

        # when both are dispatched at once
        with ThreadPoolExecutor(1, thread_name_prefix="second") as pool:
            later_one = pool.submit(dispatch, second)
            assert second_read.wait(10)  # it saw Near with a free slot
            earlier_one = dispatch(first)
            first_committed.set()
            late = later_one.result()
        # then Near took one job and the other went to Far, saying why
        assert (earlier_one.provider_id, late.provider_id) == (near.id, far.id)
        assert "reached the job limit a moment ago" in late.reason
