import pytest
from sqlmodel import select

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.bookings import service as bookings
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from roadside_console.domain.identity.models import User
from roadside_console.domain.ledger.models import LedgerEntry
from roadside_console.domain.payments import service as payments
from roadside_console.domain.payments.models import PaymentMethod, PaymentStatus, Refund
from roadside_console.domain.payouts.models import PayoutKind, PayoutStatus, ProviderPayout
from tests.factories import actor_of, make_tenant, make_user
from tests.payments.support import earnings, make_world, payment_of

M = PaymentMethod


def _paid(uow_factory, world, booking, method=M.ZELLE, amount=None):
    with uow_factory() as uow:
        view = payments.record_payment(
            uow, actor=world.finance, booking_id=booking.id, method=method, amount_cents=amount
        )
    with uow_factory() as uow:
        payments.confirm_payment(
            uow, actor=world.finance, payment_id=view.payment_id, reference="Z-1"
        )
    return view.payment_id


def _complete(uow_factory, world, booking):
    with uow_factory() as uow:
        bookings.complete_booking(uow, actor=world.provider_actor, booking_id=booking.id)


@pytest.mark.parametrize("method", [M.CASH, M.CASHAPP, M.ZELLE])
def test_a_manual_payment_is_recorded_then_confirmed_and_posted_to_its_clearing_account(
    session, uow_factory, method
):
    # given
    world = make_world(session)
    booking = world.booking(session)
    # when
    payment_id = _paid(uow_factory, world, booking, method=method)
    # then
    payment = payment_of(session, payment_id)
    assert (
        payment.status is PaymentStatus.CONFIRMED
        and payment.confirmed_by_id == world.finance.user_id
    )
    assert payment.counted_for_trust
    assert world.report(session).reconciled
    assert session.exec(select(LedgerEntry).where(LedgerEntry.booking_id == booking.id)).all()


def test_confirming_twice_changes_nothing_and_counts_once_for_trust(session, uow_factory):
    # given
    world = make_world(session)
    booking = world.booking(session)
    payment_id = _paid(uow_factory, world, booking)
    entries = len(session.exec(select(LedgerEntry)).all())
    # when
    with uow_factory() as uow:
        view = payments.confirm_payment(
            uow, actor=world.finance, payment_id=payment_id, reference="Z-1"
        )
    # then
    assert view.status is PaymentStatus.CONFIRMED
    assert len(session.exec(select(LedgerEntry)).all()) == entries
    session.expire_all()
    assert session.get(User, world.customer.id).clean_payment_count == 1


def test_a_payout_is_created_once_when_the_job_is_completed_then_paid(session, uow_factory):
    # given
    world = make_world(session)
    booking = world.booking(session)
    _complete(uow_factory, world, booking)
    assert earnings(session, booking) == []
    # when
    _paid(uow_factory, world, booking)
    # then
    [earning] = earnings(session, booking)
    assert (earning.amount_cents, earning.platform_fee_cents, earning.status) == (
        7000,
        3000,
        PayoutStatus.PENDING,
    )
    assert world.report(session).reconciled


def test_a_payout_is_created_once_when_the_job_is_paid_then_completed(session, uow_factory):
    # given
    world = make_world(session)
    booking = world.booking(session)
    payment_id = _paid(uow_factory, world, booking)
    assert earnings(session, booking) == []
    # when
    _complete(uow_factory, world, booking)
    with uow_factory() as uow:
        payments.confirm_payment(uow, actor=world.finance, payment_id=payment_id)
    # then
    assert len(earnings(session, booking)) == 1
    assert world.report(session).reconciled


def test_the_admin_price_override_is_the_price_the_provider_is_paid_on(session, uow_factory):
    # given
    world = make_world(session)
    booking = world.booking(session, price_override_cents=8000)
    _paid(uow_factory, world, booking)
    # when
    _complete(uow_factory, world, booking)
    # then
    [earning] = earnings(session, booking)
    assert (earning.gross_cents, earning.amount_cents, earning.platform_fee_cents) == (
        8000,
        5600,
        2400,
    )
    assert world.report(session).reconciled


