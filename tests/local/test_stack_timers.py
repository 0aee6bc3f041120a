"""Stopping the local stack stops its Cloud Scheduler timers. The tests start stacks with an
event nobody sets; their timers kept publishing to stopped emulators for the rest of the run,
retrying on background threads (whose jitter moved the money property test's seeded random
sequence: HypothesisDeprecationWarning)."""

from __future__ import annotations

import threading
import time

import pytest

from licence_manager_local import run
from licence_manager_local.emulators import free_port

pytestmark = [pytest.mark.slow, pytest.mark.emulator]


def timers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("scheduler:")]


def test_stopping_the_stack_ends_its_timers(tmp_path_factory: pytest.TempPathFactory) -> None:
    stack = run.Stack(tmp_path_factory.mktemp("local-run"))
    options = run.StackOptions(
        sync_interval=2,
        sweep_interval=2,
        holder_sync_interval=2,
        drift_seconds=0,
        port=free_port(),
        demo_settings=False,
        echo=False,
        quiet=True,
    )
    try:
        run.start(stack, options, threading.Event())  # an event the caller never sets
        names = {t.name for t in timers()}
        assert {
            "scheduler:sync-usage",
            "scheduler:sweep-requests",
            "scheduler:sync-holders",
        } <= names
    finally:
        stack.stop()
    deadline = time.monotonic() + 40  # a publish in flight may wait out its timeout
    while timers() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert timers() == []
