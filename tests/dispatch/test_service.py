import uuid
from datetime import date, timedelta

import pytest
from sqlmodel import select

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.bookings.models import BookingEvent, BookingStatus
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import (
    Conflict,
    Forbidden,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from roadside_console.domain.dispatch import expiry, service
from roadside_console.domain.dispatch import settings as dispatch_settings
from roadside_console.domain.dispatch.models import DispatchAlgorithm, OfferStatus
from roadside_console.domain.dispatch.schemas import DispatchSettingsUpdate
from roadside_console.domain.notifications.models import Channel, OutboxMessage
from roadside_console.domain.payouts.models import ProviderPayout
from roadside_console.domain.providers.models import CredentialKind
from roadside_console.domain.tenants.service import get_tenant_settings
from tests.dispatch.support import (
    NOW,
    confirmed_booking,
    credential,
    later,
    logs_of,
    make_world,
    offers_of,
    provider_at,
    reload,
)
from tests.factories import actor_of, make_booking, make_tenant, make_user

S = BookingStatus


def _dispatch(uow_factory, booking, *, actor=None, now=NOW):
    with uow_factory() as uow:
        return service.dispatch_booking(uow, actor=actor, booking_id=booking.id, now=now)


def _provider_actor(session, provider):
    from roadside_console.domain.identity.models import User

    return actor_of(session.get(User, provider.user_id))


# --- the first offer ------------------------------------------------------------------------


def test_the_best_provider_gets_an_offer_that_expires_after_60_seconds(session, uow_factory):
    # given a near and a far provider
    world = make_world(session)
    near = provider_at(session, world.tenant, "Near", miles_north=2)
    provider_at(session, world.tenant, "Far", miles_north=20)
    booking = confirmed_booking(session, world)
    # when the system dispatches it
    outcome = _dispatch(uow_factory, booking)
    # then the near one has a pending offer for 60 s and the booking is dispatched to them
    assert (outcome.offered, outcome.provider_id, outcome.attempt) == (True, near.id, 1)
    [offer] = offers_of(session, booking)
    assert (offer.provider_id, offer.status, offer.attempt) == (near.id, OfferStatus.PENDING, 1)
    assert offer.expires_at == later(60)
    booking = reload(session, booking)
    assert (booking.status, booking.provider_id, booking.dispatch_attempts) == (
        S.DISPATCHED,
        near.id,
        1,
    )
    event = session.exec(select(BookingEvent).where(BookingEvent.booking_id == booking.id)).one()
    assert (event.kind, event.from_status, event.to_status) == (
        "offer_made",
        S.CONFIRMED,
        S.DISPATCHED,
    )
    push = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.tenant_id == world.tenant.id, OutboxMessage.channel == Channel.PUSH
        )
    ).one()
    assert push.recipient == str(near.user_id) and "60 seconds" in push.body


