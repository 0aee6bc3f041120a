"""The local stack of `make run` (emulators, simulator, SendGrid stand-in, every function under
functions-framework, Pub/Sub push routes, the Eventarc stand-in), started for sections 2 and 3
with the scheduler off, no drift and no demo settings."""

from __future__ import annotations

import argparse
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from bench.common import WORK, log
from licence_manager_local import run
from licence_manager_local.emulators import free_port


@contextmanager
def local_stack() -> Iterator[run.Endpoints]:
    stack = run.Stack(WORK / "local-stack")
    args = argparse.Namespace(
        sync_interval=0, drift_seconds=0, port=free_port(), demo_settings=False
    )
    saved = dict(os.environ)
    log("local stack: starting (emulators, simulator, SendGrid stand-in, functions)")
    try:
        endpoints = run.start(stack, args, threading.Event())
        os.environ["GOOGLE_CLOUD_PROJECT"] = run.PROJECT
        yield endpoints
    finally:
        stack.stop()
        os.environ.clear()
        os.environ.update(saved)
