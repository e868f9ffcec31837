"""Unit of work: one transaction per use case, committed in one place.

A use case receives a `UnitOfWork`, reads and writes through `uow.session`, and calls
`uow.commit()` once at the end. Leaving the `with` block without committing rolls back, so a
failure half-way writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy.sql.expression import Executable
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
        self._at_commit: list[tuple[Executable, dict[str, Any]]] = []

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
        self._at_commit = []

    def insert_at_commit(self, statement: Executable, params: dict[str, Any]) -> None:
        """Run this INSERT with the commit, with any others of the same statement as one.

        For a use case's last write to rows nothing reads back before the commit (a quote):
        queued rows of one statement go out as a single multi-row INSERT, which is what lets a
        group commit (`group_commit`) write a whole batch of estimates in one statement.
        """
        self._at_commit.append((statement, params))

    def commit(self) -> None:
        """Make every change of this use case durable at once."""
        self.write_queued_inserts()
        self.session.commit()

    def write_queued_inserts(self) -> None:
        """Execute the `insert_at_commit` rows now: one executemany per statement, in order."""
        queued, self._at_commit = self._at_commit, []
        by_statement: dict[int, tuple[Executable, list[dict[str, Any]]]] = {}
        for statement, params in queued:
            by_statement.setdefault(id(statement), (statement, []))[1].append(params)
        for statement, rows in by_statement.values():
            self.session.execute(statement, rows)

    def rollback(self) -> None:
        """Throw away every uncommitted change."""
        self.session.rollback()