def test_confirming_a_payment_of_another_tenant_is_not_found(session, uow_factory):
    # given
    world = make_world(session)
    booking = world.booking(session)
    with uow_factory() as uow:
        view = payments.record_payment(
            uow, actor=world.finance, booking_id=booking.id, method=M.CASH
        )
    stranger = actor_of(make_user(session, make_tenant(session), role=Role.FINANCE))
    # when / then
    with uow_factory() as uow, pytest.raises(NotFound):
        payments.confirm_payment(uow, actor=stranger, payment_id=view.payment_id)
    assert payment_of(session, view.payment_id).status is PaymentStatus.PENDING


def test_a_tier_one_customer_asking_for_card_is_refused_naming_the_methods_and_audited(
    session, uow_factory
):
    # given
    world = make_world(session, tier=1)
    booking = world.booking(session)
    # when
    with uow_factory() as uow, pytest.raises(Forbidden) as refused:
        payments.record_payment(
            uow, actor=actor_of(world.customer), booking_id=booking.id, method=M.STRIPE
        )
    # then
    assert refused.value.code == "payment_method_not_allowed"
    assert "cash, CashApp or Zelle" in refused.value.message
    audit = session.exec(
        select(AuditEntry).where(
            AuditEntry.action == "payment.method_refused", AuditEntry.target_id == str(booking.id)
        )
    ).one()
    assert audit.actor_id == world.customer.id


def test_a_tier_two_customer_may_pay_by_card(session, uow_factory):
    world = make_world(session, tier=2)
    booking = world.booking(session)
    with uow_factory() as uow:
        view = payments.record_payment(
            uow, actor=actor_of(world.customer), booking_id=booking.id, method=M.STRIPE
        )
    assert view.status is PaymentStatus.PENDING and view.amount_cents == 10000


@pytest.mark.parametrize("amount", [0, -100])
def test_zero_and_negative_amounts_are_refused(session, uow_factory, amount):
    world = make_world(session)
    booking = world.booking(session)
    with uow_factory() as uow, pytest.raises(ValidationFailed) as refused:
        payments.record_payment(
            uow, actor=world.finance, booking_id=booking.id, method=M.CASH, amount_cents=amount
        )
    assert refused.value.code == "invalid_amount"


def test_a_booking_cannot_get_a_second_open_payment(session, uow_factory):
    world = make_world(session)
    booking = world.booking(session)
    _paid(uow_factory, world, booking)
    with uow_factory() as uow, pytest.raises(Conflict):
        payments.record_payment(uow, actor=world.finance, booking_id=booking.id, method=M.CASH)


def test_a_zelle_confirmation_needs_its_reference(session, uow_factory):
    world = make_world(session)
    booking = world.booking(session)
    with uow_factory() as uow:
        view = payments.record_payment(
            uow, actor=world.finance, booking_id=booking.id, method=M.ZELLE
        )
    with uow_factory() as uow, pytest.raises(ValidationFailed) as refused:
        payments.confirm_payment(uow, actor=world.finance, payment_id=view.payment_id)
    assert refused.value.field == "reference"
    assert payment_of(session, view.payment_id).status is PaymentStatus.PENDING