def test_every_candidate_is_logged_with_distance_eta_subscores_score_and_a_reason(
    session, uow_factory
):
    # given two providers, one with two jobs on and a week's earnings
    world = make_world(session)
    near = provider_at(session, world.tenant, "Near", miles_north=2)
    far = provider_at(
        session, world.tenant, "Far", miles_north=10, rating_total=45, review_count=10
    )
    for _ in range(2):
        make_booking(session, world.tenant, status=S.IN_PROGRESS, provider_id=near.id)
    session.add(
        ProviderPayout(
            tenant_id=world.tenant.id,
            provider_id=far.id,
            amount_cents=30_000,
            created_at=NOW - timedelta(days=2),
        )
    )
    session.add(  # older than a week: does not count
        ProviderPayout(
            tenant_id=world.tenant.id,
            provider_id=far.id,
            amount_cents=99_000,
            created_at=NOW - timedelta(days=8),
        )
    )
    session.commit()
    booking = confirmed_booking(session, world)
    # when
    outcome = _dispatch(uow_factory, booking)
    with uow_factory() as uow:
        [view] = service.explain_dispatch(
            uow, actor=actor_of(world.dispatcher), booking_id=booking.id
        )
    # then both are explained; workload and fairness came from the database
    by_name = {c.name: c for c in view.candidates}
    assert set(by_name) == {"Near", "Far"}
    assert (by_name["Near"].active_jobs, by_name["Near"].weekly_earnings_cents) == (2, 0)
    assert (by_name["Far"].active_jobs, by_name["Far"].weekly_earnings_cents) == (0, 30_000)
    assert by_name["Near"].distance_miles == pytest.approx(2.0, abs=0.01)
    assert by_name["Near"].eta_minutes == 3
    assert by_name["Far"].eta_minutes == 17
    # median of 0 and 30000 is 15000: Near 100 − 0 = 100, Far 100 − 2×50 = 0
    assert by_name["Near"].subscores["fairness"] == 100.0
    assert by_name["Far"].subscores["fairness"] == 0.0
    assert by_name["Near"].subscores["workload"] == 33.33
    assert by_name["Far"].subscores["rating"] == 90.0
    assert [c.rank for c in view.candidates] == [1, 2]
    # Near: .4×97.5 + .2×60 + .2×50 + .1×33.33 + .1×100 = 74.33
    # Far:  .4×85.83 + .2×90 + .2×50 + .1×100 + .1×0 = 72.33
    winner = view.candidates[0]
    assert (winner.name, winner.score, view.candidates[1].score) == ("Near", 74.33, 72.33)
    assert view.provider_id == uuid.UUID(winner.provider_id) == outcome.provider_id == near.id
    assert (view.algorithm, view.attempt, view.offer_status, view.actor_name) == (
        "auto",
        1,
        "pending",
        "System",
    )
    assert view.reason.startswith(f"Attempt 1: {winner.name} scored {winner.score:.2f}")
    assert "within 50 mi" in view.reason
    [log] = logs_of(session, booking)
    assert log.distance_m == pytest.approx(2 * 1609.344, abs=2)


# --- eligibility in the candidate query -----------------------------------------------------


def test_a_provider_with_an_expired_licence_is_not_a_candidate_until_renewed(session, uow_factory):
    # given the nearest provider's licence expired yesterday; another has a valid one
    world = make_world(session)
    lapsed = provider_at(session, world.tenant, "Lapsed", miles_north=1)
    valid = provider_at(session, world.tenant, "Valid", miles_north=5)
    credential(session, lapsed, CredentialKind.DRIVERS_LICENCE, date(2026, 3, 9))
    credential(session, valid, CredentialKind.DRIVERS_LICENCE, date(2027, 1, 1))
    first = confirmed_booking(session, world)
    # when / then the lapsed one is skipped
    assert _dispatch(uow_factory, first).provider_id == valid.id
    # and once the licence is renewed (a newer row) they are back
    credential(session, lapsed, CredentialKind.DRIVERS_LICENCE, date(2028, 3, 9))
    second = confirmed_booking(session, world)
    assert _dispatch(uow_factory, second).provider_id == lapsed.id


def test_a_provider_with_an_expired_insurance_is_not_a_candidate(session, uow_factory):
    world = make_world(session)
    uninsured = provider_at(session, world.tenant, "Uninsured", miles_north=1)
    credential(session, uninsured, CredentialKind.INSURANCE, date(2026, 3, 1))
    insured = provider_at(session, world.tenant, "Insured", miles_north=8)
    booking = confirmed_booking(session, world)
    assert _dispatch(uow_factory, booking).provider_id == insured.id


def test_a_provider_already_on_three_jobs_is_not_a_candidate(session, uow_factory):
    # given the nearest provider has three active jobs
    world = make_world(session)
    busy = provider_at(session, world.tenant, "Busy", miles_north=1)
    for status in (S.DISPATCHED, S.IN_PROGRESS, S.IN_PROGRESS):
        make_booking(session, world.tenant, status=status, provider_id=busy.id)
    free = provider_at(session, world.tenant, "Free", miles_north=9)
    booking = confirmed_booking(session, world)
    # when / then
    assert _dispatch(uow_factory, booking).provider_id == free.id


def test_unavailable_inactive_and_other_trade_providers_are_not_candidates(session, uow_factory):
    from roadside_console.domain.providers.models import ProviderStatus

    world = make_world(session)
    provider_at(session, world.tenant, "Off duty", miles_north=1, is_available=False)
    provider_at(session, world.tenant, "Suspended", miles_north=1, status=ProviderStatus.INACTIVE)
    provider_at(session, world.tenant, "Mechanic", miles_north=1, specialties=["diagnostics"])
    ok = provider_at(session, world.tenant, "On duty", miles_north=30)
    booking = confirmed_booking(session, world)
    assert _dispatch(uow_factory, booking).provider_id == ok.id


