"""Idempotency keys: a retried request gets the first answer instead of running twice.

A key is claimed with an INSERT under the unique `(scope, key)` before the request runs, so a
concurrent duplicate fails that insert and is told the first one is still in progress. The
response is stored once the request finished; a failed request (server error, crash) releases
its claim so the client can retry with the same key. Keys are kept for `KEY_TTL`; a claim left
behind by a crashed process is taken over after `STALE_CLAIM`.

`scope` separates callers (a hash of their credentials), so two clients that happen to pick the
same key never see each other's responses.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, col

from roadside_console.domain.core.errors import Conflict, ValidationFailed
from roadside_console.domain.core.tables import IdMixin, json_field
from roadside_console.domain.core.uow import UnitOfWork

KEY_TTL = timedelta(hours=24)
STALE_CLAIM = timedelta(minutes=5)
MAX_KEY_LENGTH = 255
HEADER = "Idempotency-Key"


class IdempotencyKey(IdMixin, table=True):
    """One caller's key: the request it was first used with and, once done, its response.

    Not tenant-scoped: it is claimed before the caller is identified, keyed by their credentials.
    `status_code` stays empty while the first request is in flight.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("scope", "key", name="uq_idempotency_keys_scope_key"),)

    scope: str = Field(max_length=64)
    key: str = Field(max_length=MAX_KEY_LENGTH)
    request_method: str = Field(max_length=16)
    request_path: str = Field(max_length=2048)
    request_sha256: str = Field(max_length=64)
    status_code: int | None = None
    response_headers: dict[str, str] = json_field()
    response_body: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    created_at: datetime = Field(index=True)
    completed_at: datetime | None = None


@dataclass(frozen=True)
class RequestFingerprint:
    """What makes two requests "the same": method, path with query, and the body's SHA-256."""

    method: str
    path: str
    body_sha256: str


@dataclass(frozen=True)
class StoredResponse:
    """The first response to a key, replayed byte for byte."""

    status_code: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class InvalidIdempotencyKey(ValidationFailed):
    """The key is empty or too long to store."""


class IdempotencyKeyReused(ValidationFailed):
    """The key was first used with a different request."""


class IdempotencyKeyInProgress(Conflict):
    """The first request with this key has not finished yet."""


def validate_key(raw: str) -> str:
    """Return the key to store, or refuse an empty or over-long one."""
    key = raw.strip()
    if not key:
        raise InvalidIdempotencyKey(
            "invalid_idempotency_key", f"{HEADER} must not be empty.", field=HEADER
        )
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidIdempotencyKey(
            "invalid_idempotency_key",
            f"{HEADER} must be at most {MAX_KEY_LENGTH} characters long.",
            field=HEADER,
        )
    return key


def claim_key(
    uow: UnitOfWork, *, scope: str, key: str, request: RequestFingerprint, now: datetime
) -> uuid.UUID | StoredResponse:
    """Claim `key` for `request` and return the claim's id, or the first request's response.

    Raises `IdempotencyKeyReused` when the key belongs to a different request and
    `IdempotencyKeyInProgress` while the first request is still running.
    """
    # Without autoflush: these statements touch only idempotency_keys, whose rows are never
    # pending in a session (all Core), so flushing other pending rows first (a grouped
    # booking's, `group_commit`) would change nothing here and cost them their shared INSERT.
    with uow.session.no_autoflush:
        return _claim(uow, scope=scope, key=key, request=request, now=now)


def _claim(
    uow: UnitOfWork, *, scope: str, key: str, request: RequestFingerprint, now: datetime
) -> uuid.UUID | StoredResponse:
    claim_id = uuid.uuid4()
    for _ in range(3):
        if _insert_claim(uow, claim_id=claim_id, scope=scope, key=key, request=request, now=now):
            return claim_id
        existing = _find(uow, scope=scope, key=key)
        if existing is None:
            continue  # released between our insert and our read: try again
        if _is_stale(existing, now=now) and _drop_if_stale(uow, existing, now=now):
            continue
        if (existing.request_method, existing.request_path, existing.request_sha256) != (
            request.method,
            request.path,
            request.body_sha256,
        ):
            raise IdempotencyKeyReused(
                "idempotency_key_reused",
                f"This {HEADER} was already used with a different request; "
                "use a new key for a new request.",
                field=HEADER,
            )
        if existing.status_code is None:
            break
        return StoredResponse(
            status_code=existing.status_code,
            body=existing.response_body or b"",
            headers=dict(existing.response_headers),
        )
    raise IdempotencyKeyInProgress(
        "idempotency_key_in_progress",
        "A request with this key is still in progress; retry once it has finished.",
        field=HEADER,
    )