def test_partial_then_full_refunds_set_the_payment_status_and_reduce_the_pending_payout(
    session, uow_factory
):
    # given a completed, paid $100 job (provider 70 %)
    world = make_world(session)
    booking = world.booking(session)
    payment_id = _paid(uow_factory, world, booking)
    _complete(uow_factory, world, booking)
    # when $33.33 is refunded
    with uow_factory() as uow:
        first = payments.refund_payment(
            uow, actor=world.finance, payment_id=payment_id, amount_cents=3333, reference="R-1"
        )
    # then the pending earning is reduced pro rata, half-up
    assert first.payment_status is PaymentStatus.PARTIALLY_REFUNDED
    assert (first.provider_cents, first.platform_cents) == (2333, 1000)
    [earning] = earnings(session, booking)
    assert (earning.amount_cents, earning.platform_fee_cents) == (4667, 2000)
    assert world.report(session).reconciled
    # when the rest is refunded
    with uow_factory() as uow:
        payments.refund_payment(
            uow, actor=world.finance, payment_id=payment_id, amount_cents=6667, reference="R-2"
        )
    # then everything is taken back exactly
    assert payment_of(session, payment_id).status is PaymentStatus.REFUNDED
    [earning] = earnings(session, booking)
    assert (earning.amount_cents, earning.platform_fee_cents) == (0, 0)
    assert world.report(session).reconciled


def test_a_refund_above_what_remains_is_refused_and_writes_nothing(session, uow_factory):
    # given
    world = make_world(session)
    booking = world.booking(session)
    payment_id = _paid(uow_factory, world, booking)
    with uow_factory() as uow:
        payments.refund_payment(
            uow, actor=world.finance, payment_id=payment_id, amount_cents=6000, reference="R-1"
        )
    # when
    with uow_factory() as uow, pytest.raises(ValidationFailed) as refused:
        payments.refund_payment(
            uow, actor=world.finance, payment_id=payment_id, amount_cents=4001, reference="R-2"
        )
    # then
    assert refused.value.code == "refund_exceeds_refundable"
    assert payment_of(session, payment_id).refunded_cents == 6000
    assert len(session.exec(select(Refund).where(Refund.payment_id == payment_id)).all()) == 1


def test_a_manual_refund_needs_a_reference_and_a_pending_payment_cannot_be_refunded(
    session, uow_factory
):
    world = make_world(session)
    booking = world.booking(session)
    with uow_factory() as uow:
        view = payments.record_payment(
            uow, actor=world.finance, booking_id=booking.id, method=M.CASH
        )
    with uow_factory() as uow, pytest.raises(ValidationFailed) as refused:
        payments.refund_payment(
            uow, actor=world.finance, payment_id=view.payment_id, amount_cents=100, reference="R"
        )
    assert refused.value.code == "payment_not_refundable"
    with uow_factory() as uow:
        payments.confirm_payment(uow, actor=world.finance, payment_id=view.payment_id)
    with uow_factory() as uow, pytest.raises(ValidationFailed) as refused:
        payments.refund_payment(
            uow, actor=world.finance, payment_id=view.payment_id, amount_cents=100
        )
    assert refused.value.code == "reference_required"


def _card_payment_confirmed_by_stripe(uow_factory, world, booking, reference=None):
    """Finance records a card payment for the booking; the webhook path confirms it."""
    with uow_factory() as uow:
        view = payments.record_payment(
            uow, actor=world.finance, booking_id=booking.id, method=M.STRIPE
        )
    with uow_factory() as uow:
        payments.confirm_payment(
            uow,
            actor=None,
            tenant_id=world.tenant.id,
            payment_id=view.payment_id,
            reference=reference,
        )
    return view


def test_a_card_refund_goes_through_the_gateway_with_an_idempotency_key(session, uow_factory):
    # given
    world = make_world(session, tier=2)
    booking = world.booking(session)
    calls = []

    class Gateway:
        def refund(self, *, payment, amount_cents, idempotency_key):
            calls.append((amount_cents, idempotency_key))
            return "re_123"

    view = _card_payment_confirmed_by_stripe(uow_factory, world, booking, reference="ch_1")
    # when
    with uow_factory() as uow:
        refund = payments.refund_payment(
            uow,
            actor=world.finance,
            payment_id=view.payment_id,
            amount_cents=2500,
            gateway=Gateway(),
        )
    # then
    assert calls == [(2500, f"refund-{view.payment_id}-2500")]
    assert refund.reference == "re_123"
    assert world.report(session).reconciled


