"""Rate limits on the public API: fixed windows per caller, counted in a shared store.

Every request under `/api/v1` falls in one bucket by method and path (strict for the calls that
cost money or dispatch work, auth for sign-in, webhooks for providers' callbacks, standard for
the rest); the caller is their bearer credential when they send one, else their address.
Counts live in Redis when `REDIS_URL` is set, else in PostgreSQL, else (the one-process SQLite
run) in memory. If the shared store fails, each process falls back to counting on its own and
says so in the log: limits get looser (per process) but never switch off.

Answers carry the IETF draft headers `RateLimit-Limit`, `RateLimit-Remaining`,
`RateLimit-Reset` (seconds) and `RateLimit-Policy`; a refused request gets a 429 problem with
`Retry-After`.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import anyio.to_thread
from redis import asyncio as aioredis
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem
from roadside_console.domain.core.rate_limits import count_hit
from roadside_console.domain.core.settings import Settings
from roadside_console.domain.core.uow import UnitOfWork

log = logging.getLogger(__name__)

V1_PREFIX = "/api/v1/"
EXEMPT_PATHS = frozenset({"/api/v1/health"})
STORE_RETRY_SECONDS = 5.0
WARNING_INTERVAL_SECONDS = 60.0

_STRICT_POST = re.compile(r"/api/v1/(estimates|bookings|bookings/[^/]+/checkout|payments(/.*)?)/?")


@dataclass(frozen=True)
class Limit:
    """At most `requests` per `window_seconds` for one caller."""

    requests: int
    window_seconds: int


@dataclass(frozen=True)
class RateLimitPolicy:
    """The limit of each bucket; tests pass a tighter one to `create_api(rate_limits=...)`."""

    standard: Limit = Limit(100, 60)
    strict: Limit = Limit(20, 60)
    auth: Limit = Limit(10, 300)
    webhooks: Limit = Limit(200, 60)

    def limit_for(self, bucket: str) -> Limit:
        """Return the limit of `bucket`."""
        return getattr(self, bucket)  # type: ignore[no-any-return]


def classify(method: str, path: str) -> str | None:
    """Name the bucket of a request, or None when it is not limited."""
    if not path.startswith(V1_PREFIX) or path.rstrip("/") in EXEMPT_PATHS:
        return None
    if path.startswith(V1_PREFIX + "webhooks/"):
        return "webhooks"
    if path.startswith(V1_PREFIX + "auth/"):
        return "auth"
    if method == "POST" and _STRICT_POST.fullmatch(path):
        return "strict"
    return "standard"


class StoreUnavailable(Exception):
    """The shared counter store did not answer."""


class CounterStore(Protocol):
    """Counts hits per key until the key's window ends."""

    name: str

    async def hit(self, key: str, *, window_ends_at: float) -> int:
        """Add one hit to `key` (which expires at `window_ends_at`, epoch seconds); return the count."""
        ...


class MemoryStore:
    """Counters in this process only: the embedded run, tests, and the fallback."""

    name = "memory"

    def __init__(self, *, prune_every: int = 1000) -> None:
        self._counts: dict[str, tuple[int, float]] = {}
        self._prune_every = prune_every
        self._since_prune = 0

    async def hit(self, key: str, *, window_ends_at: float) -> int:
        """Count in a dict; windows that ended are dropped now and then."""
        self._since_prune += 1
        if self._since_prune >= self._prune_every:
            self._prune(time.time())
        count, _ = self._counts.get(key, (0, window_ends_at))
        self._counts[key] = (count + 1, window_ends_at)
        return count + 1

    def _prune(self, now: float) -> None:
        self._since_prune = 0
        self._counts = {k: v for k, v in self._counts.items() if v[1] > now}


# INCR and the expiry in one round trip and one atomic step: a counter can never be left
# without its expiry by a crash between two commands.
_INCR_WITH_EXPIRY = """
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIREAT', KEYS[1], ARGV[1]) end
return hits
"""


class RedisStore:
    """Counters in Redis, shared by every app process."""

    name = "redis"

    def __init__(self, url: str, *, prefix: str = "roadside:ratelimit:", timeout: float = 0.5):
        self.prefix = prefix
        self._client = aioredis.Redis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout
        )
        self._incr = self._client.register_script(_INCR_WITH_EXPIRY)

    async def hit(self, key: str, *, window_ends_at: float) -> int:
        """Run the INCR-with-expiry script; a Redis or network error is `StoreUnavailable`."""
        expire_at_ms = math.ceil(window_ends_at * 1000) + 1000  # a second of slack for clocks
        try:
            return int(await self._incr(keys=[self.prefix + key], args=[expire_at_ms]))
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(str(exc)) from exc

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()


