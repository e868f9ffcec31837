"""`Idempotency-Key` on the API's POSTs that create or move money or bookings.

A client that sends the header gets, for the same key and the same request, the first response
again (marked `Idempotent-Replayed: true`), and a 422 for the same key with a different request.
Keys are scoped by caller (a hash of the Authorization header, or one anonymous scope for guest
calls) and kept 24 hours; the domain's `idempotency` module has the storage rules. Every POST is
covered unless it is listed here, so a new route is safe by default. Left out: webhooks (their
own event-id dedup), sign-in (must never replay a token), and the two hot calls that neither
create nor move money or bookings and are harmless to repeat: an estimate (a retry only prices
again) and a provider's location fix (the last one wins). Each keyed request costs two extra
statements, so the hot calls skip them.

A route listed in `IN_ROUTE_PATHS` (creating a booking) does the key's work itself, inside its
own transaction (`answer_once`): the claim, the use case and the stored answer commit together,
so a keyed booking is one transaction instead of three, and a duplicate sent while the first is
running waits on the key's unique index and then gets the first answer instead of a 409. Only a
refusal (a 4xx the route raised, which rolled its transaction back) is stored afterwards, here.
"""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio
import anyio.to_thread
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import FieldError, ProblemResponse, problem
from api.group_commit import GroupCommitter
from roadside_console.domain.core import idempotency
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.errors import DomainError
from roadside_console.domain.core.group_commit import SharedUnitOfWork
from roadside_console.domain.core.idempotency import RequestFingerprint, StoredResponse
from roadside_console.domain.core.uow import UnitOfWork

REPLAYED_HEADER = "Idempotent-Replayed"
ANONYMOUS_SCOPE = "anonymous"
REPLAYED_RESPONSE_HEADERS = ("content-type", "location")
EXCLUDED_PREFIXES = ("/api/v1/webhooks/", "/api/v1/auth/")
EXCLUDED_PATHS = frozenset({"/api/v1/estimates", "/api/v1/provider/location"})
IN_ROUTE_PATHS = frozenset({"/api/v1/bookings"})
STATE_PENDING = "idempotency_key"
STATE_ANSWERED = "idempotency_answered"
_HEADER = idempotency.HEADER.lower().encode()
T = TypeVar("T")


def applies_to(scope: Scope) -> bool:
    """Tell whether a request may carry an idempotency key: POSTs under /api/v1 but a few."""
    path: str = scope["path"]
    return (
        scope["type"] == "http"
        and scope["method"] == "POST"
        and path.startswith("/api/v1/")
        and not path.startswith(EXCLUDED_PREFIXES)
        and path.rstrip("/") not in EXCLUDED_PATHS
    )


def caller_scope(scope: Scope) -> str:
    """Return the key scope of the caller: their credential's SHA-256, or the anonymous one."""
    authorization = Headers(scope=scope).get("authorization")
    if not authorization:
        return ANONYMOUS_SCOPE
    return hashlib.sha256(authorization.encode()).hexdigest()


class IdempotencyMiddleware:
    """Claim the key, run the route once, store its answer, and replay it on a retry."""

    def __init__(self, app: ASGIApp, *, committer: GroupCommitter) -> None:
        self.app = app
        self.committer = committer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass through requests without a key; otherwise claim, run and store, or replay."""
        raw_key = _key_header(scope) if applies_to(scope) else None
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        try:
            key = idempotency.validate_key(raw_key)
        except DomainError as refused:
            await _problem_for(refused, scope)(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            return  # the client went away before it finished sending
        query = scope.get("query_string", b"").decode("latin-1")
        request = RequestFingerprint(
            method=scope["method"],
            path=scope["path"] + (f"?{query}" if query else ""),
            body_sha256=hashlib.sha256(body).hexdigest(),
        )
        if scope["path"].rstrip("/") in IN_ROUTE_PATHS:
            await self._run_in_route(
                PendingKey(caller_scope(scope), key, request), body, scope, receive, send
            )
            return
        try:
            claim = await self._claim(caller_scope(scope), key, request)
        except DomainError as refused:
            await _problem_for(refused, scope)(scope, receive, send)
            return
        if isinstance(claim, StoredResponse):
            await _replay(claim, send)
            return
        await self._run_and_store(claim, body, scope, receive, send)

    async def _run_in_route(
        self, pending: PendingKey, body: bytes, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Let the route claim, run and store in its transaction; store a refusal afterwards."""
        state = scope.setdefault("state", {})
        state[STATE_PENDING] = pending
        answer = _Recorder(send)
        await self.app(scope, replaying(body, receive), answer.send)
        # A refusal rolled the route's transaction back with its claim: keep it as the answer.
        refused = 400 <= answer.status < 500 and answer.status != 429
        if refused and answer.complete and not state.get(STATE_ANSWERED):
            stored = answer.stored()
            # A DomainError here means a retry with the key got there first: its answer stands.
            with anyio.CancelScope(shield=True), contextlib.suppress(DomainError):
                await self.committer.run(lambda uow: _claim_and_store(uow, pending, stored))

    async def _run_and_store(
        self, claim_id: uuid.UUID, body: bytes, scope: Scope, receive: Receive, send: Send
    ) -> None:
        answer = _Recorder(send)
        try:
            await self.app(scope, replaying(body, receive), answer.send)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await self._release(claim_id)
            raise
        # A server error or a throttled call is worth retrying: give the key back for that.
        retryable = answer.status >= 500 or answer.status == 429
        with anyio.CancelScope(shield=True):
            if retryable or not answer.complete:
                await self._release(claim_id)
            else:
                await self._complete(claim_id, answer.stored())

    # Claims and stored answers are tiny writes that come in bursts: they go through the group
    # committer with the hot routes' own writes (`api.group_commit`).

    async def _claim(
        self, scope: str, key: str, request: RequestFingerprint
    ) -> uuid.UUID | StoredResponse:
        return await self.committer.run(
            lambda uow: idempotency.claim_key(
                uow, scope=scope, key=key, request=request, now=utc_now()
            )
        )

    async def _complete(self, claim_id: uuid.UUID, response: StoredResponse) -> None:
        await self.committer.run(
            lambda uow: idempotency.complete_key(
                uow, claim_id=claim_id, response=response, now=utc_now()
            )
        )

    async def _release(self, claim_id: uuid.UUID) -> None:
        await self.committer.run(lambda uow: idempotency.release_key(uow, claim_id=claim_id))