def test_a_specialist_listing_the_service_itself_is_eligible_and_scores_higher(
    session, uow_factory
):
    world = make_world(session)
    generalist = provider_at(session, world.tenant, "Generalist", miles_north=3)
    specialist = provider_at(
        session, world.tenant, "Specialist", miles_north=3.2, specialties=[world.service.slug]
    )
    booking = confirmed_booking(session, world)
    outcome = _dispatch(uow_factory, booking)
    [log] = logs_of(session, booking)
    subscores = {c["name"]: c["subscores"]["specialty"] for c in log.candidates}
    assert subscores == {"Generalist": 50.0, "Specialist": 100.0}
    assert outcome.provider_id == specialist.id != generalist.id


def test_with_nobody_within_50_miles_the_search_expands_once_to_100(session, uow_factory):
    # given the only provider is 70 miles away
    world = make_world(session)
    distant = provider_at(session, world.tenant, "Distant", miles_north=70)
    booking = confirmed_booking(session, world)
    # when
    outcome = _dispatch(uow_factory, booking)
    # then they get the offer, and the log says the search was widened
    assert outcome.provider_id == distant.id
    assert "within 100 mi (expanded from 50 mi" in logs_of(session, booking)[0].reason


def test_a_provider_beyond_100_miles_is_never_offered_and_the_booking_needs_a_dispatcher(
    session, uow_factory
):
    world = make_world(session)
    provider_at(session, world.tenant, "Too far", miles_north=105)
    booking = confirmed_booking(session, world)
    outcome = _dispatch(uow_factory, booking)
    assert (outcome.offered, outcome.needs_manual_dispatch) == (False, True)
    assert "within 100 mi (expanded from 50 mi)" in outcome.reason
    assert reload(session, booking).needs_manual_dispatch is True


def test_a_fresh_live_location_counts_and_a_stale_one_falls_back_to_home(session, uow_factory):
    # given two providers based 40 miles out; one is parked next to the booking right now
    world = make_world(session)
    here_now = provider_at(
        session,
        world.tenant,
        "Here now",
        miles_north=40,
        current_lat=33.7630,
        current_lng=-84.3930,
        location_updated_at=NOW - timedelta(seconds=60),
    )
    provider_at(
        session,
        world.tenant,
        "Was here",
        miles_north=40,
        current_lat=33.7630,
        current_lng=-84.3930,
        location_updated_at=NOW - timedelta(seconds=600),
    )
    booking = confirmed_booking(session, world)
    # when
    outcome = _dispatch(uow_factory, booking)
    # then
    assert outcome.provider_id == here_now.id
    locations = {c["name"]: c["location"] for c in logs_of(session, booking)[0].candidates}
    assert locations == {"Here now": "current", "Was here": "home"}


def test_a_provider_of_another_tenant_is_never_a_candidate(session, uow_factory):
    # given the only nearby provider works for another operator
    world = make_world(session)
    other = make_tenant(session)
    provider_at(session, other, "Competitor", miles_north=0.5)
    booking = confirmed_booking(session, world)
    # when
    outcome = _dispatch(uow_factory, booking)
    # then
    assert outcome.offered is False
    assert offers_of(session, booking) == []


# --- cascades -------------------------------------------------------------------------------


def test_the_first_offer_expires_after_60_seconds_and_the_job_cascades(
    session, uow_factory, caplog
):
    # given a booking offered to the nearest of two providers
    world = make_world(session)
    first = provider_at(session, world.tenant, "First", miles_north=1)
    second = provider_at(session, world.tenant, "Second", miles_north=6)
    booking = confirmed_booking(session, world)
    _dispatch(uow_factory, booking)
    # when the worker runs at 59 s, then at 60 s
    with caplog.at_level("INFO", logger=expiry.__name__):
        early = expiry.run_offer_expiry(uow_factory, later(59))
        quiet = [r for r in caplog.records if r.getMessage() == "offers expired"]
        report = expiry.run_offer_expiry(uow_factory, later(60))
    # then nothing happened early; at 60 s the offer expired and the second provider has one
    assert (early.expired, early.redispatched) == (0, 0)
    assert (report.expired, report.redispatched, report.sent_to_manual) == (1, 1, 0)
    # and only the run that did something told the operator's log
    [news] = [r for r in caplog.records if r.getMessage() == "offers expired"]
    assert quiet == [] and (news.expired, news.redispatched) == (1, 1)
    offers = offers_of(session, booking)
    assert [(o.provider_id, o.status, o.attempt) for o in offers] == [
        (first.id, OfferStatus.EXPIRED, 1),
        (second.id, OfferStatus.PENDING, 2),
    ]
    assert offers[1].expires_at == later(120)
    booking = reload(session, booking)
    assert (booking.status, booking.provider_id, booking.dispatch_attempts) == (
        S.DISPATCHED,
        second.id,
        2,
    )
    kinds = session.exec(
        select(BookingEvent.kind, BookingEvent.to_status)
        .where(BookingEvent.booking_id == booking.id)
        .order_by(BookingEvent.created_at, BookingEvent.kind.desc())
    ).all()
    assert ("offer_expired", S.CONFIRMED) in kinds and kinds.count(
        ("offer_made", S.DISPATCHED)
    ) == 2


