"""The payouts desk: past batches with who ran them, and their transfer file again."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime

import reflex as rx

from roadside_console.domain.core.auth import Role
from roadside_console.domain.identity.models import User
from roadside_console.domain.payouts.batches import run_payout_batch
from roadside_console.domain.payouts.queries import BatchHistoryPage, BatchSummary
from roadside_console.ui.payouts.page import (
    PayoutsState,
    batch_period,
    past_batches,
    payouts_page,
)
from tests.factories import make_user
from tests.payments.support import make_world
from tests.payouts.test_queries import _paid_job
from tests.ui.support import run_handler, signed_in_state

TZ = "America/New_York"


def test_a_past_batch_reads_on_the_operators_clock_and_names_who_ran_it():
    batch_id = uuid.uuid4()
    history = BatchHistoryPage(
        rows=[
            BatchSummary(
                batch_id=batch_id,
                created_at=datetime(2026, 6, 11, 2, 0, tzinfo=UTC),  # Jun 10, 10 pm locally
                run_by="",
                provider_count=3,
                total_cents=123456,
                period_start=None,
                period_end=None,
            )
        ],
        total=1,
        page=1,
        page_size=10,
        timezone=TZ,
    )
    [line] = past_batches(history)
    assert line.batch_id == str(batch_id)
    assert line.reference == str(batch_id)[:8].upper()
    assert (line.run_by, line.period, line.providers, line.total) == (
        "Scheduled run",
        "Everything pending",
        3,
        "$1,234.56",
    )
    assert line.when.startswith("Jun 10")


def test_a_batch_for_some_days_says_which():
    assert batch_period(date(2026, 6, 1), date(2026, 6, 7)) == "Jun 01 – Jun 07"
    assert batch_period(date(2026, 6, 1), None) == "Jun 01 – …"


def test_the_payouts_page_builds_with_the_batch_history():
    rendered = str(payouts_page().render())
    for element in ("batch-history", "run-batch", "owed-table"):
        assert element in rendered


def test_finance_sees_past_batches_and_downloads_one_again(session, uow_factory, monkeypatch):
    # given a batch finance ran earlier
    world = make_world(session)
    _paid_job(session, uow_factory, world, 20000)
    with uow_factory() as uow:
        result = run_payout_batch(uow, actor=world.finance)
    finance = session.get(User, world.finance.user_id)
    state = signed_in_state(PayoutsState, finance, world.tenant, uow_factory, monkeypatch)
    # when the payouts page opens
    run_handler(state.load())
    # then the batch is listed with who ran it, and its CSV downloads again
    [line] = state.history
    assert (line.batch_id, line.run_by, line.total) == (
        str(result.batch_id),
        finance.name,
        "$140.00",
    )
    spec = asyncio.run(state.download_past_csv(line.batch_id))
    assert state.error == ""
    assert isinstance(spec, rx.event.EventSpec)


def test_a_dispatcher_cannot_download_a_batch_even_by_calling_the_handler(
    session, uow_factory, monkeypatch
):
    # given a batch, and a dispatcher whose page guard was bypassed
    world = make_world(session)
    _paid_job(session, uow_factory, world)
    with uow_factory() as uow:
        result = run_payout_batch(uow, actor=world.finance)
    dispatcher = make_user(session, world.tenant, role=Role.DISPATCHER)
    state = signed_in_state(PayoutsState, dispatcher, world.tenant, uow_factory, monkeypatch)
    # when the handlers run anyway
    run_handler(state.load())
    spec = asyncio.run(state.download_past_csv(str(result.batch_id)))
    # then nothing is read or sent, and the page says why
    assert spec is None
    assert state.history == []
    assert state.error != ""
