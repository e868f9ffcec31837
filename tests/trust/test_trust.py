from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session, select

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden, ValidationFailed
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.models import User
from roadside_console.domain.payments import service as payments
from roadside_console.domain.payments.models import Payment, PaymentMethod, PaymentStatus
from roadside_console.domain.trust import service
from roadside_console.domain.trust.rules import tier_after_clean_payment, tier_after_dispute
from tests.factories import actor_of, make_booking, make_tenant, make_user

M = PaymentMethod


def _pending_payment(session, tenant, customer):
    booking = make_booking(session, tenant, customer=customer)
    payment = Payment(
        tenant_id=tenant.id,
        booking_id=booking.id,
        customer_id=customer.id,
        method=M.CASH,
        status=PaymentStatus.PENDING,
        amount_cents=10000,
    )
    session.add(payment)
    session.commit()
    return payment


def _confirm(uow, finance, payment) -> None:
    payments.confirm_payment(uow, actor=actor_of(finance), payment_id=payment.id)


def _user(session, user):
    session.expire_all()
    return session.get(User, user.id)


def test_a_new_customer_may_pay_cash_cashapp_or_zelle_but_not_by_card(session):
    tenant = make_tenant(session)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    assert service.allowed_payment_methods(customer) == [M.CASH, M.CASHAPP, M.ZELLE]


def test_three_clean_payments_earn_card_payments(session, uow_factory):
    # given a new customer and the default threshold of 3
    tenant = make_tenant(session)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    finance = make_user(session, tenant, role=Role.FINANCE)
    # when three of their cash payments are confirmed
    for _ in range(3):
        with uow_factory() as uow:
            _confirm(uow, finance, _pending_payment(session, tenant, customer))
    # then the customer is tier 2 and may pay by card, and the promotion is audited
    customer = _user(session, customer)
    assert (customer.trust_tier, customer.clean_payment_count) == (2, 3)
    assert M.STRIPE in service.allowed_payment_methods(customer)
    audit = session.exec(select(AuditEntry).where(AuditEntry.target_id == str(customer.id))).one()
    assert audit.action == "trust.promoted" and audit.actor_id is None


def test_a_dispute_demotes_one_tier_and_resets_the_clean_count(session):
    tenant = make_tenant(session)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    customer.trust_tier, customer.clean_payment_count = 2, 5
    session.add(customer)
    session.commit()
    service.record_dispute(session, tenant_id=tenant.id, customer_id=customer.id)
    session.commit()
    customer = _user(session, customer)
    assert (customer.trust_tier, customer.clean_payment_count) == (1, 0)


@pytest.mark.parametrize(
    ("tier", "count", "threshold", "expected"),
    [(1, 2, 3, 1), (1, 3, 3, 2), (1, 1, 1, 2), (2, 0, 3, 2)],
)
def test_promotion_rule(tier, count, threshold, expected):
    assert tier_after_clean_payment(tier, count, threshold) == expected


def test_a_dispute_never_goes_below_tier_one():
    assert tier_after_dispute(1) == 1
    assert tier_after_dispute(2) == 1


def test_an_admin_changes_a_tier_only_with_a_reason_and_it_is_audited(session, uow_factory):
    tenant = make_tenant(session)
    admin = make_user(session, tenant, role=Role.ADMIN)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    with uow_factory() as uow, pytest.raises(ValidationFailed) as caught:
        service.set_trust_tier(
            uow, actor=actor_of(admin), customer_id=customer.id, tier=2, reason="  "
        )
    assert caught.value.field == "reason"
    with uow_factory() as uow:
        service.set_trust_tier(
            uow,
            actor=actor_of(admin),
            customer_id=customer.id,
            tier=2,
            reason="Long-standing fleet customer",
        )
    assert _user(session, customer).trust_tier == 2
    audit = session.exec(
        select(AuditEntry).where(
            AuditEntry.action == "trust.changed", AuditEntry.tenant_id == tenant.id
        )
    ).one()
    assert audit.actor_id == admin.id and audit.reason == "Long-standing fleet customer"


def test_dispatchers_cannot_change_trust_tiers(session, uow_factory):
    tenant = make_tenant(session)
    dispatcher = make_user(session, tenant, role=Role.DISPATCHER)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    with uow_factory() as uow, pytest.raises(Forbidden):
        service.set_trust_tier(
            uow, actor=actor_of(dispatcher), customer_id=customer.id, tier=2, reason="please"
        )


@pytest.mark.parametrize("value", [0, 101, -3])
def test_the_promotion_threshold_must_be_between_1_and_100(session, uow_factory, value):
    tenant = make_tenant(session)
    admin = make_user(session, tenant, role=Role.ADMIN)
    with uow_factory() as uow, pytest.raises(ValidationFailed):
        service.set_promotion_threshold(uow, actor=actor_of(admin), clean_payments=value)


def test_two_confirmations_racing_count_a_payment_once_on_postgresql(pg_engine):
    # given a committed customer and pending payment in a real PostgreSQL database
    with Session(pg_engine, expire_on_commit=False) as session:
        tenant = make_tenant(session)
        customer = make_user(session, tenant, role=Role.CUSTOMER)
        finance = make_user(session, tenant, role=Role.FINANCE)
        payment = _pending_payment(session, tenant, customer)

    def confirm() -> bool:
        with UnitOfWork(lambda: Session(pg_engine, expire_on_commit=False)) as uow:
            changed = payments.confirm_payment_in(
                uow.session, actor=actor_of(finance), tenant_id=tenant.id, payment_id=payment.id
            )
            uow.commit()
            return changed

    # when two workers confirm it at the same moment
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: confirm(), range(2)))
    # then exactly one confirmed it, and it counted once
    assert sorted(results) == [False, True]
    with Session(pg_engine) as session:
        assert session.get(User, customer.id).clean_payment_count == 1
        assert session.get(Payment, payment.id).counted_for_trust
        session.delete(session.get(type(tenant), tenant.id))
        session.commit()