class PostgresStore:
    """Counters in an UNLOGGED PostgreSQL table, one atomic upsert per request."""

    name = "postgresql"

    def __init__(self, uow_factory: Callable[[], UnitOfWork]) -> None:
        self._uow_factory = uow_factory

    async def hit(self, key: str, *, window_ends_at: float) -> int:
        """Upsert the counter in a worker thread; a database error is `StoreUnavailable`."""
        expires_at = datetime.fromtimestamp(window_ends_at, UTC)
        try:
            return await anyio.to_thread.run_sync(self._hit, key, expires_at)
        except SQLAlchemyError as exc:
            raise StoreUnavailable(str(exc)) from exc

    def _hit(self, key: str, expires_at: datetime) -> int:
        with self._uow_factory() as uow:
            return count_hit(uow, key=key, expires_at=expires_at)


def store_from_settings(settings: Settings, uow_factory: Callable[[], UnitOfWork]) -> CounterStore:
    """Pick Redis, else PostgreSQL, else memory; the test environment always gets memory."""
    if settings.roadside_env == "test":
        return MemoryStore()
    if settings.redis_url:
        return RedisStore(settings.redis_url)
    if not settings.is_sqlite:
        return PostgresStore(uow_factory)
    log.info("Rate limits are counted in memory: the SQLite embedded run is a single process.")
    return MemoryStore()


class RateLimiter:
    """Count in the shared store; while it is down, count in this process and say so."""

    def __init__(self, store: CounterStore, *, fallback: CounterStore | None = None) -> None:
        self.store = store
        self.fallback = fallback or MemoryStore()
        self._store_down_until = 0.0
        self._last_warning = -math.inf

    async def hit(self, key: str, *, window_ends_at: float) -> int:
        """Return the caller's count in this window, from the shared store when it answers."""
        now = time.monotonic()
        if now >= self._store_down_until:
            try:
                return await self.store.hit(key, window_ends_at=window_ends_at)
            except StoreUnavailable as exc:
                self._store_down_until = now + STORE_RETRY_SECONDS
                self._warn(now, exc)
        return await self.fallback.hit(key, window_ends_at=window_ends_at)

    def _warn(self, now: float, exc: StoreUnavailable) -> None:
        if now - self._last_warning >= WARNING_INTERVAL_SECONDS:
            self._last_warning = now
            log.warning(
                "Rate-limit store %s is unavailable (%s); limiting per process until it is back.",
                self.store.name,
                exc,
            )


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> list[Network]:
    """Parse addresses and CIDR ranges (a bare address is a /32 or /128)."""
    return [ipaddress.ip_network(value, strict=False) for value in values]


def client_address(scope: Scope, trusted_proxies: Sequence[Network] = ()) -> str:
    """Return the caller's address: the socket peer, or the nearest untrusted hop it forwarded.

    `X-Forwarded-For` is read right to left and only while the hop that added it is one of our
    proxies, so a client cannot pick its own address by sending the header.
    """
    peer = (scope.get("client") or ("unknown", 0))[0]
    if not trusted_proxies or not _is_trusted(peer, trusted_proxies):
        return str(peer)
    forwarded = ",".join(Headers(scope=scope).getlist("x-forwarded-for"))
    address = str(peer)
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break
        address = hop
        if not _is_trusted(hop, trusted_proxies):
            break
    return address


def _is_trusted(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def caller_key(scope: Scope, trusted_proxies: Sequence[Network] = ()) -> str:
    """Identify the caller: a hash of their Authorization header, else their address."""
    authorization = Headers(scope=scope).get("authorization")
    if authorization:
        return "auth:" + hashlib.sha256(authorization.encode()).hexdigest()
    return "ip:" + client_address(scope, trusted_proxies)


class RateLimitMiddleware:
    """Refuse requests over their bucket's limit with 429; tell everyone where they stand."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter: RateLimiter,
        policy: RateLimitPolicy | None = None,
        trusted_proxies: Sequence[Network] = (),
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.policy = policy or RateLimitPolicy()
        self.trusted_proxies = list(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the request, then answer 429 or run it with the rate-limit headers added."""
        bucket = classify(scope["method"], scope["path"]) if scope["type"] == "http" else None
        if bucket is None:
            await self.app(scope, receive, send)
            return
        limit = self.policy.limit_for(bucket)
        now = time.time()
        window = int(now // limit.window_seconds)
        window_ends_at = float((window + 1) * limit.window_seconds)
        key = f"{bucket}:{caller_key(scope, self.trusted_proxies)}:{window}"
        hits = await self.limiter.hit(key, window_ends_at=window_ends_at)
        reset = max(1, math.ceil(window_ends_at - now))
        headers = {
            "RateLimit-Limit": str(limit.requests),
            "RateLimit-Remaining": str(max(0, limit.requests - hits)),
            "RateLimit-Reset": str(reset),
            "RateLimit-Policy": f"{limit.requests};w={limit.window_seconds}",
        }
        if hits > limit.requests:
            refusal = problem(
                429,
                code="rate_limited",
                detail=f"Too many requests: at most {limit.requests} every "
                f"{limit.window_seconds} seconds for this kind of call. Retry in {reset} s.",
                instance=scope["path"],
                headers={**headers, "Retry-After": str(reset)},
            )
            await refusal(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                for name, value in headers.items():
                    response_headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
