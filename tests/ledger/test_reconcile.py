import uuid

import pytest
from sqlmodel import select

from roadside_console.domain.ledger import service as ledger
from roadside_console.domain.ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction
from roadside_console.domain.payouts.models import ProviderPayout
from tests.payments.support import make_world


def test_posting_an_unbalanced_transaction_is_refused(session):
    world = make_world(session)
    with pytest.raises(ledger.UnbalancedTransaction):
        ledger.post(
            session,
            tenant_id=world.tenant.id,
            kind="oops",
            lines=[(ledger.PLATFORM_REVENUE, -100), (ledger.CUSTOMER_RECEIVABLE, 99)],
        )


def test_reconcile_reports_each_broken_invariant(session):
    # given a payout row without ledger entries and an entry that breaks a transaction
    world = make_world(session)
    session.add(
        ProviderPayout(
            tenant_id=world.tenant.id,
            provider_id=world.provider.id,
            amount_cents=700,
            gross_cents=1000,
            platform_fee_cents=300,
        )
    )
    txn = ledger.post(
        session,
        tenant_id=world.tenant.id,
        kind="test",
        lines=[(ledger.CUSTOMER_RECEIVABLE, 50), (ledger.PLATFORM_REVENUE, -50)],
    )
    account = session.exec(
        select(LedgerAccount).where(
            LedgerAccount.tenant_id == world.tenant.id,
            LedgerAccount.code == ledger.CUSTOMER_RECEIVABLE,
        )
    ).one()
    session.add(
        LedgerEntry(
            tenant_id=world.tenant.id, transaction_id=txn.id, account_id=account.id, amount_cents=1
        )
    )
    session.flush()
    # when
    report = world.report(session)
    # then
    checks = sorted(d.check for d in report.differences)
    assert checks == ["platform_revenue", "provider_payable", "transaction_balanced"]
    payable = next(d for d in report.differences if d.check == "provider_payable")
    assert (payable.subject, payable.expected_cents, payable.actual_cents) == (
        str(world.provider.id),
        700,
        0,
    )


def test_credit_seams_keep_the_liability_equal_to_issued_minus_spent(session):
    from roadside_console.domain.referrals.models import CreditEntry, CreditReason

    world = make_world(session)
    session.add(
        CreditEntry(
            tenant_id=world.tenant.id,
            user_id=world.customer.id,
            amount_cents=1000,
            reason=CreditReason.REFERRAL_REWARD,
        )
    )
    ledger.post_credit_issued(session, tenant_id=world.tenant.id, amount_cents=1000)
    assert world.report(session).reconciled
    session.add(
        CreditEntry(
            tenant_id=world.tenant.id,
            user_id=world.customer.id,
            amount_cents=-400,
            reason=CreditReason.SPENT,
        )
    )
    session.flush()
    assert [d.check for d in world.report(session).differences] == ["credit_liability"]
    ledger.post_credit_spent(session, tenant_id=world.tenant.id, amount_cents=400)
    assert world.report(session).reconciled
    assert uuid.UUID(str(world.tenant.id))
    assert session.exec(select(LedgerTransaction)).first()
