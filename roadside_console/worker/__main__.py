"""Run the worker standalone: `python -m roadside_console.worker [--once] [--poll-seconds N]`.

SIGINT/SIGTERM stop it gracefully: no new job starts and the job in flight finishes. A second
signal interrupts at once. Several copies may run side by side on PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence

from roadside_console.domain.core.settings import get_settings
from roadside_console.observability import configure_logging
from roadside_console.worker.runner import run_forever, run_once

logger = logging.getLogger("roadside_console.worker")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m roadside_console.worker",
        description="Deliver the outbox and run periodic jobs.",
    )
    parser.add_argument("--once", action="store_true", help="run every job once and exit")
    parser.add_argument(
        "--poll-seconds",
        type=float,
        default=None,
        help="seconds between passes (default: WORKER_POLL_SECONDS)",
    )
    return parser.parse_args(argv)


async def serve(poll_seconds: float | None) -> None:
    """Run until SIGINT or SIGTERM."""
    stop_event = asyncio.Event()
    loop = asyncio.get_running_loop()

    def request_stop(signum: int) -> None:
        logger.info("stopping on %s", signal.Signals(signum).name)
        stop_event.set()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)  # a second signal acts at once

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, request_stop, sig)
    await run_forever(stop_event, poll_seconds)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one pass (`--once`, exit 1 if a job failed) or until stopped."""
    args = parse_args(argv)
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    if args.once:
        report = run_once()
        for outcome in report.outcomes:
            logger.info(
                "job %s: %s",
                outcome.name,
                "ok" if outcome.ok else f"failed ({outcome.error})",
                extra={"result": repr(outcome.result)},
            )
        return 0 if report.ok else 1
    asyncio.run(serve(args.poll_seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
