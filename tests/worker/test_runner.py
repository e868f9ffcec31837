"""Running jobs: one pass, the loop, the embedded lifespan task and the command line."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from roadside_console.worker import runner
from roadside_console.worker.jobs import EVERY_POLL, HOUR, Job, JobRegistry
from roadside_console.worker.runner import Scheduler, embedded_worker_task, run_forever, run_once
from tests.worker.support import run_in_own_loop

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


class Recorder:
    """A job function that remembers when it ran (and in which thread)."""

    def __init__(self, error: Exception | None = None) -> None:
        self.runs: list[datetime] = []
        self.threads: set[int] = set()
        self.error = error

    def __call__(self, uow_factory, now):
        self.runs.append(now)
        self.threads.add(threading.get_ident())
        if self.error:
            raise self.error
        return len(self.runs)


def test_one_failing_job_does_not_stop_the_others():
    # given
    broken, healthy = Recorder(RuntimeError("boom")), Recorder()
    scheduler = Scheduler([Job("broken", EVERY_POLL, broken), Job("healthy", EVERY_POLL, healthy)])

    # when
    report = run_once(NOW, scheduler=scheduler)

    # then
    assert report.ran == ["broken", "healthy"]
    assert report.failed == ["broken"]
    assert report.outcome("broken").error == "RuntimeError: boom"
    assert healthy.runs == [NOW]


def test_a_job_runs_again_only_after_its_interval():
    # given
    hourly = Recorder()
    scheduler = Scheduler([Job("hourly", HOUR, hourly)])

    # when
    for minutes in (0, 30, 59, 60, 90, 120):
        scheduler.run_once(NOW + timedelta(minutes=minutes))

    # then
    assert hourly.runs == [NOW, NOW + timedelta(minutes=60), NOW + timedelta(minutes=120)]


def test_a_failed_periodic_job_is_retried_after_a_minute_not_an_hour():
    # given
    flaky = Recorder(RuntimeError("database restarting"))
    scheduler = Scheduler([Job("hourly", HOUR, flaky)])

    # when
    for seconds in (0, 30, 60):
        scheduler.run_once(NOW + timedelta(seconds=seconds))

    # then
    assert flaky.runs == [NOW, NOW + timedelta(seconds=60)]


def test_run_forever_runs_jobs_off_the_event_loop_and_survives_a_failing_job():
    # given
    broken, healthy = Recorder(RuntimeError("boom")), Recorder()
    scheduler = Scheduler([Job("broken", EVERY_POLL, broken), Job("healthy", EVERY_POLL, healthy)])

    async def three_healthy_runs() -> int:
        stop = asyncio.Event()
        task = asyncio.create_task(run_forever(stop, 0.01, scheduler=scheduler))
        while len(healthy.runs) < 3:
            await asyncio.sleep(0.01)
        stop.set()
        await asyncio.wait_for(task, timeout=2)
        return threading.get_ident()

    # when
    loop_thread = run_in_own_loop(three_healthy_runs())

    # then
    assert broken.runs  # it raised, yet the healthy job kept running
    assert loop_thread not in healthy.threads


def test_run_forever_stops_promptly_when_asked_even_with_a_long_poll():
    # given
    ticks = Recorder()
    scheduler = Scheduler([Job("tick", EVERY_POLL, ticks)])

    async def stop_after_first_tick() -> float:
        stop = asyncio.Event()
        task = asyncio.create_task(run_forever(stop, 3600, scheduler=scheduler))
        while not ticks.runs:
            await asyncio.sleep(0.01)
        started = time.monotonic()
        stop.set()
        await asyncio.wait_for(task, timeout=2)
        return time.monotonic() - started

    # when
    seconds_to_stop = run_in_own_loop(stop_after_first_tick())

    # then
    assert seconds_to_stop < 1
    assert len(ticks.runs) == 1


def test_a_job_in_flight_does_not_delay_the_stop_and_no_new_job_starts():
    # given
    release, slow_started = threading.Event(), threading.Event()
    after = Recorder()

    def slow(uow_factory, now):
        slow_started.set()
        release.wait(5)

    scheduler = Scheduler([Job("slow", EVERY_POLL, slow), Job("after", EVERY_POLL, after)])

    async def stop_during_the_slow_job() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(run_forever(stop, 0.01, scheduler=scheduler))
        await asyncio.to_thread(slow_started.wait, 5)
        stop.set()
        await asyncio.wait_for(task, timeout=1)
        release.set()
        await asyncio.sleep(0.1)

    # when
    run_in_own_loop(stop_during_the_slow_job())

    # then
    assert after.runs == []


def test_the_embedded_worker_task_runs_the_registered_jobs_and_stops_on_cancel(monkeypatch):
    # given
    ticks = Recorder()
    monkeypatch.setattr(runner, "registry", JobRegistry([Job("tick", EVERY_POLL, ticks)]))
    monkeypatch.setenv("WORKER_POLL_SECONDS", "0.01")

    async def cancel_after_two_ticks() -> tuple[bool, int]:
        task = asyncio.create_task(embedded_worker_task())
        while len(ticks.runs) < 2:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=2)
        runs_at_cancel = len(ticks.runs)
        await asyncio.sleep(0.1)
        return task.cancelled(), len(ticks.runs) - runs_at_cancel

    # when
    cancelled, runs_after_cancel = run_in_own_loop(cancel_after_two_ticks())

    # then
    assert cancelled
    assert runs_after_cancel <= 1  # at most the pass already in its thread


def _worker_env(sqlite_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": sqlite_url,
        "ROADSIDE_ENV": "test",
        "LOG_JSON": "false",
        "LOG_LEVEL": "INFO",
        "SMTP_HOST": "",
        "TWILIO_ACCOUNT_SID": "",
    }


def test_the_command_line_runs_one_pass_with_once(sqlite_url):
    # given
    command = [sys.executable, "-m", "roadside_console.worker", "--once"]

    # when
    result = subprocess.run(
        command, cwd=ROOT, env=_worker_env(sqlite_url), capture_output=True, text=True, timeout=60
    )

    # then
    assert result.returncode == 0, result.stderr
    assert "job deliver_outbox: ok" in result.stderr
    assert "job purge_expired_auth_rows: ok" in result.stderr


def test_the_command_line_worker_stops_gracefully_on_sigterm(sqlite_url):
    # given
    process = subprocess.Popen(
        [sys.executable, "-m", "roadside_console.worker", "--poll-seconds", "0.2"],
        cwd=ROOT,
        env=_worker_env(sqlite_url),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        deadline = time.monotonic() + 30
        for line in process.stderr:
            if "worker started" in line or time.monotonic() > deadline:
                break

        # when
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=10)

        # then
        assert returncode == 0
        assert "worker stopped" in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_frequent_jobs_log_their_runs_at_debug_and_hourly_ones_at_info(caplog):
    # given the offer sweep's 5 s interval, an every-poll job and an hourly purge
    scheduler = Scheduler(
        [
            Job("sweep", 5, Recorder()),
            Job("poll", EVERY_POLL, Recorder()),
            Job("purge", HOUR, Recorder()),
        ]
    )
    # when they all run once
    with caplog.at_level("DEBUG", logger=runner.__name__):
        run_once(NOW, scheduler=scheduler)
    # then only the hourly run reaches the INFO log an operator reads
    levels = {r.job: r.levelname for r in caplog.records if r.getMessage() == "job ran"}
    assert levels == {"sweep": "DEBUG", "poll": "DEBUG", "purge": "INFO"}
