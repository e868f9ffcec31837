import uuid
from datetime import UTC, datetime, timedelta

import pytest

from roadside_console.domain.payouts.models import CommissionScope
from roadside_console.domain.payouts.rules import (
    JobTerms,
    ProviderTerms,
    RuleTerms,
    refund_shares,
    resolve_commission,
)
from roadside_console.domain.providers.models import CommissionType

SERVICE, PROVIDER, ACCOUNT = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def rule(scope, share=None, flat=None, priority=0, age_days=0, **ids):
    return RuleTerms(
        id=uuid.uuid4(),
        scope=scope,
        created_at=T0 - timedelta(days=age_days),
        provider_share_bp=share,
        flat_fee_cents=flat,
        priority=priority,
        **ids,
    )


G = CommissionScope.GLOBAL
S = rule(CommissionScope.SERVICE, 6000, service_id=SERVICE)
P = rule(CommissionScope.PROVIDER, 8000, provider_id=PROVIDER)
A = rule(CommissionScope.ACCOUNT, 9000, b2b_account_id=ACCOUNT)

CASES = [
    # (description, provider terms, service cut, account, rules, price, provider cents, source)
    (
        "flat fee per job wins over every rule",
        ProviderTerms(PROVIDER, CommissionType.FLAT_PER_JOB, None, 4500),
        2500,
        ACCOUNT,
        [A, P],
        10000,
        4500,
        "flat_fee",
    ),
    (
        "flat fee is capped at the price",
        ProviderTerms(PROVIDER, CommissionType.FLAT_PER_JOB, None, 15000),
        None,
        None,
        [],
        10000,
        10000,
        "flat_fee",
    ),
    (
        "account rule beats provider, service and global",
        ProviderTerms(PROVIDER),
        2500,
        ACCOUNT,
        [rule(G, 5000), S, P, A],
        10000,
        9000,
        "rule",
    ),
    (
        "account rule of another account does not apply",
        ProviderTerms(PROVIDER),
        2500,
        None,
        [A, S],
        10000,
        6000,
        "rule",
    ),
    (
        "provider rule beats service rule",
        ProviderTerms(PROVIDER),
        2500,
        None,
        [S, P],
        10000,
        8000,
        "rule",
    ),
    (
        "higher priority wins within a scope",
        ProviderTerms(PROVIDER),
        None,
        None,
        [rule(G, 5000, priority=1), rule(G, 5500, priority=2)],
        10000,
        5500,
        "rule",
    ),
    (
        "newest wins at equal priority",
        ProviderTerms(PROVIDER),
        None,
        None,
        [rule(G, 5000, age_days=2), rule(G, 5200, age_days=1)],
        10000,
        5200,
        "rule",
    ),
    (
        "a rule's flat fee is capped at the price",
        ProviderTerms(PROVIDER),
        None,
        None,
        [rule(G, flat=20000)],
        12000,
        12000,
        "rule",
    ),
    (
        "service platform cut when no rule matches",
        ProviderTerms(PROVIDER),
        2500,
        None,
        [rule(CommissionScope.SERVICE, 1000, service_id=uuid.uuid4())],
        12345,
        9259,
        "service_cut",
    ),
    (
        "provider's own share last",
        ProviderTerms(PROVIDER, share_bp=7500),
        None,
        None,
        [],
        9999,
        7499,
        "provider_share",
    ),
    (
        "default share is 70 %",
        ProviderTerms(PROVIDER, share_bp=None),
        None,
        None,
        [],
        10001,
        7001,
        "provider_share",
    ),
    ("zero price gives zero", ProviderTerms(PROVIDER), None, None, [], 0, 0, "provider_share"),
]


@pytest.mark.parametrize(
    ("terms", "cut", "account", "rules", "price", "expected", "source"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_commission_resolution_follows_the_documented_order(
    terms, cut, account, rules, price, expected, source
):
    # given
    job = JobTerms(
        price_cents=price,
        service_id=SERVICE,
        service_platform_cut_bp=cut,
        provider=terms,
        b2b_account_id=account,
    )
    # when
    commission = resolve_commission(job, rules)
    # then
    assert (commission.provider_cents, commission.source) == (expected, source)
    assert commission.provider_cents + commission.platform_cents == price
    assert 0 <= commission.provider_cents <= price


def test_inactive_rules_and_rules_without_terms_are_ignored():
    job = JobTerms(
        price_cents=10000,
        service_id=SERVICE,
        service_platform_cut_bp=None,
        provider=ProviderTerms(PROVIDER),
    )
    inactive = RuleTerms(id=uuid.uuid4(), scope=G, created_at=T0, provider_share_bp=1, active=False)
    empty = RuleTerms(id=uuid.uuid4(), scope=G, created_at=T0)
    assert resolve_commission(job, [inactive, empty]).provider_cents == 7000


def test_several_partial_refunds_take_back_exactly_the_shares_of_the_whole():
    # given a $100 job split 70/30 and three refunds of 33.33 + 33.33 + 33.34
    taken_provider = taken_platform = refunded = 0
    for part in (3333, 3333, 3334):
        shares = refund_shares(
            refund_cents=part,
            base_cents=10000,
            price_cents=10000,
            provider_cents=7000,
            refunded_before_cents=refunded,
            provider_refunded_cents=taken_provider,
            platform_refunded_cents=taken_platform,
        )
        assert shares.provider_cents + shares.platform_cents + shares.unearned_cents == part
        taken_provider += shares.provider_cents
        taken_platform += shares.platform_cents
        refunded += part
    # then
    assert (taken_provider, taken_platform) == (7000, 3000)


def test_half_a_cent_of_a_pro_rata_reduction_rounds_up():
    shares = refund_shares(
        refund_cents=1,
        base_cents=2,
        price_cents=2,
        provider_cents=1,
        refunded_before_cents=0,
        provider_refunded_cents=0,
        platform_refunded_cents=0,
    )
    assert (shares.provider_cents, shares.platform_cents) == (1, 0)
