"""Idempotency keys in the database: claimed once, replayed, refused, expired and purged."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from roadside_console.domain.core import idempotency
from roadside_console.domain.core.idempotency import (
    IdempotencyKey,
    IdempotencyKeyInProgress,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
    RequestFingerprint,
    StoredResponse,
)
from roadside_console.worker.jobs import purge_expired_api_rows

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
ORDER = RequestFingerprint(method="POST", path="/api/v1/orders", body_sha256="a" * 64)
CREATED = StoredResponse(
    status_code=201, body=b'{"id": 1}', headers={"content-type": "application/json"}
)


def _claim(uow_factory, *, key="k-1", scope="caller-1", request=ORDER, now=NOW):
    with uow_factory() as uow:
        return idempotency.claim_key(uow, scope=scope, key=key, request=request, now=now)


def _complete(uow_factory, claim_id, response=CREATED, now=NOW):
    with uow_factory() as uow:
        idempotency.complete_key(uow, claim_id=claim_id, response=response, now=now)


def test_a_completed_key_returns_the_stored_response_to_the_same_request(uow_factory):
    # given
    _complete(uow_factory, _claim(uow_factory))
    # when
    again = _claim(uow_factory, now=NOW + timedelta(hours=1))
    # then
    assert again == CREATED


def test_a_key_still_in_flight_is_refused_as_in_progress(uow_factory):
    # given
    _claim(uow_factory)
    # when / then
    with pytest.raises(IdempotencyKeyInProgress) as refused:
        _claim(uow_factory)
    assert refused.value.field == "Idempotency-Key"


def test_a_key_used_with_another_body_or_path_is_refused(uow_factory):
    # given
    _complete(uow_factory, _claim(uow_factory))
    other_body = RequestFingerprint(method="POST", path="/api/v1/orders", body_sha256="b" * 64)
    other_path = RequestFingerprint(method="POST", path="/api/v1/quotes", body_sha256="a" * 64)
    # when / then
    for request in (other_body, other_path):
        with pytest.raises(IdempotencyKeyReused) as refused:
            _claim(uow_factory, request=request)
        assert refused.value.code == "idempotency_key_reused"


def test_the_same_key_of_another_caller_is_a_separate_claim(uow_factory):
    # given
    _complete(uow_factory, _claim(uow_factory, scope="caller-1"))
    # when
    claim = _claim(uow_factory, scope="caller-2")
    # then
    assert not isinstance(claim, StoredResponse)


def test_a_released_key_can_be_claimed_again(uow_factory):
    # given
    first = _claim(uow_factory)
    with uow_factory() as uow:
        idempotency.release_key(uow, claim_id=first)
    # when
    second = _claim(uow_factory)
    # then
    assert second != first and not isinstance(second, StoredResponse)


def test_a_key_older_than_24_hours_starts_afresh_even_before_the_purge(uow_factory):
    # given
    _complete(uow_factory, _claim(uow_factory, now=NOW - timedelta(hours=25)))
    # when
    claim = _claim(uow_factory, request=RequestFingerprint("POST", "/api/v1/x", "c" * 64))
    # then
    assert not isinstance(claim, StoredResponse)


def test_a_claim_abandoned_by_a_crashed_process_is_taken_over_after_five_minutes(uow_factory):
    # given a claim that never completed
    _claim(uow_factory, now=NOW - timedelta(minutes=6))
    # when
    claim = _claim(uow_factory)
    # then
    assert not isinstance(claim, StoredResponse)


@pytest.mark.parametrize("raw", ["", "   ", "k" * 256])
def test_an_empty_or_over_long_key_is_refused_naming_the_header(raw):
    with pytest.raises(InvalidIdempotencyKey) as refused:
        idempotency.validate_key(raw)
    assert refused.value.field == "Idempotency-Key"


def test_a_key_of_255_characters_is_accepted():
    assert idempotency.validate_key("k" * 255) == "k" * 255


def test_the_worker_purge_deletes_keys_older_than_24_hours_and_keeps_recent_ones(
    session, uow_factory
):
    # given
    _complete(uow_factory, _claim(uow_factory, key="old", now=NOW - timedelta(hours=25)))
    _complete(uow_factory, _claim(uow_factory, key="recent", now=NOW - timedelta(hours=23)))
    # when
    report = purge_expired_api_rows(uow_factory, NOW)
    # then
    assert report.idempotency_keys == 1
    kept = session.exec(select(IdempotencyKey.key)).all()
    assert "recent" in kept and "old" not in kept
