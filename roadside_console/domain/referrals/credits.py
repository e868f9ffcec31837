"""Moving a customer's credit balance: the balance entry and its ledger posting, together.

Every credit movement must show in both places (the customer's balance is the sum of their
entries; the ledger's credit liability must equal issued minus spent), so they are written by
one function and can never drift apart.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session

from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.ledger import service as ledger
from roadside_console.domain.referrals.models import CreditEntry, CreditReason


def move_credit(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    amount_cents: int,
    reason: CreditReason,
    booking_id: uuid.UUID | None = None,
    referral_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> CreditEntry:
    """Add (positive) or spend (negative) credit and post it to the ledger; does not commit."""
    if amount_cents == 0:
        raise ValueError("a credit movement needs a non-zero amount")
    now = now or utc_now()
    entry = CreditEntry(
        tenant_id=tenant_id,
        user_id=user_id,
        amount_cents=amount_cents,
        reason=reason,
        booking_id=booking_id,
        referral_id=referral_id,
        created_at=now,
    )
    session.add(entry)
    post = ledger.post_credit_issued if amount_cents > 0 else ledger.post_credit_spent
    post(
        session,
        tenant_id=tenant_id,
        amount_cents=abs(amount_cents),
        booking_id=booking_id,
        now=now,
    )
    return entry
