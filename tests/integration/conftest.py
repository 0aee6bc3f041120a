"""Fixtures that join real parts: the Reseller simulator, google-api-python-client and the
Firestore emulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from licence_manager.adapters.firestore_store import FirestoreLicenceStore
from licence_manager.adapters.reseller import ResellerApi
from licence_manager.adapters.reseller_client import build_reseller_service
from licence_manager.adapters.retry import RetryPolicy
from licence_manager.config import Settings
from licence_manager_local.simulator import RunningSimulator, World, start_simulator


class RecordedSleeps(list[float]):
    """Stands in for time.sleep so that backoff is observed, not waited for."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def reseller_source(url: str, sleeps: RecordedSleeps, timeout: float = 5.0) -> ResellerApi:
    settings = Settings.from_env(
        {"RESELLER_API_ENDPOINT": url, "RESELLER_TIMEOUT_SECONDS": str(timeout)}
    )
    return ResellerApi(
        lambda: build_reseller_service(settings), RetryPolicy(max_attempts=5), sleep=sleeps
    )


def running(world: World) -> Iterator[RunningSimulator]:
    with start_simulator(world, strict=True) as simulator:
        yield simulator


@pytest.fixture
def sleeps() -> RecordedSleeps:
    return RecordedSleeps()


@pytest.fixture
def firestore_store(firestore_client: Any) -> FirestoreLicenceStore:
    return FirestoreLicenceStore(firestore_client)


def document_versions(client: Any) -> dict[str, Any]:
    """Every document's update time: comparing two of these counts the documents written."""
    return {
        snap.reference.path: snap.update_time
        for collection in client.collections()
        for snap in collection.stream()
    }


def documents_written(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(path for path, version in after.items() if before.get(path) != version)
