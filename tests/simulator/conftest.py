"""Fixtures: a strict simulator per test, and the real Google client pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from licence_manager_local.simulator import (
    DiscoverySchemas,
    RunningSimulator,
    SimulatorControl,
    World,
    demo_world,
    reseller_schemas,
    reseller_service,
    start_simulator,
)

# A fixed reference time keeps the demo world identical between runs.
NOW_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z


@pytest.fixture
def world() -> World:
    return demo_world(7, now_ms=NOW_MS)


@pytest.fixture
def sim(world: World) -> Iterator[RunningSimulator]:
    with start_simulator(world, strict=True) as running:
        yield running


@pytest.fixture
def service(sim: RunningSimulator) -> Any:
    return reseller_service(sim.url)


@pytest.fixture
def control(sim: RunningSimulator) -> SimulatorControl:
    return SimulatorControl(sim.url)


@pytest.fixture(scope="session")
def schemas() -> DiscoverySchemas:
    return reseller_schemas()
