"""Random sequences of money events keep every ledger invariant, on SQLite and PostgreSQL."""

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlmodel import func, select

from roadside_console.domain.bookings import service as bookings
from roadside_console.domain.core.errors import Conflict, ValidationFailed
from roadside_console.domain.payments import service as payments
from roadside_console.domain.payments.models import Payment, PaymentMethod
from roadside_console.domain.payouts.batches import run_payout_batch
from roadside_console.domain.payouts.models import PayoutKind, ProviderPayout
from tests.payments.support import make_world

MANUAL = [PaymentMethod.CASH, PaymentMethod.CASHAPP, PaymentMethod.ZELLE]


class MoneyMachine(RuleBasedStateMachine):
    """Book, pay, confirm, complete, refund and pay out at random; the books always agree."""

    def __init__(self, session, uow_factory):
        super().__init__()
        self.session, self.uow = session, uow_factory
        self.world = make_world(session)
        self.bookings = []
        self.payments = []

    @rule(price=st.integers(1, 50_000), override=st.one_of(st.none(), st.integers(1, 50_000)))
    def book(self, price, override):
        booking = self.world.booking(self.session, price=price, price_override_cents=override)
        self.bookings.append(booking.id)

    @rule(pick=st.integers(0, 99), method=st.sampled_from(MANUAL))
    def pay(self, pick, method):
        if not self.bookings:
            return
        booking = self.bookings[pick % len(self.bookings)]
        try:
            with self.uow() as uow:
                view = payments.record_payment(
                    uow, actor=self.world.finance, booking_id=booking, method=method
                )
        except Conflict:
            return
        self.payments.append(view.payment_id)

    @rule(pick=st.integers(0, 99))
    def confirm(self, pick):
        if self.payments:
            with self.uow() as uow:
                payments.confirm_payment(
                    uow,
                    actor=self.world.finance,
                    payment_id=self.payments[pick % len(self.payments)],
                    reference="REF-1",
                )

    @rule(pick=st.integers(0, 99))
    def complete(self, pick):
        if not self.bookings:
            return
        try:
            with self.uow() as uow:
                bookings.complete_booking(
                    uow,
                    actor=self.world.provider_actor,
                    booking_id=self.bookings[pick % len(self.bookings)],
                )
        except Conflict:
            pass

    @rule(pick=st.integers(0, 99), amount=st.integers(1, 30_000), full=st.booleans())
    def refund(self, pick, amount, full):
        if not self.payments:
            return
        payment_id = self.payments[pick % len(self.payments)]
        payment = self.session.get(Payment, payment_id)
        remaining = payment.amount_cents - payment.refunded_cents
        if full and remaining > 0:
            amount = remaining
        try:
            with self.uow() as uow:
                payments.refund_payment(
                    uow,
                    actor=self.world.finance,
                    payment_id=payment_id,
                    amount_cents=amount,
                    reference="R-1",
                )
        except ValidationFailed as refused:
            assert refused.code in ("refund_exceeds_refundable", "payment_not_refundable")

    @rule()
    def batch(self):
        try:
            with self.uow() as uow:
                run_payout_batch(uow, actor=self.world.finance)
        except ValidationFailed as refused:
            assert refused.code == "nothing_to_pay"

    @invariant()
    def the_books_reconcile(self):
        self.session.expire_all()
        report = self.world.report(self.session)
        assert report.differences == []

    @invariant()
    def each_booking_has_at_most_one_earning(self):
        most = self.session.exec(
            select(func.count())
            .select_from(ProviderPayout)
            .where(
                ProviderPayout.tenant_id == self.world.ids["tenant"],
                ProviderPayout.kind == PayoutKind.EARNING,
            )
            .group_by(ProviderPayout.booking_id)
            .order_by(func.count().desc())
        ).first()
        assert most in (None, 1)


def test_random_money_sequences_keep_every_ledger_invariant(session, uow_factory):
    run_state_machine_as_test(
        lambda: MoneyMachine(session, uow_factory),
        settings=settings(
            max_examples=30,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