def complete_key(
    uow: UnitOfWork, *, claim_id: uuid.UUID, response: StoredResponse, now: datetime
) -> None:
    """Store the response of the claimed request, for replays."""
    with uow.session.no_autoflush:  # only idempotency_keys: see `claim_key`
        uow.session.execute(
            _complete_statement(),
            {
                "done_id": claim_id,
                "done_status": response.status_code,
                "done_headers": response.headers,
                "done_body": response.body,
                "done_at": now,
            },
        )
    uow.commit()


def release_key(uow: UnitOfWork, *, claim_id: uuid.UUID) -> None:
    """Drop an unfinished claim so a retry with the same key runs afresh."""
    uow.session.execute(
        sa.delete(IdempotencyKey)
        .where(col(IdempotencyKey.id) == claim_id)
        .execution_options(synchronize_session=False)
    )
    uow.commit()


def purge_expired_keys(uow: UnitOfWork, *, now: datetime) -> int:
    """Delete keys older than `KEY_TTL`; return how many."""
    deleted = uow.session.execute(
        sa.delete(IdempotencyKey).where(col(IdempotencyKey.created_at) < now - KEY_TTL)
    ).rowcount
    uow.commit()
    return deleted


def _insert_claim(
    uow: UnitOfWork,
    *,
    claim_id: uuid.UUID,
    scope: str,
    key: str,
    request: RequestFingerprint,
    now: datetime,
) -> bool:
    """Insert the claim unless the key exists (waiting for an in-flight insert of it)."""
    inserted = uow.session.execute(
        _claim_statement(uow.session.get_bind().dialect.name),
        {
            "claim_id": claim_id,
            "claim_scope": scope,
            "claim_key": key,
            "claim_method": request.method,
            "claim_path": request.path,
            "claim_sha256": request.body_sha256,
            "claim_headers": {},
            "claim_at": now,
        },
    ).first()
    if inserted is None:
        return False
    uow.commit()
    return True


@lru_cache(maxsize=2)
def _claim_statement(dialect_name: str) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id, built once with bound parameters."""
    dialect = sqlite if dialect_name == "sqlite" else postgresql
    table = IdempotencyKey.__table__  # type: ignore[attr-defined]
    bind = sa.bindparam
    return (
        dialect.insert(table)
        .values(
            id=bind("claim_id", type_=table.c.id.type),
            scope=bind("claim_scope", type_=table.c.scope.type),
            key=bind("claim_key", type_=table.c.key.type),
            request_method=bind("claim_method", type_=table.c.request_method.type),
            request_path=bind("claim_path", type_=table.c.request_path.type),
            request_sha256=bind("claim_sha256", type_=table.c.request_sha256.type),
            response_headers=bind("claim_headers", type_=table.c.response_headers.type),
            created_at=bind("claim_at", type_=table.c.created_at.type),
        )
        .on_conflict_do_nothing(index_elements=[table.c.scope, table.c.key])
        .returning(table.c.id)
    )


@lru_cache(maxsize=1)
def _complete_statement() -> Any:
    """UPDATE the claim with its response, built once (no ORM evaluation of a fresh session)."""
    table = IdempotencyKey.__table__  # type: ignore[attr-defined]
    bind = sa.bindparam
    return (
        sa.update(table)
        .where(table.c.id == bind("done_id", type_=table.c.id.type))
        .values(
            status_code=bind("done_status", type_=table.c.status_code.type),
            response_headers=bind("done_headers", type_=table.c.response_headers.type),
            response_body=bind("done_body", type_=table.c.response_body.type),
            completed_at=bind("done_at", type_=table.c.completed_at.type),
        )
    )


def _find(uow: UnitOfWork, *, scope: str, key: str) -> IdempotencyKey | None:
    return uow.session.execute(
        sa.select(IdempotencyKey)
        .where(col(IdempotencyKey.scope) == scope, col(IdempotencyKey.key) == key)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _is_stale(existing: IdempotencyKey, *, now: datetime) -> bool:
    """Tell whether a key is past its lifetime (not purged yet) or abandoned by a crash."""
    if existing.created_at < now - KEY_TTL:
        return True
    return existing.status_code is None and existing.created_at < now - STALE_CLAIM


def _drop_if_stale(uow: UnitOfWork, existing: IdempotencyKey, *, now: datetime) -> bool:
    """Delete a stale key, unless another request replaced it in the meantime."""
    expired = col(IdempotencyKey.created_at) < now - KEY_TTL
    abandoned = sa.and_(
        col(IdempotencyKey.status_code).is_(None),
        col(IdempotencyKey.created_at) < now - STALE_CLAIM,
    )
    deleted = uow.session.execute(
        sa.delete(IdempotencyKey).where(
            col(IdempotencyKey.id) == existing.id, sa.or_(expired, abandoned)
        )
    ).rowcount
    uow.commit()
    return bool(deleted)
