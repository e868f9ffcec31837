"""API keys for business accounts: a fleet's or motor club's system books on its contract.

A key belongs to the account, not to a person: it acts as the account's own API user (role
`partner`, no password, never signs in to the console), so every booking, event and audit entry
it causes names a real user row, and revoking one key leaves the others working. Bookings and
estimates made with it are priced by the account's contract (see `pricing.for_actor_account`).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session, select

from roadside_console.domain.audit.service import record_audit
from roadside_console.domain.b2b.models import AccountStatus, B2BAccount
from roadside_console.domain.core.auth import Actor, Permission, Role, require
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import NotFound, ValidationFailed
from roadside_console.domain.core.secrets import new_token, token_digest
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity.models import ApiToken, User
from roadside_console.domain.identity.schemas import IssuedApiToken
from roadside_console.domain.identity.service import API_TOKEN_PREFIX
from roadside_console.domain.identity.token_cache import api_token_actors


def _account(session: Session, actor: Actor, account_id: uuid.UUID) -> B2BAccount:
    account = session.exec(
        select(B2BAccount).where(
            B2BAccount.id == account_id, B2BAccount.tenant_id == actor.tenant_id
        )
    ).first()
    if account is None:
        raise NotFound("b2b_account_not_found", "No such business account.", field="account_id")
    return account


def _api_user(session: Session, account: B2BAccount, now: datetime) -> User:
    """Return the account's API user, creating it with the first key."""
    email = f"api+{account.id.hex}@accounts.invalid"
    user = session.exec(
        select(User).where(User.tenant_id == account.tenant_id, User.email == email)
    ).first()
    if user is None:
        user = User(
            tenant_id=account.tenant_id,
            email=email,
            name=f"{account.name} (API)"[:200],
            role=Role.PARTNER,
            password_hash=None,
            created_at=now,
            updated_at=now,
        )
        session.add(user)
        session.flush()
    return user


def issue_account_key(
    uow: UnitOfWork,
    *,
    actor: Actor,
    account_id: uuid.UUID,
    name: str,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> IssuedApiToken:
    """Issue a bearer key for a business account; the raw value is returned only this once."""
    require(actor, Permission.MANAGE_B2B)
    now = now or utc_now()
    session = uow.session
    label = " ".join(name.split())
    if not label:
        raise ValidationFailed("name_required", "Give the key a name.", field="name")
    account = _account(session, actor, account_id)
    if account.status is not AccountStatus.ACTIVE:
        raise ValidationFailed(
            "b2b_account_suspended",
            f"{account.name} is suspended; reactivate it before issuing keys.",
            field="account_id",
        )
    user = _api_user(session, account, now)
    prefix = new_token(6)[:8]
    raw = f"{API_TOKEN_PREFIX}_{prefix}_{new_token()}"
    token = ApiToken(
        tenant_id=actor.tenant_id,
        name=label[:120],
        prefix=prefix,
        token_hash=token_digest(raw),
        user_id=user.id,
        b2b_account_id=account.id,
        scopes=["bookings"],
        expires_at=expires_at,
        created_at=now,
    )
    session.add(token)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="b2b.api_key_issued",
        target_type="b2b_account",
        target_id=account.id,
        changes={"key_id": str(token.id), "name": token.name},
    )
    issued = IssuedApiToken(token_id=str(token.id), name=token.name, token=raw)
    uow.commit()
    return issued


def revoke_account_key(
    uow: UnitOfWork,
    *,
    actor: Actor,
    account_id: uuid.UUID,
    key_id: uuid.UUID,
    now: datetime | None = None,
) -> None:
    """Stop one of a business account's keys from working; the account's other keys go on.

    Whoever may issue account keys (`MANAGE_B2B`) may revoke them: a key belongs to the account,
    not to the person who issued it. Revoking a revoked key changes nothing.
    """
    require(actor, Permission.MANAGE_B2B)
    session = uow.session
    account = _account(session, actor, account_id)
    token = session.exec(
        select(ApiToken).where(
            ApiToken.id == key_id,
            ApiToken.tenant_id == actor.tenant_id,
            ApiToken.b2b_account_id == account.id,
        )
    ).first()
    if token is None:
        raise NotFound("api_key_not_found", "No such key on this account.", field="key_id")
    if token.revoked_at is None:
        token.revoked_at = now or utc_now()
        session.add(token)
        record_audit(
            session,
            actor=actor,
            action="b2b.api_key_revoked",
            target_type="b2b_account",
            target_id=account.id,
            changes={"key_id": str(token.id), "name": token.name},
        )
    uow.commit()
    api_token_actors.forget(token.token_hash)
