"""Handlers run use cases as the signed-in user: one unit of work each, session checked first."""

from __future__ import annotations

import asyncio

from roadside_console.domain.core.auth import Actor, Role
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity import service as identity
from roadside_console.ui.shell import run
from roadside_console.ui.shell.session import SessionState
from tests.factories import make_tenant, make_user
from tests.ui.support import signed_in_state


def _whoami(uow: UnitOfWork, *, actor: Actor, suffix: str) -> str:
    return f"{actor.name}{suffix}"


def test_a_use_case_runs_as_the_sessions_user_in_one_unit_of_work(
    session, uow_factory, monkeypatch
):
    # given a signed-in dispatcher, and a count of the units of work opened
    tenant = make_tenant(session)
    user = make_user(session, tenant, role=Role.DISPATCHER)
    state = signed_in_state(SessionState, user, tenant, uow_factory, monkeypatch)
    opened = []

    def counting_factory() -> UnitOfWork:
        opened.append(1)
        return uow_factory()

    monkeypatch.setattr(run, "uow_factory", counting_factory)
    # when
    result, error = asyncio.run(state.run_as_user(_whoami, suffix="!"))
    # then the session was resolved in the use case's own unit of work
    assert (result, error) == (f"{user.name}!", "")
    assert len(opened) == 1


def test_a_revoked_session_stops_the_use_case_before_it_runs(session, uow_factory, monkeypatch):
    # given a signed-in user whose session is then revoked
    tenant = make_tenant(session)
    user = make_user(session, tenant, role=Role.ADMIN)
    state = signed_in_state(SessionState, user, tenant, uow_factory, monkeypatch)
    with uow_factory() as uow:
        identity.sign_out(uow, state.session_token)
    ran = []

    def use_case(uow: UnitOfWork, *, actor: Actor) -> None:
        ran.append(actor)

    # when
    result, error = asyncio.run(state.run_as_user(use_case))
    # then
    assert (result, error) == (None, "Your session has ended. Sign in again.")
    assert ran == []
