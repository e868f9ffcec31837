"""Group commit: use cases that run together keep their own transaction's all-or-nothing."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import select

from roadside_console.domain.core import idempotency
from roadside_console.domain.core.group_commit import run_together
from roadside_console.domain.core.idempotency import (
    IdempotencyKey,
    IdempotencyKeyReused,
    RequestFingerprint,
)
from roadside_console.domain.core.uow import UnitOfWork

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
ORDER = RequestFingerprint(method="POST", path="/api/v1/orders", body_sha256="a" * 64)
OTHER = RequestFingerprint(method="POST", path="/api/v1/orders", body_sha256="b" * 64)


def claim(key: str, request: RequestFingerprint = ORDER, runs: list[str] | None = None):
    """A use case: claim an idempotency key (it commits), noting each time it runs."""

    def work(uow: UnitOfWork):
        if runs is not None:
            runs.append(key)
        return idempotency.claim_key(uow, scope="caller", key=key, request=request, now=NOW)

    return work


def keys_stored(session) -> set[str]:
    return set(session.exec(select(IdempotencyKey.key)).all())


def test_every_use_case_of_a_batch_is_kept_and_answers_for_itself(session, uow_factory):
    # when
    outcomes = run_together(uow_factory, [claim("k-1"), claim("k-2"), claim("k-3")])
    # then
    ids = [outcome.unwrap() for outcome in outcomes]
    assert len(set(ids)) == 3
    assert keys_stored(session) == {"k-1", "k-2", "k-3"}
    stored = dict(session.exec(select(IdempotencyKey.key, IdempotencyKey.id)).all())
    assert [stored["k-1"], stored["k-2"], stored["k-3"]] == ids


def test_a_refusal_reaches_its_caller_only_and_the_others_are_kept(session, uow_factory):
    # given: k-1 was claimed for another request body
    run_together(uow_factory, [claim("k-1", OTHER)])[0].unwrap()
    runs: list[str] = []
    # when
    outcomes = run_together(
        uow_factory, [claim("k-2", runs=runs), claim("k-1", runs=runs), claim("k-3", runs=runs)]
    )
    # then
    assert isinstance(outcomes[1].error, IdempotencyKeyReused)
    assert outcomes[0].error is None and outcomes[2].error is None
    assert keys_stored(session) == {"k-1", "k-2", "k-3"}
    # the batch was rolled back and each ran again alone (k-3 had not run before the refusal)
    assert runs == ["k-2", "k-1", "k-2", "k-1", "k-3"]


def test_a_use_case_that_leaves_without_committing_writes_nothing(session, uow_factory):
    # given: a use case that writes and leaves without committing, as a failed check would
    def insert_and_leave(uow: UnitOfWork) -> str:
        idempotency._insert_claim(
            _NoCommit(uow),
            claim_id=uuid.uuid4(),
            scope="caller",
            key="left",
            request=ORDER,
            now=NOW,
        )
        return "left"

    # when
    outcomes = run_together(uow_factory, [claim("k-1"), insert_and_leave, claim("k-2")])
    # then
    assert [outcome.error for outcome in outcomes] == [None, None, None]
    assert outcomes[1].value == "left"
    assert keys_stored(session) == {"k-1", "k-2"}


def test_a_read_only_use_case_runs_with_the_others(session, uow_factory):
    # when
    outcomes = run_together(
        uow_factory,
        [claim("k-1"), lambda uow: len(uow.session.exec(select(IdempotencyKey)).all())],
    )
    # then
    assert outcomes[0].error is None
    assert outcomes[1].value == 1  # it saw the committed claim, in its own transaction
    assert keys_stored(session) == {"k-1"}


def test_pending_changes_after_the_commit_are_not_kept(session, uow_factory):
    # given: a use case that commits, then changes a loaded row without committing again
    def commit_then_change(uow: UnitOfWork) -> None:
        claim_id = idempotency.claim_key(uow, scope="caller", key="k-2", request=ORDER, now=NOW)
        uow.session.get(IdempotencyKey, claim_id).request_path = "/changed"  # type: ignore[union-attr]

    # when
    run_together(uow_factory, [claim("k-1"), commit_then_change])
    # then
    paths = dict(session.exec(select(IdempotencyKey.key, IdempotencyKey.request_path)).all())
    assert paths == {"k-1": "/api/v1/orders", "k-2": "/api/v1/orders"}


class _NoCommit:
    """A unit of work whose commit does nothing: the use case then leaves without committing."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.session = uow.session

    def commit(self) -> None:
        pass


