"""Run a domain use case from a Reflex event handler without blocking the event loop.

Reflex runs handlers on the server's event loop; a synchronous database call there would stall
every user on that worker. Use cases therefore run in a thread, each in its own unit of work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from roadside_console.domain.core.uow import UnitOfWork

P = ParamSpec("P")
T = TypeVar("T")

# Swappable so state tests can run handlers inside a test transaction.
uow_factory: Callable[[], UnitOfWork] = UnitOfWork


async def run_use_case(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Call `fn(uow, *args, **kwargs)` in a worker thread inside a fresh unit of work."""

    def _call() -> T:
        with uow_factory() as uow:
            return fn(uow, *args, **kwargs)

    return await asyncio.to_thread(_call)