def test_a_card_refund_without_a_card_gateway_is_refused_and_nothing_moves(session, uow_factory):
    # given a confirmed card payment and no way to reach Stripe (production without a key)
    world = make_world(session, tier=2)
    booking = world.booking(session)
    view = _card_payment_confirmed_by_stripe(uow_factory, world, booking)
    # when finance refunds it
    with uow_factory() as uow, pytest.raises(Conflict) as refused:
        payments.refund_payment(
            uow, actor=world.finance, payment_id=view.payment_id, amount_cents=2500, gateway=None
        )
    # then it is refused with the reason, and no money is recorded as returned
    assert refused.value.code == "card_refunds_unavailable"
    assert "STRIPE_SECRET_KEY" in refused.value.message
    payment = payment_of(session, view.payment_id)
    assert (payment.status, payment.refunded_cents) == (PaymentStatus.CONFIRMED, 0)
    assert session.exec(select(Refund).where(Refund.payment_id == payment.id)).all() == []
    assert world.report(session).reconciled


def test_a_webhook_refund_replayed_is_recorded_once(session, uow_factory):
    world = make_world(session, tier=2)
    booking = world.booking(session)
    view = _card_payment_confirmed_by_stripe(uow_factory, world, booking)
    for _ in range(2):
        with uow_factory() as uow:
            payments.refund_payment(
                uow,
                actor=None,
                tenant_id=world.tenant.id,
                payment_id=view.payment_id,
                amount_cents=1000,
                gateway_refund_id="re_hook",
            )
    assert payment_of(session, view.payment_id).refunded_cents == 1000


def test_a_lost_dispute_refunds_the_rest_and_claws_back_a_paid_payout(session, uow_factory):
    # given a paid card job whose payout was paid in a batch
    from roadside_console.domain.payouts.batches import run_payout_batch

    world = make_world(session, tier=2)
    booking = world.booking(session)
    view = _card_payment_confirmed_by_stripe(uow_factory, world, booking)
    _complete(uow_factory, world, booking)
    with uow_factory() as uow:
        run_payout_batch(uow, actor=world.finance)
    # when a dispute opens and is lost
    with uow_factory() as uow:
        payments.open_dispute(
            uow, actor=None, tenant_id=world.tenant.id, payment_id=view.payment_id
        )
    with uow_factory() as uow:
        closed = payments.close_dispute(
            uow, actor=None, tenant_id=world.tenant.id, payment_id=view.payment_id, won=False
        )
    # then
    assert closed.status is PaymentStatus.REFUNDED
    clawback = session.exec(
        select(ProviderPayout).where(
            ProviderPayout.booking_id == booking.id, ProviderPayout.kind == PayoutKind.CLAWBACK
        )
    ).one()
    assert clawback.amount_cents == -7000 and clawback.status is PayoutStatus.PENDING
    assert session.get(User, world.customer.id).trust_tier == 1
    assert world.report(session).reconciled


def test_a_won_dispute_releases_the_held_payout(session, uow_factory):
    world = make_world(session, tier=2)
    booking = world.booking(session)
    view = _card_payment_confirmed_by_stripe(uow_factory, world, booking)
    _complete(uow_factory, world, booking)
    with uow_factory() as uow:
        payments.open_dispute(
            uow, actor=None, tenant_id=world.tenant.id, payment_id=view.payment_id
        )
    assert earnings(session, booking)[0].status is PayoutStatus.HELD
    with uow_factory() as uow:
        closed = payments.close_dispute(
            uow, actor=None, tenant_id=world.tenant.id, payment_id=view.payment_id, won=True
        )
    assert closed.status is PaymentStatus.CONFIRMED
    assert earnings(session, booking)[0].status is PayoutStatus.PENDING
    assert world.report(session).reconciled