def test_a_database_fault_in_one_use_case_leaves_the_others_kept(session, uow_factory):
    # given: a use case that writes a row breaking a constraint (a duplicate primary key)
    first = run_together(uow_factory, [claim("k-1")])[0].unwrap()

    def duplicate(uow: UnitOfWork) -> None:
        uow.session.execute(
            sa.insert(IdempotencyKey.__table__).values(  # type: ignore[attr-defined]
                id=first,
                scope="caller",
                key="dup",
                request_method="POST",
                request_path="/x",
                request_sha256="c" * 64,
                response_headers={},
                created_at=NOW,
            )
        )
        uow.commit()

    # when
    outcomes = run_together(uow_factory, [claim("k-2"), duplicate, claim("k-3")])
    # then
    assert isinstance(outcomes[1].error, sa.exc.IntegrityError)
    assert outcomes[0].error is None and outcomes[2].error is None
    assert keys_stored(session) == {"k-1", "k-2", "k-3"}


@pytest.mark.parametrize("size", [1, 2, 10])
def test_each_outcome_lines_up_with_its_use_case(uow_factory, size):
    # given
    works: list[Callable[[UnitOfWork], object]] = [claim(f"k-{i}") for i in range(size)]
    # when
    outcomes = run_together(uow_factory, works)
    # then
    assert len(outcomes) == size
    assert all(outcome.error is None for outcome in outcomes)


def test_after_a_refusal_the_rest_of_the_batch_runs_once(session, uow_factory):
    # given: k-bad was claimed for another request body
    run_together(uow_factory, [claim("k-bad", OTHER)])[0].unwrap()
    runs: list[str] = []
    names = ["k-a", "k-b", "k-bad", "k-c", "k-d"]
    # when
    outcomes = run_together(uow_factory, [claim(name, runs=runs) for name in names])
    # then
    assert [type(outcome.error) for outcome in outcomes] == [
        type(None),
        type(None),
        IdempotencyKeyReused,
        type(None),
        type(None),
    ]
    assert runs == ["k-a", "k-b", "k-bad", "k-a", "k-b", "k-bad", "k-c", "k-d"]
    assert keys_stored(session) == set(names)


KEY_INSERT = sa.insert(IdempotencyKey.__table__)  # type: ignore[attr-defined]


def queue_key(key: str, *, refuse: bool = False):
    """A use case that queues its row for the commit, then commits (or refuses first)."""

    def work(uow: UnitOfWork) -> str:
        uow.insert_at_commit(
            KEY_INSERT,
            {
                "id": uuid.uuid4(),
                "scope": "caller",
                "key": key,
                "request_method": "POST",
                "request_path": "/x",
                "request_sha256": "d" * 64,
                "response_headers": {},
                "created_at": NOW,
            },
        )
        if refuse:
            raise IdempotencyKeyReused("refused", "refused after queueing its row")
        uow.commit()
        return key

    return work


def test_rows_queued_for_the_commit_are_written_by_it_alone_or_grouped(session, uow_factory):
    # when
    with uow_factory() as uow:
        queue_key("alone")(uow)
    outcomes = run_together(uow_factory, [queue_key("g-1"), queue_key("g-2"), queue_key("g-3")])
    # then
    assert [outcome.unwrap() for outcome in outcomes] == ["g-1", "g-2", "g-3"]
    assert keys_stored(session) == {"alone", "g-1", "g-2", "g-3"}


def test_a_row_queued_by_a_use_case_that_then_refuses_is_never_written(session, uow_factory):
    # when
    outcomes = run_together(
        uow_factory, [queue_key("g-1"), queue_key("g-bad", refuse=True), queue_key("g-3")]
    )
    with pytest.raises(IdempotencyKeyReused), uow_factory() as uow:
        queue_key("alone-bad", refuse=True)(uow)
    # then
    assert isinstance(outcomes[1].error, IdempotencyKeyReused)
    assert keys_stored(session) == {"g-1", "g-3"}