def test_after_three_unanswered_offers_the_booking_needs_manual_dispatch_and_alerts(
    session, uow_factory
):
    # given four eligible providers and the default three attempts
    world = make_world(session)
    providers = [provider_at(session, world.tenant, f"P{n}", miles_north=n) for n in range(1, 5)]
    booking = confirmed_booking(session, world)
    _dispatch(uow_factory, booking)
    # when three offers lapse one after another
    for n in (1, 2, 3):
        expiry.run_offer_expiry(uow_factory, later(60 * n))
    # then the fourth provider was never asked; the booking waits for a dispatcher
    offers = offers_of(session, booking)
    assert [o.provider_id for o in offers] == [p.id for p in providers[:3]]
    assert all(o.status is OfferStatus.EXPIRED for o in offers)
    booking = reload(session, booking)
    assert (booking.status, booking.needs_manual_dispatch, booking.provider_id) == (
        S.CONFIRMED,
        True,
        None,
    )
    with uow_factory() as uow:
        queue = service.manual_dispatch_queue(uow, actor=actor_of(world.dispatcher))
    assert [row.booking_id for row in queue] == [booking.id]
    assert queue[0].attempts == 3 and "3 offers were declined or expired" in queue[0].reason
    alerts = session.exec(
        select(OutboxMessage).where(OutboxMessage.topic == "dispatch.manual_needed")
    ).all()
    assert [(a.channel, a.recipient) for a in alerts] == [(Channel.EMAIL, world.dispatcher.email)]
    # and another sweep neither re-offers nor alerts again
    report = expiry.run_offer_expiry(uow_factory, later(400))
    assert (report.expired, report.redispatched, report.sent_to_manual) == (0, 0, 0)


def test_a_rejection_cascades_to_the_next_candidate_excluding_everyone_already_offered(
    session, uow_factory
):
    # given three providers; the first let an offer lapse, the second has the job now
    world = make_world(session)
    a, b, c = (
        provider_at(session, world.tenant, n, miles_north=m)
        for n, m in (("A", 1), ("B", 2), ("C", 3))
    )
    booking = confirmed_booking(session, world)
    _dispatch(uow_factory, booking)
    expiry.run_offer_expiry(uow_factory, later(60))
    offer_b = offers_of(session, booking)[1]
    assert offer_b.provider_id == b.id
    # when B rejects
    with uow_factory() as uow:
        result = service.reject_offer(
            uow,
            actor=_provider_actor(session, b),
            offer_id=offer_b.id,
            reason="Truck down",
            now=later(70),
        )
    # then C (not A again) has the job, in the same transaction
    assert result.status == "rejected" and result.next_dispatch.provider_id == c.id
    offers = offers_of(session, booking)
    assert [(o.provider_id, o.status) for o in offers] == [
        (a.id, OfferStatus.EXPIRED),
        (b.id, OfferStatus.REJECTED),
        (c.id, OfferStatus.PENDING),
    ]
    assert reload(session, booking).provider_id == c.id
    last_log = logs_of(session, booking)[-1]
    assert {cand["name"] for cand in last_log.candidates} == {"C"}


def test_the_last_rejection_sends_the_booking_to_the_manual_queue(session, uow_factory):
    world = make_world(session)
    only = provider_at(session, world.tenant, "Only", miles_north=1)
    booking = confirmed_booking(session, world)
    _dispatch(uow_factory, booking)
    [offer] = offers_of(session, booking)
    with uow_factory() as uow:
        result = service.reject_offer(
            uow, actor=_provider_actor(session, only), offer_id=offer.id, now=later(5)
        )
    assert result.next_dispatch.offered is False
    assert reload(session, booking).needs_manual_dispatch is True


