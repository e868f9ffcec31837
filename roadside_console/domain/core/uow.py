"""Unit of work: one transaction per use case, committed in one place.

A use case receives a `UnitOfWork`, reads and writes through `uow.session`, and calls
`uow.commit()` once at the end. Leaving the `with` block without committing rolls back, so a
failure half-way writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlmodel import Session

from roadside_console.domain.core.db import new_session

SessionFactory = Callable[[], Session]


class UnitOfWork:
    """Own a session for the length of one use case."""

    def __init__(self, session_factory: SessionFactory = new_session) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """Return the open session (only inside `with`)."""
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside its `with` block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self._session_factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed and detaches loaded objects without
        # expiring them, so callers can still read what a use case returned.
        self.session.close()
        self._session = None

    def commit(self) -> None:
        """Make every change of this use case durable at once."""
        self.session.commit()

    def rollback(self) -> None:
        """Throw away every uncommitted change."""
        self.session.rollback()
