"""Read models for the B2B desk: the business accounts, their contract terms and their API keys.

Read-only: issuing a key is `keys.issue_account_key`, revoking one is
`identity.service.revoke_api_token`. Key hashes never leave the domain; a key shows by its prefix.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import col, select

from roadside_console.domain.b2b.keys import _account
from roadside_console.domain.b2b.models import B2BAccount, B2BContract
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch.queries import as_utc
from roadside_console.domain.identity.models import ApiToken
from roadside_console.domain.tenants.service import get_tenant

PAGE_SIZE_MAX = 100


@dataclass(frozen=True, slots=True)
class AccountRow:
    """One business account as the accounts list shows it."""

    account_id: uuid.UUID
    name: str
    contact_name: str
    billing_email: str
    payment_terms_days: int
    status: str
    contracts: int
    live_keys: int


@dataclass(frozen=True, slots=True)
class AccountsPage:
    """A page of accounts by name, with how many there are in all."""

    rows: list[AccountRow]
    total: int
    page: int
    page_size: int


@dataclass(frozen=True, slots=True)
class ContractPrice:
    """A service's fixed price under a contract."""

    service_name: str
    price_cents: int


@dataclass(frozen=True, slots=True)
class ContractTerms:
    """What a contract gives the account: its dates, a discount and fixed service prices."""

    contract_id: uuid.UUID
    name: str
    starts_on: date
    ends_on: date | None
    discount_bp: int
    active: bool
    prices: list[ContractPrice]


@dataclass(frozen=True, slots=True)
class AccountKey:
    """An API key of the account, by name and prefix (the secret is never stored)."""

    key_id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class AccountDetail:
    """One account with its contracts (newest first) and keys (newest first)."""

    account_id: uuid.UUID
    name: str
    contact_name: str
    billing_email: str
    phone: str
    payment_terms_days: int
    status: str
    contracts: list[ContractTerms]
    keys: list[AccountKey]
    timezone: str


def list_accounts(
    uow: UnitOfWork, *, actor: Actor, page: int = 1, page_size: int = 25
) -> AccountsPage:
    """Return the tenant's business accounts by name, with contract and live-key counts."""
    require(actor, Permission.MANAGE_B2B)
    page_size = max(1, min(page_size, PAGE_SIZE_MAX))
    page = max(1, page)
    session = uow.session
    mine = B2BAccount.tenant_id == actor.tenant_id
    contracts = (
        select(func.count())
        .where(B2BContract.account_id == B2BAccount.id, B2BContract.tenant_id == actor.tenant_id)
        .scalar_subquery()
    )
    live_keys = (
        select(func.count())
        .where(
            ApiToken.b2b_account_id == B2BAccount.id,
            ApiToken.tenant_id == actor.tenant_id,
            col(ApiToken.revoked_at).is_(None),
        )
        .scalar_subquery()
    )
    total = session.exec(select(func.count()).select_from(B2BAccount).where(mine)).one()
    rows = session.exec(
        select(B2BAccount, contracts, live_keys)
        .where(mine)
        .order_by(col(B2BAccount.name), col(B2BAccount.id))
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return AccountsPage(
        rows=[
            AccountRow(
                account_id=account.id,
                name=account.name,
                contact_name=account.contact_name,
                billing_email=account.billing_email,
                payment_terms_days=account.payment_terms_days,
                status=account.status.value,
                contracts=int(contract_count),
                live_keys=int(key_count),
            )
            for account, contract_count, key_count in rows
        ],
        total=int(total),
        page=page,
        page_size=page_size,
    )


def account_detail(uow: UnitOfWork, *, actor: Actor, account_id: uuid.UUID) -> AccountDetail:
    """Return one account of the tenant with its contract terms and its keys."""
    require(actor, Permission.MANAGE_B2B)
    session = uow.session
    account = _account(session, actor, account_id)
    contracts = session.exec(
        select(B2BContract)
        .where(B2BContract.account_id == account.id, B2BContract.tenant_id == actor.tenant_id)
        .order_by(col(B2BContract.starts_on).desc(), col(B2BContract.id))
    ).all()
    service_ids = {
        uuid.UUID(key) for contract in contracts for key in (contract.service_prices or {})
    }
    names = dict(
        session.exec(
            select(Service.id, Service.name).where(
                col(Service.id).in_(service_ids), Service.tenant_id == actor.tenant_id
            )
        ).all()
    )
    keys = session.exec(
        select(ApiToken)
        .where(ApiToken.b2b_account_id == account.id, ApiToken.tenant_id == actor.tenant_id)
        .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id))
    ).all()
    return AccountDetail(
        account_id=account.id,
        name=account.name,
        contact_name=account.contact_name,
        billing_email=account.billing_email,
        phone=account.phone or "",
        payment_terms_days=account.payment_terms_days,
        status=account.status.value,
        contracts=[
            ContractTerms(
                contract_id=contract.id,
                name=contract.name,
                starts_on=contract.starts_on,
                ends_on=contract.ends_on,
                discount_bp=contract.discount_bp,
                active=contract.active,
                prices=sorted(
                    (
                        ContractPrice(names.get(uuid.UUID(key), "Retired service"), int(cents))
                        for key, cents in (contract.service_prices or {}).items()
                    ),
                    key=lambda price: price.service_name,
                ),
            )
            for contract in contracts
        ],
        keys=[
            AccountKey(
                key_id=key.id,
                name=key.name,
                prefix=key.prefix,
                created_at=as_utc(key.created_at),
                last_used_at=as_utc(key.last_used_at),
                expires_at=as_utc(key.expires_at),
                revoked_at=as_utc(key.revoked_at),
            )
            for key in keys
        ],
        timezone=get_tenant(session, actor.tenant_id).timezone,
    )