# --- answering offers -----------------------------------------------------------------------


def test_accepting_an_offer_in_time_starts_the_job(session, uow_factory):
    world = make_world(session)
    provider = provider_at(session, world.tenant, "Quick", miles_north=1)
    booking = confirmed_booking(session, world)
    outcome = _dispatch(uow_factory, booking)
    with uow_factory() as uow:
        result = service.accept_offer(
            uow, actor=_provider_actor(session, provider), offer_id=outcome.offer_id, now=later(59)
        )
    assert result.status == "accepted"
    assert reload(session, booking).status is S.IN_PROGRESS
    [offer] = offers_of(session, booking)
    assert (offer.status, offer.responded_at) == (OfferStatus.ACCEPTED, later(59))


def test_an_offer_cannot_be_accepted_once_it_has_lapsed(session, uow_factory):
    world = make_world(session)
    provider = provider_at(session, world.tenant, "Slow", miles_north=1)
    booking = confirmed_booking(session, world)
    outcome = _dispatch(uow_factory, booking)
    with uow_factory() as uow, pytest.raises(Conflict) as caught:
        service.accept_offer(
            uow, actor=_provider_actor(session, provider), offer_id=outcome.offer_id, now=later(60)
        )
    assert caught.value.code == "offer_expired"
    assert reload(session, booking).status is S.DISPATCHED


def test_a_provider_cannot_answer_another_providers_offer(session, uow_factory):
    world = make_world(session)
    provider_at(session, world.tenant, "Offered", miles_north=1)
    other = provider_at(session, world.tenant, "Nosy", miles_north=80)
    booking = confirmed_booking(session, world)
    outcome = _dispatch(uow_factory, booking)
    with uow_factory() as uow, pytest.raises(NotFound):
        service.accept_offer(
            uow, actor=_provider_actor(session, other), offer_id=outcome.offer_id, now=later(1)
        )


def test_only_a_confirmed_booking_is_dispatched_and_staff_need_the_dispatch_permission(
    session, uow_factory
):
    world = make_world(session)
    provider_at(session, world.tenant, "Ready", miles_north=1)
    pending = make_booking(session, world.tenant, service=world.service)
    finance = make_user(session, world.tenant, role=Role.FINANCE)
    with pytest.raises(InvalidTransition):
        _dispatch(uow_factory, pending, actor=actor_of(world.dispatcher))
    with pytest.raises(Forbidden):
        _dispatch(uow_factory, confirmed_booking(session, world), actor=actor_of(finance))


def test_a_dispatcher_cannot_dispatch_another_tenants_booking(session, uow_factory):
    world = make_world(session)
    theirs = confirmed_booking(session, make_world(session))
    with pytest.raises(NotFound):
        _dispatch(uow_factory, theirs, actor=actor_of(world.dispatcher))


# --- manual assignment ----------------------------------------------------------------------


def test_a_dispatcher_assigns_an_eligible_provider_with_a_reason(session, uow_factory):
    # given a booking in the manual queue
    world = make_world(session)
    booking = confirmed_booking(session, world, needs_manual_dispatch=True, dispatch_attempts=3)
    chosen = provider_at(session, world.tenant, "Chosen", miles_north=60)
    # when
    with uow_factory() as uow:
        outcome = service.assign_provider(
            uow,
            actor=actor_of(world.dispatcher),
            booking_id=booking.id,
            provider_id=chosen.id,
            reason="Customer asked for Chosen",
            now=NOW,
        )
    # then an offer, a manual log and an audit entry
    assert outcome.provider_id == chosen.id and outcome.expires_at == later(60)
    booking = reload(session, booking)
    assert (booking.status, booking.needs_manual_dispatch) == (S.DISPATCHED, False)
    [log] = logs_of(session, booking)
    assert (log.algorithm, log.eligibility_overridden, log.actor_id) == (
        DispatchAlgorithm.MANUAL,
        False,
        world.dispatcher.id,
    )
    assert "Customer asked for Chosen" in log.reason and log.candidates[0]["eligible"] is True
    audit = session.exec(select(AuditEntry).where(AuditEntry.target_id == str(booking.id))).one()
    assert audit.action == "booking.dispatched"


