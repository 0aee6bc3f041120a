"""Shared fixtures. Google's emulators start once per session, on free ports, only when a test
asks for them; each test gets its own project id, so tests never see each other's data."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from licence_manager import bootstrap
from licence_manager_local.emulators import (
    Emulator,
    EmulatorJars,
    EmulatorsMissing,
    find_emulators,
    start_firestore,
    start_pubsub,
)

EMULATOR_FIXTURES = {"firestore_emulator", "pubsub_emulator"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if EMULATOR_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.emulator)


@pytest.fixture(autouse=True)
def restore_environment() -> Iterator[None]:
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
    bootstrap.clear()


@pytest.fixture(scope="session")
def emulator_jars() -> EmulatorJars:
    try:
        return find_emulators()
    except EmulatorsMissing as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def emulator_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("emulator-logs")


@pytest.fixture(scope="session")
def firestore_emulator(emulator_jars: EmulatorJars, emulator_logs: Path) -> Iterator[Emulator]:
    emulator = start_firestore(emulator_jars, emulator_logs)
    try:
        emulator.wait_ready()
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture(scope="session")
def pubsub_emulator(emulator_jars: EmulatorJars, emulator_logs: Path) -> Iterator[Emulator]:
    emulator = start_pubsub(emulator_jars, emulator_logs)
    try:
        emulator.wait_ready()
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def project_id() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def firestore_client(
    firestore_emulator: Emulator, project_id: str, monkeypatch: pytest.MonkeyPatch
) -> Any:
    from google.cloud import firestore

    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", firestore_emulator.host)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", project_id)
    return firestore.Client(project=project_id)
