"""Who an API token acts for, remembered a few seconds so a busy client costs no query per call.

The key is the token's SHA-256 digest (the value `api_tokens.token_hash` stores), never the
token. An entry lives `ttl_seconds` (5 s), never past the token's own expiry. Revoking a token
forgets it in this process at once (`forget`); other processes stop accepting it within the
TTL, as do they for a user deactivated or given another role. A lookup that started before a
`forget` is never stored, so a slow reader cannot put a revoked token back. See
docs/decisions.md.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

from roadside_console.domain.core.auth import Actor

DEFAULT_TTL_SECONDS = 5.0
DEFAULT_MAX_ENTRIES = 10_000


class ActorCache:
    """A per-process, thread-safe map of token digest to actor, each entry for a few seconds."""

    def __init__(
        self,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[Actor, float]] = {}
        self._generation = 0

    @property
    def generation(self) -> int:
        """Read before a lookup and pass to `put`: a `forget` in between drops the result."""
        return self._generation

    def get(self, digest: str) -> Actor | None:
        """Return the remembered actor of `digest`, or None when unknown or too old."""
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if self._clock() >= entry[1]:
            with self._lock:
                self._entries.pop(digest, None)
            return None
        return entry[0]

    def put(
        self,
        digest: str,
        actor: Actor,
        *,
        generation: int,
        token_expires_at: datetime | None,
        now: datetime,
    ) -> None:
        """Remember `actor` for `digest`, unless a `forget` happened since `generation`."""
        lifetime = self.ttl_seconds
        if token_expires_at is not None:
            lifetime = min(lifetime, (token_expires_at - now).total_seconds())
        if lifetime <= 0:
            return
        with self._lock:
            if generation != self._generation:
                return
            if len(self._entries) >= self.max_entries:
                self._prune()
            self._entries[digest] = (actor, self._clock() + lifetime)

    def forget(self, digest: str | None = None) -> None:
        """Forget one token (or every token); lookups under way are not stored."""
        with self._lock:
            self._generation += 1
            if digest is None:
                self._entries.clear()
            else:
                self._entries.pop(digest, None)

    def _prune(self) -> None:
        now = self._clock()
        self._entries = {k: v for k, v in self._entries.items() if v[1] > now}
        if len(self._entries) >= self.max_entries:
            self._entries.clear()


api_token_actors = ActorCache()