def test_assigning_an_ineligible_provider_needs_an_override(session, uow_factory):
    # given a provider whose insurance lapsed
    world = make_world(session)
    booking = confirmed_booking(session, world)
    lapsed = provider_at(session, world.tenant, "Lapsed", miles_north=2)
    credential(session, lapsed, CredentialKind.INSURANCE, date(2026, 2, 28))
    dispatcher = actor_of(world.dispatcher)

    def assign(**kwargs):
        with uow_factory() as uow:
            return service.assign_provider(
                uow,
                actor=dispatcher,
                booking_id=booking.id,
                provider_id=lapsed.id,
                now=NOW,
                **kwargs,
            )

    # when assigning without the override, then it is refused with the reason
    with pytest.raises(ValidationFailed) as caught:
        assign(reason="Nobody else")
    assert caught.value.code == "provider_ineligible" and caught.value.field == "provider_id"
    assert "insurance expired on 2026-02-28" in caught.value.message
    assert reload(session, booking).status is S.CONFIRMED
    # and without a reason it is refused too
    with pytest.raises(ValidationFailed) as caught:
        assign(reason="  ", override_eligibility=True)
    assert caught.value.field == "reason"
    # when overriding with a reason, then it is done and the log says so
    outcome = assign(reason="Policy renewed, paperwork on the way", override_eligibility=True)
    assert outcome.provider_id == lapsed.id
    [log] = logs_of(session, booking)
    assert log.eligibility_overridden is True
    assert "eligibility overridden: insurance expired on 2026-02-28" in log.reason
    assert log.candidates[0]["eligible"] is False


def test_reassigning_withdraws_the_previous_offer(session, uow_factory):
    # given a booking offered to A
    world = make_world(session)
    a = provider_at(session, world.tenant, "A", miles_north=1)
    b = provider_at(session, world.tenant, "B", miles_north=20)
    booking = confirmed_booking(session, world)
    _dispatch(uow_factory, booking)
    # when a dispatcher moves it to B
    with uow_factory() as uow:
        service.assign_provider(
            uow,
            actor=actor_of(world.dispatcher),
            booking_id=booking.id,
            provider_id=b.id,
            reason="B is already on the highway",
            now=later(10),
        )
    # then A's offer is withdrawn and A can no longer accept it
    offers = offers_of(session, booking)
    assert [(o.provider_id, o.status) for o in offers] == [
        (a.id, OfferStatus.WITHDRAWN),
        (b.id, OfferStatus.PENDING),
    ]
    with uow_factory() as uow, pytest.raises(Conflict) as caught:
        service.accept_offer(
            uow, actor=_provider_actor(session, a), offer_id=offers[0].id, now=later(11)
        )
    assert caught.value.code == "offer_closed"
    booking = reload(session, booking)
    assert (booking.status, booking.provider_id) == (S.DISPATCHED, b.id)
    kinds = session.exec(
        select(BookingEvent.kind).where(BookingEvent.booking_id == booking.id)
    ).all()
    assert sorted(kinds) == ["offer_made", "provider_assigned", "provider_unassigned"]


def test_a_provider_offered_before_can_be_chosen_again_by_hand(session, uow_factory):
    # given A let the offer lapse and the booking is back in the queue with nobody else around
    world = make_world(session)
    a = provider_at(session, world.tenant, "A", miles_north=1)
    booking = confirmed_booking(session, world)
    _dispatch(uow_factory, booking)
    expiry.run_offer_expiry(uow_factory, later(60))
    assert reload(session, booking).needs_manual_dispatch is True
    # when the dispatcher calls A and assigns them again
    with uow_factory() as uow:
        outcome = service.assign_provider(
            uow,
            actor=actor_of(world.dispatcher),
            booking_id=booking.id,
            provider_id=a.id,
            reason="Phoned A, they missed the push",
            now=later(120),
        )
    # then the same offer row is reopened for another 60 s
    [offer] = offers_of(session, booking)
    assert (offer.id, offer.status, offer.expires_at) == (
        outcome.offer_id,
        OfferStatus.PENDING,
        later(180),
    )


def test_assigning_a_provider_of_another_tenant_is_not_found(session, uow_factory):
    world = make_world(session)
    booking = confirmed_booking(session, world)
    foreign = provider_at(session, make_tenant(session), "Foreign", miles_north=1)
    with uow_factory() as uow, pytest.raises(NotFound):
        service.assign_provider(
            uow,
            actor=actor_of(world.dispatcher),
            booking_id=booking.id,
            provider_id=foreign.id,
            reason="try",
            override_eligibility=True,
            now=NOW,
        )


