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
    directory_service,
    licensing_service,
    reports_service,
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


# ----- the Admin APIs (Directory, Licensing, Reports): a world whose clock stands still -----

# 2026-01-01 12:00 UTC, 04:00 Pacific: Reports has data up to 2025-12-30.
ADMIN_NOW_MS = NOW_MS + 12 * 3_600_000


@pytest.fixture
def admin_world() -> World:
    return demo_world(7, now_ms=NOW_MS, clock=lambda: ADMIN_NOW_MS)


@pytest.fixture
def admin_sim(admin_world: World) -> Iterator[RunningSimulator]:
    with start_simulator(admin_world, strict=True) as running:
        yield running


@pytest.fixture
def directory(admin_sim: RunningSimulator) -> Any:
    return directory_service(admin_sim.url)


@pytest.fixture
def licensing(admin_sim: RunningSimulator) -> Any:
    return licensing_service(admin_sim.url)


@pytest.fixture
def reports(admin_sim: RunningSimulator) -> Any:
    return reports_service(admin_sim.url)


@pytest.fixture
def admin_control(admin_sim: RunningSimulator) -> SimulatorControl:
    return SimulatorControl(admin_sim.url)
