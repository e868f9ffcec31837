"""Run a page's state handlers as a signed-in user, inside the test's rolled-back transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
import reflex as rx

from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.identity import service as identity
from roadside_console.domain.identity.models import User
from roadside_console.domain.tenants.models import Tenant
from roadside_console.ui.shell import run
from tests.factories import PASSWORD

S = TypeVar("S", bound=rx.State)


def signed_in_state(
    state_cls: type[S],
    user: User,
    tenant: Tenant,
    uow_factory: Callable[[], UnitOfWork],
    monkeypatch: pytest.MonkeyPatch,
) -> S:
    """Sign `user` in for real and return a fresh instance of the page state with that cookie."""
    monkeypatch.setattr(run, "uow_factory", uow_factory)
    with uow_factory() as uow:
        signed = identity.sign_in(uow, tenant_slug=tenant.slug, email=user.email, password=PASSWORD)
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(state_cls.get_full_name().split(".")[1:])
    state.session_token = signed.session_token
    return state  # type: ignore[return-value]


def run_handler(result: Awaitable[Any] | Any) -> None:
    """Await a handler's coroutine, or drain it when it yields updates."""

    async def drain() -> None:
        if hasattr(result, "__aiter__"):
            async for _ in result:
                pass
        elif asyncio.iscoroutine(result):
            await result

    asyncio.run(drain())