# --- settings -------------------------------------------------------------------------------


def test_an_admin_changes_dispatch_settings_and_the_change_is_audited(session, uow_factory):
    world = make_world(session)
    weights = {"eta": 5000, "rating": 2000, "specialty": 1000, "workload": 1000, "fairness": 1000}
    with uow_factory() as uow:
        view = dispatch_settings.update_dispatch_settings(
            uow,
            actor=actor_of(world.admin),
            data=DispatchSettingsUpdate(offer_timeout_seconds=90, weights=weights),
        )
    assert (view.offer_timeout_seconds, view.weights) == (90, weights)
    settings = get_tenant_settings(session, world.tenant.id)
    assert (settings.offer_timeout_seconds, settings.dispatch_weights) == (90, weights)
    audit = session.exec(
        select(AuditEntry).where(AuditEntry.action == "dispatch.settings_changed")
    ).one()
    assert audit.changes["offer_timeout_seconds"] == {"from": 60, "to": 90}
    assert audit.actor_id == world.admin.id


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (DispatchSettingsUpdate(max_attempts=0), "max_attempts"),
        (DispatchSettingsUpdate(offer_timeout_seconds=-60), "offer_timeout_seconds"),
        (DispatchSettingsUpdate(radius_miles=0), "radius_miles"),
        (DispatchSettingsUpdate(max_concurrent_jobs=0), "max_concurrent_jobs"),
        (
            DispatchSettingsUpdate(
                b2b_weights={
                    "eta": 0,
                    "rating": 2000,
                    "specialty": 6000,
                    "workload": 1000,
                    "fairness": 1000,
                }
            ),
            "b2b_weights.eta",
        ),
    ],
)
def test_a_zero_or_negative_dispatch_setting_is_refused_and_nothing_changes(
    session, uow_factory, data, field
):
    world = make_world(session)
    with uow_factory() as uow, pytest.raises(ValidationFailed) as caught:
        dispatch_settings.update_dispatch_settings(uow, actor=actor_of(world.admin), data=data)
    assert caught.value.field == field
    session.expire_all()
    settings = get_tenant_settings(session, world.tenant.id)
    assert (settings.max_dispatch_attempts, settings.offer_timeout_seconds) == (3, 60)


def test_a_dispatcher_may_not_change_dispatch_settings(session, uow_factory):
    world = make_world(session)
    with uow_factory() as uow, pytest.raises(Forbidden):
        dispatch_settings.update_dispatch_settings(
            uow, actor=actor_of(world.dispatcher), data=DispatchSettingsUpdate(max_attempts=5)
        )


def test_a_longer_offer_timeout_applies_to_the_next_offer(session, uow_factory):
    world = make_world(session)
    provider_at(session, world.tenant, "Any", miles_north=1)
    with uow_factory() as uow:
        dispatch_settings.update_dispatch_settings(
            uow, actor=actor_of(world.admin), data=DispatchSettingsUpdate(offer_timeout_seconds=90)
        )
    booking = confirmed_booking(session, world)
    assert _dispatch(uow_factory, booking).expires_at == later(90)


def test_the_manual_queue_and_the_explanation_are_for_staff_of_the_same_tenant(
    session, uow_factory
):
    world = make_world(session)
    finance = make_user(session, world.tenant, role=Role.FINANCE)
    provider = provider_at(session, world.tenant, "Any", miles_north=1)
    booking = confirmed_booking(session, world)
    _dispatch(uow_factory, booking)
    stranger = make_world(session).dispatcher
    with uow_factory() as uow, pytest.raises(Forbidden):
        service.manual_dispatch_queue(uow, actor=actor_of(finance))
    with uow_factory() as uow, pytest.raises(Forbidden):
        service.explain_dispatch(
            uow, actor=_provider_actor(session, provider), booking_id=booking.id
        )
    with uow_factory() as uow, pytest.raises(NotFound):
        service.explain_dispatch(uow, actor=actor_of(stranger), booking_id=booking.id)
    with uow_factory() as uow:
        assert (
            len(service.explain_dispatch(uow, actor=actor_of(finance), booking_id=booking.id)) == 1
        )
