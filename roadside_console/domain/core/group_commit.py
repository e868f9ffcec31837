"""Group commit: run several small use cases in one database transaction.

A busy API receives many tiny writes at once (estimates, bookings, location fixes), and each
one's own transaction costs more than its work: the BEGIN, the COMMIT and its WAL flush, the
session and the connection checkout. `run_together` runs a batch of use cases one after the
other on one session, each with a unit of work whose `commit()` only says "my part is done", and
commits the batch once. Nobody is told "done" before that COMMIT succeeded, so an answer is as
durable as with a transaction of its own.

The batch commits only when every use case in it committed. If one refuses (a `DomainError`),
fails, or returns without committing, the batch is rolled back; that use case runs again alone,
in a transaction of its own (exactly what it would have run without grouping, so the refusal
reaches its caller from a clean slate), the ones before it run again together and the ones after
it carry on as a batch. That costs a second run of a few use cases when something goes wrong,
which is rare on the routes that use this (their input is checked before the use case runs),
and saves a savepoint's two round trips on every use case otherwise.
Use cases must keep their side effects in the database (outbox rows, not sends), which they
already do to be safe on rollback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.sql.expression import Executable
from sqlmodel import Session

from roadside_console.domain.core.uow import UnitOfWork

T = TypeVar("T")
Work = Callable[[UnitOfWork], Any]
"""A use case bound to its arguments: it takes the unit of work, commits it, returns a result."""

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What one use case of a batch returned or raised."""

    value: T | None = None
    error: BaseException | None = None

    def unwrap(self) -> T:
        """Return the value, or raise what the use case raised."""
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


class _Regroup(Exception):
    """A use case of the batch did not commit: roll the batch back and run each alone."""


class SharedUnitOfWork(UnitOfWork):
    """One use case's share of a grouped transaction: `commit()` marks its part done."""

    def __init__(self, shared: UnitOfWork) -> None:
        super().__init__(session_factory=lambda: shared.session)
        self._shared = shared
        self._session = shared.session
        self._open = True
        self.committed = False
        self.pending_at_commit = 0

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(self, *_exc: object) -> None:
        """The shared session stays open for the next use case of the batch."""

    def insert_at_commit(self, statement: Executable, params: dict[str, Any]) -> None:
        """Queue the row with the batch's: all of them go out in one INSERT before its COMMIT."""
        self._shared.insert_at_commit(statement, params)

    def commit(self) -> None:
        """Mark this use case's part done; the batch flushes and commits all parts at once.

        Not flushing here lets the ORM write the whole batch's new rows as one INSERT per table
        (a read that needs pending rows still flushes them first, as autoflush does).
        """
        self.committed = True
        self.pending_at_commit = _pending_count(self.session)

    def rollback(self) -> None:
        """Only the whole batch can roll back: it does, and this use case runs again alone."""
        raise _Regroup("a grouped use case rolled back")


def _pending_count(session: Session) -> int:
    """Count the ORM changes the session holds for its next flush."""
    return len(session.new) + len(session.dirty) + len(session.deleted)


def run_alone(uow_factory: Callable[[], UnitOfWork], work: Work) -> Outcome[Any]:
    """Run one use case in its own unit of work, as it runs without grouping."""
    try:
        with uow_factory() as uow:
            return Outcome(value=work(uow))
    except Exception as exc:
        return Outcome(error=exc)


def run_together(
    uow_factory: Callable[[], UnitOfWork], works: Sequence[Work]
) -> list[Outcome[Any]]:
    """Run `works` in one transaction; return their outcomes in order.

    When one of them does not commit, the batch is rolled back: those before it run together
    again, it runs alone (so its answer comes from a transaction of its own), and those after it
    go on as a batch of their own. When the COMMIT itself fails, each runs alone.
    """
    if len(works) <= 1:
        return [run_alone(uow_factory, work) for work in works]
    values: list[Any] = []
    failed_at: int | None = None
    try:
        with uow_factory() as shared:
            for i, work in enumerate(works):
                failed_at = i
                uow = SharedUnitOfWork(shared)
                values.append(work(uow))
                if not uow.committed or _pending_count(shared.session) != uow.pending_at_commit:
                    raise _Regroup("a grouped use case left changes it did not commit")
            failed_at = None
            shared.commit()
    except Exception as exc:
        logger.debug("group of %d use cases split after %r", len(works), exc)
        if failed_at is None:
            return [run_alone(uow_factory, work) for work in works]
        return [
            *run_together(uow_factory, works[:failed_at]),
            run_alone(uow_factory, works[failed_at]),
            *run_together(uow_factory, works[failed_at + 1 :]),
        ]
    return [Outcome(value=value) for value in values]
