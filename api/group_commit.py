"""Group commit for the API's hot writes: requests that arrive together share one transaction.

A route hands its use case to `GroupCommitter.run` instead of running it on the thread pool
itself. The first request starts a flush at once (an idle server adds no wait); requests that
arrive while a flush is running queue up and go together in the next one, one thread hop and
one COMMIT for all of them (`domain.core.group_commit.run_together`: each use case in its own
savepoint). Every caller's `run` returns only after the COMMIT that holds its work, so an answer
means what it meant with a transaction of its own. The busier the server, the bigger the batches,
which is what keeps the per-request cost down when it matters.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from roadside_console.domain.core.group_commit import Work, run_together
from roadside_console.domain.core.uow import UnitOfWork

T = TypeVar("T")
logger = logging.getLogger(__name__)
MAX_BATCH = 64
"""Use cases per transaction at most: bounds how long one batch holds its row locks."""


class GroupCommitter:
    """Queue use cases from concurrent requests and run each queue in one transaction."""

    def __init__(
        self, uow_factory: Callable[[], UnitOfWork], *, max_batch: int = MAX_BATCH
    ) -> None:
        self.uow_factory = uow_factory
        self.max_batch = max_batch
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: list[tuple[Work, asyncio.Future[Any]]] = []
        self._flushing = False
        self._task: asyncio.Task[None] | None = None

    async def run(self, work: Callable[[UnitOfWork], T]) -> T:
        """Run `work` (a use case bound to its arguments) and return its result once committed."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (a test client's): start afresh
            self._loop, self._queue, self._flushing = loop, [], False
        done: asyncio.Future[T] = loop.create_future()
        self._queue.append((work, done))
        if not self._flushing:
            self._flushing = True
            self._task = loop.create_task(self._flush())
        return await done

    async def _flush(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
                try:
                    with anyio.CancelScope(shield=True):  # a client leaving must not cut it short
                        outcomes = await anyio.to_thread.run_sync(
                            run_together, self.uow_factory, [work for work, _ in batch]
                        )
                except Exception as exc:
                    logger.exception("a group commit of %d use cases crashed", len(batch))
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(exc)
                    continue
                for (_, done), outcome in zip(batch, outcomes, strict=True):
                    if done.done():
                        continue
                    if outcome.error is not None:
                        done.set_exception(outcome.error)
                    else:
                        done.set_result(outcome.value)
        finally:
            self._flushing = False
