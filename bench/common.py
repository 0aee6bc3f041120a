"""What every section shares: results, percentiles, timers, emulators and logs."""

from __future__ import annotations

import math
import os
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "bench"


@dataclass
class Result:
    """One row of the results table: a measured figure against its target."""

    section: str
    metric: str
    measured: str
    target: str
    met: bool | None  # None: informational, no target
    next_step: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (p50, p95) of a non-empty sample."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """`with stopwatch() as t: ...` then `t[0]` is the elapsed seconds."""
    elapsed: list[float] = []
    start = time.perf_counter()
    try:
        yield elapsed
    finally:
        elapsed.append(time.perf_counter() - start)


class Emulators:
    """Google's Firestore (and, when asked, Pub/Sub) emulators for one bench run."""

    def __init__(self, pubsub: bool = False) -> None:
        from licence_manager_local.emulators import find_emulators, start_firestore, start_pubsub

        logs = WORK / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        jars = find_emulators()
        self.firestore = start_firestore(jars, logs)
        self.pubsub = start_pubsub(jars, logs) if pubsub else None
        self.firestore.wait_ready()
        if self.pubsub is not None:
            self.pubsub.wait_ready()
        self.activate()

    def env(self) -> dict[str, str]:
        env = {"FIRESTORE_EMULATOR_HOST": self.firestore.host}
        if self.pubsub is not None:
            env["PUBSUB_EMULATOR_HOST"] = self.pubsub.host
        return env

    def activate(self) -> None:
        os.environ.update(self.env())

    def stop(self) -> None:
        if self.pubsub is not None:
            self.pubsub.stop()
        self.firestore.stop()


def firestore_client(project: str) -> Any:
    from google.cloud import firestore

    return firestore.Client(project=project)


def peak_rss_mib(pid: int | str = "self") -> float:
    """VmHWM: the most resident memory the process has had, in MiB (Linux)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return math.nan


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, Python {sys.version.split()[0]}"