def _key_header(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name.lower() == _HEADER:
            return value.decode("latin-1")
    return None


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _replay(stored: StoredResponse, send: Send) -> None:
    headers = [(n.encode(), v.encode("latin-1")) for n, v in stored.headers.items()]
    headers += [
        (b"content-length", str(len(stored.body)).encode()),
        (REPLAYED_HEADER.lower().encode(), b"true"),
    ]
    await send({"type": "http.response.start", "status": stored.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body, "more_body": False})


def _problem_for(error: DomainError, scope: Scope) -> ProblemResponse:
    return problem(
        error.status,
        code=error.code,
        title=error.title,
        detail=error.message,
        instance=scope["path"],
        errors=[FieldError(field=error.field, message=error.message)] if error.field else None,
    )


class _Recorder:
    """Pass a response on to the client and keep what a replay needs of it."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.status = 500
        self.headers: dict[str, str] = {}
        self.chunks: list[bytes] = []
        self.complete = False

    async def send(self, message: Message) -> None:
        """Forward one response message, noting its status, replayed headers and body."""
        if message["type"] == "http.response.start":
            self.status = message["status"]
            kept = Headers(raw=message.get("headers", []))
            self.headers = {n: kept[n] for n in REPLAYED_RESPONSE_HEADERS if n in kept}
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))
            self.complete = not message.get("more_body", False)
        await self._send(message)

    def stored(self) -> StoredResponse:
        """The response as the key keeps it."""
        return StoredResponse(
            status_code=self.status, body=b"".join(self.chunks), headers=self.headers
        )


@dataclass(frozen=True)
class PendingKey:
    """A key a route claims itself (`IN_ROUTE_PATHS`): who sent it, the key, the request."""

    scope: str
    key: str
    request: RequestFingerprint


def pending_key(scope: Scope) -> PendingKey | None:
    """Return the key the middleware left for this route to claim, if any."""
    pending: PendingKey | None = scope.get("state", {}).get(STATE_PENDING)
    return pending


def answer_once(
    uow: UnitOfWork,
    pending: PendingKey | None,
    use_case: Callable[[UnitOfWork], T],
    respond: Callable[[T], Response],
) -> Response:
    """Claim the key, run the use case and store its answer in one transaction; or replay.

    Without a key this is the use case and its response. With one, the claim, the use case and
    the stored answer share `uow`'s transaction (each runs on a `SharedUnitOfWork` whose commit
    waits for this one's): a crash or a refusal rolls all three back, and a concurrent request
    with the same key waits on the key's row, then replays this answer.
    """
    if pending is None:
        return respond(use_case(uow))
    part = SharedUnitOfWork(uow)
    claim = idempotency.claim_key(
        part, scope=pending.scope, key=pending.key, request=pending.request, now=utc_now()
    )
    if isinstance(claim, StoredResponse):
        uow.commit()  # nothing written: a replay
        return _replay_response(claim)
    response = respond(use_case(part))
    kept = {n: response.headers[n] for n in REPLAYED_RESPONSE_HEADERS if n in response.headers}
    stored = StoredResponse(status_code=response.status_code, body=response.body, headers=kept)
    idempotency.complete_key(part, claim_id=claim, response=stored, now=utc_now())
    uow.commit()
    return response


def mark_answered(scope: Scope) -> None:
    """Tell the middleware the route stored (or replayed) the key's answer itself."""
    scope.setdefault("state", {})[STATE_ANSWERED] = True


def _claim_and_store(uow: UnitOfWork, pending: PendingKey, stored: StoredResponse) -> None:
    part = SharedUnitOfWork(uow)
    claim = idempotency.claim_key(
        part, scope=pending.scope, key=pending.key, request=pending.request, now=utc_now()
    )
    if not isinstance(claim, StoredResponse):
        idempotency.complete_key(part, claim_id=claim, response=stored, now=utc_now())
    uow.commit()


def _replay_response(stored: StoredResponse) -> Response:
    headers = {**stored.headers, REPLAYED_HEADER: "true"}
    return Response(stored.body, status_code=stored.status_code, headers=headers)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the app a body already read, then the rest of the messages."""
    sent = False

    async def receive_body() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive_body
