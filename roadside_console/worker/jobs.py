"""Periodic jobs: a name, how often, and a function of `(uow_factory, now)`.

Register a job with one line at the bottom of this module:

    register_job("expire_offers", 30, expire_offers)

Each worker process keeps its own schedule, and several processes may run at once, so a job
must be idempotent and safe to run concurrently (claim rows with the domain's locks or leases,
rely on unique constraints for "once per period" work). A job returns any small report object;
one with a true `has_more` attribute makes the runner go again without waiting for the poll.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from roadside_console.domain.core.idempotency import purge_expired_keys
from roadside_console.domain.core.rate_limits import purge_expired_counters
from roadside_console.domain.core.settings import get_settings
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch.expiry import run_offer_expiry
from roadside_console.domain.dispatch.first_dispatch import run_first_dispatch
from roadside_console.domain.identity.maintenance import PurgeReport, purge_auth_rows
from roadside_console.domain.notifications.models import Channel
from roadside_console.domain.notifications.service import (
    BATCH_SIZE,
    DeliveryReport,
    Sender,
    deliver_due_messages,
)
from roadside_console.domain.providers.service import run_location_purge
from roadside_console.integrations.senders import build_senders

UowFactory = Callable[[], UnitOfWork]
JobFn = Callable[[UowFactory, datetime], object]

EVERY_POLL = 0.0
HOUR = 3600.0


@dataclass(frozen=True)
class Job:
    """A periodic job; `interval_seconds == 0` means on every poll."""

    name: str
    interval_seconds: float
    fn: JobFn


class JobRegistry:
    """An ordered set of jobs, unique by name."""

    def __init__(self, jobs: Iterable[Job] = ()) -> None:
        self._jobs: dict[str, Job] = {}
        for job in jobs:
            self.add(job.name, job.interval_seconds, job.fn)

    def add(self, name: str, interval_seconds: float, fn: JobFn) -> JobFn:
        """Register `fn` to run every `interval_seconds`; return `fn` (usable as a decorator)."""
        if name in self._jobs:
            raise ValueError(f"a job named {name!r} is already registered")
        if interval_seconds < 0:
            raise ValueError("interval_seconds must be zero (every poll) or positive")
        self._jobs[name] = Job(name, float(interval_seconds), fn)
        return fn

    def job(self, name: str, *, every: float) -> Callable[[JobFn], JobFn]:
        """Register the decorated function as a job."""
        return lambda fn: self.add(name, every, fn)

    def __iter__(self) -> Iterator[Job]:
        return iter(list(self._jobs.values()))

    def __len__(self) -> int:
        return len(self._jobs)

    @property
    def names(self) -> list[str]:
        """Return the job names in registration order."""
        return list(self._jobs)


registry = JobRegistry()


def register_job(name: str, interval_seconds: float, fn: JobFn) -> JobFn:
    """Add a job to the default registry that `run_once` and `run_forever` use."""
    return registry.add(name, interval_seconds, fn)


def new_worker_id() -> str:
    """Name this worker process in logs: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class DeliverOutbox:
    """The outbox job: deliver one batch of due messages.

    Senders come from the settings on first use (real adapters when configured, recording
    otherwise); tests pass their own.
    """

    def __init__(
        self,
        senders: Mapping[Channel, Sender] | None = None,
        *,
        batch_size: int = BATCH_SIZE,
        worker_id: str | None = None,
    ) -> None:
        self._senders = senders
        self.batch_size = batch_size
        self.worker_id = worker_id or new_worker_id()

    @property
    def senders(self) -> Mapping[Channel, Sender]:
        """Return the senders, building them from the settings the first time."""
        if self._senders is None:
            self._senders = build_senders(get_settings())
        return self._senders

    def __call__(self, uow_factory: UowFactory, now: datetime) -> DeliveryReport:
        """Deliver one batch."""
        return deliver_due_messages(
            uow_factory,
            senders=self.senders,
            now=now,
            worker_id=self.worker_id,
            batch_size=self.batch_size,
        )


def purge_expired_auth_rows(uow_factory: UowFactory, now: datetime) -> PurgeReport:
    """Delete sign-in rows nobody needs any more (see the identity domain for what is kept)."""
    with uow_factory() as uow:
        return purge_auth_rows(uow, now=now)


@dataclass(frozen=True)
class ApiPurgeReport:
    """How many expired idempotency keys and rate-limit counters the purge deleted."""

    idempotency_keys: int
    rate_limit_counters: int


def purge_expired_api_rows(uow_factory: UowFactory, now: datetime) -> ApiPurgeReport:
    """Delete idempotency keys past their 24 hours and rate-limit windows that are over."""
    with uow_factory() as uow:
        keys = purge_expired_keys(uow, now=now)
    with uow_factory() as uow:
        counters = purge_expired_counters(uow, now=now)
    return ApiPurgeReport(idempotency_keys=keys, rate_limit_counters=counters)


register_job("deliver_outbox", EVERY_POLL, DeliverOutbox())
register_job("purge_expired_auth_rows", HOUR, purge_expired_auth_rows)
register_job("purge_expired_api_rows", HOUR, purge_expired_api_rows)
register_job("purge_provider_locations", HOUR, run_location_purge)  # LOCATION_RETENTION_DAYS
register_job("expire_offers", 5, run_offer_expiry)  # offers live 60 s: at most 5 s late
register_job("dispatch_ready_bookings", EVERY_POLL, run_first_dispatch)
