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
    """Own a session for the length of one use case.

    The session is made on first use: a request whose caller and workspace come from caches
    opens a unit of work that never touches the database, and building a session it would not
    use cost as much as the rest of such a request's own code.
    """

    def __init__(self, session_factory: SessionFactory = new_session) -> None:
        self._session_factory = session_factory
        self._session: Session | None = None
        self._open = False

    @property
    def session(self) -> Session:
        """Return the session (only inside `with`), making it on first use."""
        if not self._open:
            raise RuntimeError("UnitOfWork used outside its `with` block")
        if self._session is None:
            self._session = self._session_factory()
        return self._session

    @property
    def has_session(self) -> bool:
        """Tell whether the session was made (so it may hold a transaction)."""
        return self._session is not None

    def __enter__(self) -> UnitOfWork:
        self._open = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed and detaches loaded objects without
        # expiring them, so callers can still read what a use case returned.
        if self._session is not None:
            self._session.close()
        self._session = None
        self._open = False

    def commit(self) -> None:
        """Make every change of this use case durable at once."""
        self.session.commit()

    def rollback(self) -> None:
        """Throw away every uncommitted change."""
        self.session.rollback()
