"""Posting to the double-entry ledger, the tenant's chart of accounts, and `reconcile`.

Sign convention: a debit is positive, a credit negative; every transaction sums to zero.

Chart of accounts (codes, per tenant):

- `customer_receivable` (asset): what customers owe for jobs earned minus what they paid, plus
  the unearned part of refunds. A negative balance is money customers prepaid for jobs not yet
  completed.
- `cash_clearing:<cash|cashapp|zelle>`, `stripe_clearing` (assets): confirmed funds per method.
- `platform_revenue` (revenue): platform fees, recognised when a job is completed and paid.
- `refunds` (contra revenue, debit balance): the platform's share of refunds. Platform revenue
  net of refunds is `platform_revenue + refunds`.
- `provider_payable:<provider id>` (liability): what each provider is owed (negative = owes).
- `payouts_clearing` (asset): money sent to providers by bank transfer in payout batches.
- `referral_credit_liability` (liability), `referral_credit_expense` (expense) and
  `credit_redemptions` (revenue): credits issued are a marketing cost owed to customers; a spent
  credit discharges the liability as revenue outside the platform-fee split.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session, col, select

from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.tables import new_id
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.ledger.models import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
)
from roadside_console.domain.payments.models import PaymentMethod
from roadside_console.domain.payouts.models import PayoutKind, PayoutStatus, ProviderPayout
from roadside_console.domain.referrals.models import CreditEntry

CUSTOMER_RECEIVABLE = "customer_receivable"
STRIPE_CLEARING = "stripe_clearing"
PLATFORM_REVENUE = "platform_revenue"
REFUNDS = "refunds"
PAYOUTS_CLEARING = "payouts_clearing"
CREDIT_LIABILITY = "referral_credit_liability"
CREDIT_EXPENSE = "referral_credit_expense"
CREDIT_REDEMPTIONS = "credit_redemptions"

_FIXED_ACCOUNTS: dict[str, tuple[str, AccountKind]] = {
    CUSTOMER_RECEIVABLE: ("Customer receivable", AccountKind.ASSET),
    STRIPE_CLEARING: ("Stripe clearing", AccountKind.ASSET),
    "cash_clearing:cash": ("Cash clearing", AccountKind.ASSET),
    "cash_clearing:cashapp": ("Cash App clearing", AccountKind.ASSET),
    "cash_clearing:zelle": ("Zelle clearing", AccountKind.ASSET),
    PLATFORM_REVENUE: ("Platform revenue", AccountKind.REVENUE),
    REFUNDS: ("Refunds (contra revenue)", AccountKind.REVENUE),
    PAYOUTS_CLEARING: ("Bank: provider payouts", AccountKind.ASSET),
    CREDIT_LIABILITY: ("Referral credit liability", AccountKind.LIABILITY),
    CREDIT_EXPENSE: ("Referral credit expense", AccountKind.EXPENSE),
    CREDIT_REDEMPTIONS: ("Credit redemptions", AccountKind.REVENUE),
}
PAYABLE_STATUSES = (PayoutStatus.PENDING, PayoutStatus.HELD)
_ACCOUNT_CACHE = "ledger_account_ids"


def clearing_account(method: PaymentMethod) -> str:
    """Return the clearing account code where confirmed funds of `method` land."""
    if method is PaymentMethod.STRIPE:
        return STRIPE_CLEARING
    return f"cash_clearing:{method.value}"


def provider_payable(provider_id: uuid.UUID) -> str:
    """Return the payable account code of one provider."""
    return f"provider_payable:{provider_id}"


def _describe(code: str) -> tuple[str, AccountKind, uuid.UUID | None]:
    if code in _FIXED_ACCOUNTS:
        name, kind = _FIXED_ACCOUNTS[code]
        return name, kind, None
    if code.startswith("provider_payable:"):
        provider_id = uuid.UUID(code.split(":", 1)[1])
        return f"Payable to provider {provider_id}", AccountKind.LIABILITY, provider_id
    raise ValueError(f"unknown ledger account code {code!r}")


def ensure_accounts(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    codes: Iterable[str],
    prefetch: Iterable[str] = (),
) -> dict[str, uuid.UUID]:
    """Return account ids by code, creating missing accounts (safe when two writers race).

    `prefetch` names accounts the caller will post to later in this transaction: their ids are
    read by the same query (not created) and kept for then.
    """
    wanted = set(codes)
    cache = _cached_account_ids(session, tenant_id)
    found = {code: cache[code] for code in wanted if code in cache}
    if len(found) == len(wanted):
        return found
    read = _account_ids(session, tenant_id, (wanted | set(prefetch)) - cache.keys())
    cache.update(read)
    found |= {code: read[code] for code in wanted if code in read}
    missing = wanted - found.keys()
    if missing:
        rows = []
        for code in sorted(missing):
            name, kind, provider_id = _describe(code)
            rows.append(
                {
                    "id": new_id(),
                    "tenant_id": tenant_id,
                    "code": code,
                    "name": name,
                    "kind": kind.value,
                    "provider_id": provider_id,
                    "created_at": utc_now(),
                }
            )
        dialect = session.get_bind().dialect.name
        maker = pg_insert if dialect == "postgresql" else sqlite_insert
        table = LedgerAccount.__table__  # type: ignore[attr-defined]
        for start in range(0, len(rows), 5000):
            session.execute(
                maker(table)
                .values(rows[start : start + 5000])
                .on_conflict_do_nothing(index_elements=["tenant_id", "code"])
            )
        found |= _account_ids(session, tenant_id, missing)
    cache.update(found)
    return found


def _cached_account_ids(session: Session, tenant_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """Return this transaction's cache of account ids of the tenant, empty in a new one.

    A money event posts several ledger transactions that share accounts; each id is read once
    per database transaction. The cache belongs to the innermost transaction (a savepoint that
    rolls back takes its new accounts with it) and is dropped when that one ends.
    """
    root, nested = session.get_transaction(), session.get_nested_transaction()
    if root is None:
        return {}
    slot = session.info.get(_ACCOUNT_CACHE)
    if slot is None or slot[0] is not root or slot[1] is not nested:
        slot = (root, nested, {})
        session.info[_ACCOUNT_CACHE] = slot
    return slot[2].setdefault(tenant_id, {})


def _account_ids(session: Session, tenant_id: uuid.UUID, codes: set[str]) -> dict[str, uuid.UUID]:
    if not codes:
        return {}
    result: dict[str, uuid.UUID] = {}
    ordered = sorted(codes)
    for start in range(0, len(ordered), 5000):
        rows = session.exec(
            select(LedgerAccount.code, LedgerAccount.id).where(
                LedgerAccount.tenant_id == tenant_id,
                col(LedgerAccount.code).in_(ordered[start : start + 5000]),
            )
        ).all()
        result.update(dict(rows))
    return result


class UnbalancedTransaction(ValueError):
    """A programming error: entries of one transaction must sum to zero."""


def post(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    kind: str,
    lines: Sequence[tuple[str, int]],
    description: str = "",
    booking_id: uuid.UUID | None = None,
    now: datetime | None = None,
    prefetch: Iterable[str] = (),
) -> LedgerTransaction | None:
    """Post one balanced transaction of `(account code, signed cents)` lines; skip zero lines.

    Does not commit: it belongs to the money event's own transaction. Returns None when every
    line is zero (nothing moved). `prefetch`: see `ensure_accounts`. Inside `posting_batch` the
    rows are written when the batch ends, else at once.
    """
    if sum(amount for _, amount in lines) != 0:
        raise UnbalancedTransaction(f"{kind}: entries sum to {sum(a for _, a in lines)}")
    moving = [(code, amount) for code, amount in lines if amount != 0]
    if not moving:
        return None
    now = now or utc_now()
    accounts = ensure_accounts(
        session, tenant_id=tenant_id, codes=[code for code, _ in moving], prefetch=prefetch
    )
    txn = LedgerTransaction(
        id=new_id(),
        tenant_id=tenant_id,
        kind=kind,
        description=description[:300],
        booking_id=booking_id,
        created_at=now,
    )
    batch = session.info.get(_BATCH)
    pending = batch if batch is not None else _PendingPostings()
    pending.transactions.append(txn)
    pending.entries.extend(
        {
            "id": new_id(),
            "tenant_id": tenant_id,
            "transaction_id": txn.id,
            "account_id": accounts[code],
            "amount_cents": amount,
            "booking_id": booking_id,
            "created_at": now,
        }
        for code, amount in moving
    )
    if batch is None:
        pending.write(session)
    return txn


@dataclass
class _PendingPostings:
    """Ledger rows waiting to be written: transactions first, then their entries."""

    transactions: list[LedgerTransaction] = field(default_factory=list)
    entries: list[dict[str, object]] = field(default_factory=list)

    def write(self, session: Session) -> None:
        """Insert every row in two statements; the transactions join the session as loaded."""
        if not self.transactions:
            return
        # Pending ORM changes (a booking row they reference) go first, as a flush would.
        session.flush()
        columns = [column.key for column in _TRANSACTIONS.columns]
        # executemany form: compiled once and cached, sent as one multi-row INSERT per table.
        session.execute(
            insert(_TRANSACTIONS),
            [{key: getattr(txn, key) for key in columns} for txn in self.transactions],
        )
        session.execute(insert(_ENTRIES), self.entries)
        for txn in self.transactions:
            make_transient_to_detached(txn)
            session.add(txn)
        self.transactions, self.entries = [], []


_TRANSACTIONS = LedgerTransaction.__table__  # type: ignore[attr-defined]
_ENTRIES = LedgerEntry.__table__  # type: ignore[attr-defined]
_BATCH = "ledger_posting_batch"


@contextmanager
def posting_batch(session: Session) -> Iterator[None]:
    """Write the postings made inside the block together when it ends (two statements).

    For a money event that posts several transactions (a payment confirmed and the job earned
    by it): one round trip per table instead of two per posting. Nothing inside the block may
    read ledger entries; a nested batch joins the outer one. On an error nothing is written
    (the caller's transaction rolls back anyway).
    """
    if _BATCH in session.info:
        yield
        return
    pending = _PendingPostings()
    session.info[_BATCH] = pending
    try:
        yield
    finally:
        del session.info[_BATCH]
    pending.write(session)


def post_credit_issued(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    amount_cents: int,
    booking_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> None:
    """Seam for referrals: post a credit granted (or returned) to a customer."""
    post(
        session,
        tenant_id=tenant_id,
        kind="credit_issued",
        lines=[(CREDIT_EXPENSE, amount_cents), (CREDIT_LIABILITY, -amount_cents)],
        booking_id=booking_id,
        now=now,
    )


def post_credit_spent(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    amount_cents: int,
    booking_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> None:
    """Seam for booking creation: post credit applied to a booking's price."""
    post(
        session,
        tenant_id=tenant_id,
        kind="credit_spent",
        lines=[(CREDIT_LIABILITY, amount_cents), (CREDIT_REDEMPTIONS, -amount_cents)],
        booking_id=booking_id,
        now=now,
    )


@dataclass(frozen=True, slots=True)
class Difference:
    """One broken invariant: what was expected, what the ledger says."""

    check: str
    subject: str
    expected_cents: int
    actual_cents: int
    message: str


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    """The result of `reconcile`; no differences means the books agree."""

    tenant_id: uuid.UUID
    checked_at: datetime
    transactions: int
    differences: list[Difference] = field(default_factory=list)

    @property
    def reconciled(self) -> bool:
        """Tell whether every invariant holds."""
        return not self.differences


def reconcile(uow: UnitOfWork, *, actor: Actor) -> ReconciliationReport:
    """Check the tenant's ledger invariants and report every difference found."""
    require(actor, Permission.VIEW_REPORTS)
    return reconcile_tenant(uow.session, tenant_id=actor.tenant_id)


def _balances(session: Session, tenant_id: uuid.UUID) -> dict[str, int]:
    rows = session.exec(
        select(LedgerAccount.code, func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
        .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
        .where(LedgerAccount.tenant_id == tenant_id, LedgerEntry.tenant_id == tenant_id)
        .group_by(LedgerAccount.code)
    ).all()
    return {code: int(total) for code, total in rows}


def reconcile_tenant(
    session: Session, *, tenant_id: uuid.UUID, now: datetime | None = None
) -> ReconciliationReport:
    """Compute the reconciliation report of one tenant (no permission check: internal use)."""
    differences: list[Difference] = []
    unbalanced = session.exec(
        select(LedgerEntry.transaction_id, func.sum(LedgerEntry.amount_cents))
        .where(LedgerEntry.tenant_id == tenant_id)
        .group_by(LedgerEntry.transaction_id)
        .having(func.sum(LedgerEntry.amount_cents) != 0)
    ).all()
    for txn_id, total in unbalanced:
        differences.append(
            Difference(
                "transaction_balanced",
                str(txn_id),
                0,
                int(total),
                f"Transaction {txn_id} sums to {total} instead of zero.",
            )
        )
    transactions = session.exec(
        select(func.count())
        .select_from(LedgerTransaction)
        .where(LedgerTransaction.tenant_id == tenant_id)
    ).one()

    payouts = dict(
        session.exec(
            select(ProviderPayout.provider_id, func.sum(ProviderPayout.amount_cents))
            .where(
                ProviderPayout.tenant_id == tenant_id,
                col(ProviderPayout.status).in_(PAYABLE_STATUSES),
            )
            .group_by(ProviderPayout.provider_id)
        ).all()
    )
    payables = dict(
        session.exec(
            select(LedgerAccount.provider_id, func.sum(LedgerEntry.amount_cents))
            .join(LedgerEntry, LedgerEntry.account_id == LedgerAccount.id)
            .where(
                LedgerAccount.tenant_id == tenant_id,
                col(LedgerAccount.provider_id).is_not(None),
            )
            .group_by(LedgerAccount.provider_id)
        ).all()
    )
    for provider_id in sorted(set(payouts) | set(payables), key=str):
        expected = int(payouts.get(provider_id) or 0)
        actual = -int(payables.get(provider_id) or 0)
        if expected != actual:
            differences.append(
                Difference(
                    "provider_payable",
                    str(provider_id),
                    expected,
                    actual,
                    f"Provider {provider_id}: pending payouts minus clawbacks are {expected}, "
                    f"the payable account holds {actual}.",
                )
            )

    balances = _balances(session, tenant_id)
    fees = session.exec(
        select(func.coalesce(func.sum(ProviderPayout.platform_fee_cents), 0)).where(
            ProviderPayout.tenant_id == tenant_id,
            ProviderPayout.kind == PayoutKind.EARNING,
            ProviderPayout.status != PayoutStatus.CANCELLED,
        )
    ).one()
    revenue = -(balances.get(PLATFORM_REVENUE, 0) + balances.get(REFUNDS, 0))
    if int(fees) != revenue:
        differences.append(
            Difference(
                "platform_revenue",
                PLATFORM_REVENUE,
                int(fees),
                revenue,
                f"Platform fees net of refunds are {fees}, the ledger shows {revenue}.",
            )
        )

    credits = session.exec(
        select(func.coalesce(func.sum(CreditEntry.amount_cents), 0)).where(
            CreditEntry.tenant_id == tenant_id
        )
    ).one()
    liability = -balances.get(CREDIT_LIABILITY, 0)
    if int(credits) != liability:
        differences.append(
            Difference(
                "credit_liability",
                CREDIT_LIABILITY,
                int(credits),
                liability,
                f"Credits issued minus spent are {credits}, the liability account holds "
                f"{liability}.",
            )
        )
    return ReconciliationReport(
        tenant_id=tenant_id,
        checked_at=now or utc_now(),
        transactions=int(transactions),
        differences=differences,
    )
