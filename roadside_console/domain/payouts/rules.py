"""Pure payout arithmetic: how a job's price splits between provider and platform.

Resolution order for a job of price P (the admin override if set, else the confirmed amount):
a provider paid a flat fee per job gets it (capped at P); else the most specific active
commission rule (account > provider > service > global, then higher priority, then newest,
then id, so the choice is deterministic); else the service's platform cut; else the provider's
own share (default 70 %). The provider share is clamped to [0, P]; the platform fee is the rest.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from roadside_console.domain.core.money import BASIS_POINTS, apply_bp, div_half_up
from roadside_console.domain.payouts.models import CommissionScope
from roadside_console.domain.providers.models import CommissionType

DEFAULT_PROVIDER_SHARE_BP = 7000
_SPECIFICITY = {
    CommissionScope.ACCOUNT: 3,
    CommissionScope.PROVIDER: 2,
    CommissionScope.SERVICE: 1,
    CommissionScope.GLOBAL: 0,
}


@dataclass(frozen=True, slots=True)
class Split:
    """A job price split into the provider's share and the platform fee (they sum to price)."""

    provider_cents: int
    platform_cents: int


def split_job_price(
    price_cents: int,
    *,
    commission_type: CommissionType,
    provider_share_bp: int,
    flat_fee_cents: int | None,
) -> Split:
    """Split `price_cents`: a flat fee per job (capped at the price) or a share in basis points."""
    if commission_type is CommissionType.FLAT_PER_JOB and flat_fee_cents is not None:
        provider = flat_fee_cents
    else:
        provider = apply_bp(price_cents, provider_share_bp)
    provider = max(0, min(provider, price_cents))
    return Split(provider_cents=provider, platform_cents=price_cents - provider)


@dataclass(frozen=True, slots=True)
class ProviderTerms:
    """A provider's own commission terms."""

    provider_id: uuid.UUID
    commission_type: CommissionType = CommissionType.PERCENTAGE
    share_bp: int | None = DEFAULT_PROVIDER_SHARE_BP
    flat_fee_cents: int | None = None


@dataclass(frozen=True, slots=True)
class RuleTerms:
    """A commission rule as the resolver needs it."""

    id: uuid.UUID
    scope: CommissionScope
    created_at: datetime
    service_id: uuid.UUID | None = None
    provider_id: uuid.UUID | None = None
    b2b_account_id: uuid.UUID | None = None
    provider_share_bp: int | None = None
    flat_fee_cents: int | None = None
    priority: int = 0
    active: bool = True


@dataclass(frozen=True, slots=True)
class JobTerms:
    """What the job is: its price, service, provider and B2B account."""

    price_cents: int
    service_id: uuid.UUID
    service_platform_cut_bp: int | None
    provider: ProviderTerms
    b2b_account_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class Commission:
    """The resolved split and why: `source` is flat_fee, rule, service_cut or provider_share."""

    price_cents: int
    provider_cents: int
    platform_cents: int
    source: str
    rule_id: uuid.UUID | None = None
    share_bp: int | None = None
    flat_fee_cents: int | None = None


def _matches(rule: RuleTerms, job: JobTerms) -> bool:
    if not rule.active or (rule.provider_share_bp is None and rule.flat_fee_cents is None):
        return False
    if rule.scope is CommissionScope.GLOBAL:
        return True
    if rule.scope is CommissionScope.SERVICE:
        return rule.service_id == job.service_id
    if rule.scope is CommissionScope.PROVIDER:
        return rule.provider_id == job.provider.provider_id
    return job.b2b_account_id is not None and rule.b2b_account_id == job.b2b_account_id


def pick_rule(rules: Sequence[RuleTerms], job: JobTerms) -> RuleTerms | None:
    """Return the most specific matching rule (then priority, newest, id), or None."""
    matching = [rule for rule in rules if _matches(rule, job)]
    if not matching:
        return None
    return max(
        matching,
        key=lambda r: (_SPECIFICITY[r.scope], r.priority, r.created_at, str(r.id)),
    )


def _clamped(job: JobTerms, provider_cents: int, **why: object) -> Commission:
    price = job.price_cents
    provider = max(0, min(provider_cents, price))
    return Commission(
        price_cents=price,
        provider_cents=provider,
        platform_cents=price - provider,
        **why,  # type: ignore[arg-type]
    )


def resolve_commission(job: JobTerms, rules: Sequence[RuleTerms] = ()) -> Commission:
    """Split the job's price between provider and platform by the documented order."""
    if job.price_cents < 0:
        raise ValueError("price must not be negative")
    terms = job.provider
    if terms.commission_type is CommissionType.FLAT_PER_JOB and terms.flat_fee_cents is not None:
        return _clamped(
            job, terms.flat_fee_cents, source="flat_fee", flat_fee_cents=terms.flat_fee_cents
        )
    rule = pick_rule(rules, job)
    if rule is not None:
        if rule.flat_fee_cents is not None:
            return _clamped(
                job,
                rule.flat_fee_cents,
                source="rule",
                rule_id=rule.id,
                flat_fee_cents=rule.flat_fee_cents,
            )
        share = rule.provider_share_bp or 0
        return _clamped(
            job, apply_bp(job.price_cents, share), source="rule", rule_id=rule.id, share_bp=share
        )
    if job.service_platform_cut_bp is not None:
        platform = apply_bp(job.price_cents, job.service_platform_cut_bp)
        return _clamped(
            job,
            job.price_cents - platform,
            source="service_cut",
            share_bp=BASIS_POINTS - job.service_platform_cut_bp,
        )
    share = terms.share_bp if terms.share_bp is not None else DEFAULT_PROVIDER_SHARE_BP
    return _clamped(job, apply_bp(job.price_cents, share), source="provider_share", share_bp=share)


@dataclass(frozen=True, slots=True)
class RefundShares:
    """How a refund splits: the provider's part, the platform's part, the unearned rest."""

    provider_cents: int
    platform_cents: int
    unearned_cents: int


def refund_shares(
    *,
    refund_cents: int,
    base_cents: int,
    price_cents: int,
    provider_cents: int,
    refunded_before_cents: int,
    provider_refunded_cents: int,
    platform_refunded_cents: int,
) -> RefundShares:
    """Split one refund pro rata (half-up) over the earning, cumulatively so no cent drifts.

    `base_cents` is what the customer had paid (net) when the job was earned and
    `refunded_before_cents` what was refunded since then, before this refund. The cumulative
    shares after this refund are rounded once, so several partial refunds that add up to the
    whole payment take back exactly the provider's share and the platform fee.
    """
    if refund_cents <= 0 or base_cents <= 0:
        raise ValueError("refund and base must be positive")
    after = refunded_before_cents + refund_cents
    earned_total = div_half_up(price_cents * after, base_cents)
    provider_total = div_half_up(provider_cents * after, base_cents)
    provider = provider_total - provider_refunded_cents
    platform = (earned_total - provider_total) - platform_refunded_cents
    return RefundShares(
        provider_cents=provider,
        platform_cents=platform,
        unearned_cents=refund_cents - provider - platform,
    )
