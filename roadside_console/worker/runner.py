"""Run the registered jobs: once, in a loop, or inside the web app.

`run_once` makes one pass, `run_forever` loops, and `embedded_worker_task` is the Reflex
lifespan task that runs the loop inside the web process.

Jobs run in a worker thread (`asyncio.to_thread`) so database and network I/O never block the
event loop; each job's exception is logged and never stops the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from roadside_console.domain.core.clock import Clock, utc_now
from roadside_console.domain.core.settings import get_settings
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.worker.jobs import Job, UowFactory, registry

logger = logging.getLogger(__name__)

# A failed job is retried after this long (or after its own interval, if shorter).
RETRY_FAILED_AFTER = timedelta(seconds=60)
# A job that runs more often than this logs each run at DEBUG: the offer sweep every 5 s
# would write 17,000 INFO lines a day saying it found nothing. Such jobs log what they do.
ROUTINE_BELOW_SECONDS = 60


@dataclass(frozen=True)
class JobOutcome:
    """How one job run ended."""

    name: str
    ok: bool
    seconds: float
    result: object = None
    error: str | None = None

    @property
    def has_more(self) -> bool:
        """Tell whether the job left due work behind (its result says `has_more`)."""
        return self.ok and bool(getattr(self.result, "has_more", False))


@dataclass(frozen=True)
class RunReport:
    """What one pass over the due jobs did."""

    started_at: datetime
    outcomes: tuple[JobOutcome, ...] = field(default=())

    @property
    def ran(self) -> list[str]:
        """Return the names of the jobs that ran."""
        return [o.name for o in self.outcomes]

    @property
    def failed(self) -> list[str]:
        """Return the names of the jobs that raised."""
        return [o.name for o in self.outcomes if not o.ok]

    @property
    def ok(self) -> bool:
        """Tell whether every job that ran succeeded."""
        return not self.failed

    @property
    def has_more(self) -> bool:
        """Tell whether some job left due work behind."""
        return any(o.has_more for o in self.outcomes)

    def outcome(self, name: str) -> JobOutcome:
        """Return the outcome of the job `name` (KeyError if it did not run)."""
        for o in self.outcomes:
            if o.name == name:
                return o
        raise KeyError(name)


class Scheduler:
    """Remember when each job is next due in this process, and run the due ones."""

    def __init__(
        self,
        jobs: Iterable[Job] | None = None,
        *,
        uow_factory: UowFactory = UnitOfWork,
        clock: Clock = utc_now,
    ) -> None:
        self.jobs = list(registry if jobs is None else jobs)
        self.uow_factory = uow_factory
        self.clock = clock
        self._next_due: dict[str, datetime] = {}

    def due(self, now: datetime) -> list[Job]:
        """Return the jobs due at `now`, in registration order."""
        return [j for j in self.jobs if self._next_due.get(j.name, now) <= now]

    def run_once(
        self, now: datetime | None = None, *, should_stop: Callable[[], bool] = lambda: False
    ) -> RunReport:
        """Run each due job once; stop before the next job when `should_stop()` turns true."""
        now = now or self.clock()
        outcomes: list[JobOutcome] = []
        for job in self.due(now):
            if should_stop():
                break
            outcome = _run_job(job, self.uow_factory, now)
            interval = timedelta(seconds=job.interval_seconds)
            if not outcome.ok:
                interval = min(interval, RETRY_FAILED_AFTER)
            self._next_due[job.name] = now + interval
            outcomes.append(outcome)
        return RunReport(started_at=now, outcomes=tuple(outcomes))


def _run_job(job: Job, uow_factory: UowFactory, now: datetime) -> JobOutcome:
    started = time.monotonic()
    try:
        result = job.fn(uow_factory, now)
    except Exception as exc:
        seconds = time.monotonic() - started
        logger.exception("job failed", extra={"job": job.name, "seconds": round(seconds, 3)})
        error = f"{type(exc).__name__}: {exc}"
        return JobOutcome(job.name, ok=False, seconds=seconds, error=error)
    seconds = time.monotonic() - started
    level = logging.DEBUG if job.interval_seconds < ROUTINE_BELOW_SECONDS else logging.INFO
    logger.log(
        level,
        "job ran",
        extra={"job": job.name, "seconds": round(seconds, 3), "result": repr(result)},
    )
    return JobOutcome(job.name, ok=True, seconds=seconds, result=result)


def run_once(now: datetime | None = None, *, scheduler: Scheduler | None = None) -> RunReport:
    """Run every due job once (with a fresh scheduler: every registered job) and report."""
    return (scheduler or Scheduler()).run_once(now)


async def run_forever(
    stop_event: asyncio.Event,
    poll_seconds: float | None = None,
    *,
    scheduler: Scheduler | None = None,
) -> None:
    """Run due jobs every `poll_seconds` until `stop_event` is set (or the task is cancelled).

    A pass runs in a thread. Once `stop_event` is set no new job starts, the job in flight
    finishes in its thread, and this coroutine returns at once instead of waiting for it.
    """
    scheduler = scheduler or Scheduler()
    poll = get_settings().worker_poll_seconds if poll_seconds is None else poll_seconds
    halt = threading.Event()
    logger.info(
        "worker started", extra={"jobs": [j.name for j in scheduler.jobs], "poll_seconds": poll}
    )
    try:
        while not stop_event.is_set():
            report = await _run_pass(scheduler, stop_event, halt)
            if report is not None and report.has_more:
                await asyncio.sleep(0)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_event.wait(), timeout=poll)
    finally:
        halt.set()
        logger.info("worker stopped")


async def _run_pass(
    scheduler: Scheduler, stop_event: asyncio.Event, halt: threading.Event
) -> RunReport | None:
    """Run one pass in a thread; return None early (leaving it to finish) if asked to stop."""
    pass_task = asyncio.ensure_future(
        asyncio.to_thread(scheduler.run_once, should_stop=halt.is_set)
    )
    stop_task = asyncio.ensure_future(stop_event.wait())
    try:
        await asyncio.wait({pass_task, stop_task}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        halt.set()
        pass_task.add_done_callback(_log_late_failure)
        raise
    finally:
        stop_task.cancel()
    if not pass_task.done():
        halt.set()
        pass_task.add_done_callback(_log_late_failure)
        return None
    try:
        return pass_task.result()
    except Exception:
        logger.exception("worker pass failed")
        return None


def _log_late_failure(task: asyncio.Future[RunReport]) -> None:
    if not task.cancelled() and (exc := task.exception()) is not None:
        logger.error("worker pass failed after the worker stopped", exc_info=exc)


async def embedded_worker_task() -> None:
    """Run the worker inside the web app until the app shuts down (a Reflex lifespan task).

    Registered with `app.register_lifespan_task(embedded_worker_task)` when `EMBEDDED_WORKER`
    is true. Cancellation stops it: no new job starts, and `CancelledError` propagates so the
    task ends as cancelled, which is what Reflex expects at shutdown.
    """
    stop_event = asyncio.Event()
    try:
        await run_forever(stop_event, get_settings().worker_poll_seconds)
    except asyncio.CancelledError:
        stop_event.set()
        logger.info("embedded worker cancelled")
        raise
