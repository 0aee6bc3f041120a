"""SYNC_INTERVAL_SECONDS: the sync's schedule as the heartbeat records it (Terraform's
60 times sync.interval_minutes; make run's --sync-interval)."""

from __future__ import annotations

import pytest

from licence_manager.config import ConfigError, Settings


def test_it_defaults_to_terraforms_five_minutes() -> None:
    assert Settings.from_env({}).sync_interval_seconds == 300


def test_it_is_read_in_whole_seconds_rounded_up() -> None:
    assert Settings.from_env({"SYNC_INTERVAL_SECONDS": "60"}).sync_interval_seconds == 60
    assert Settings.from_env({"SYNC_INTERVAL_SECONDS": "2.5"}).sync_interval_seconds == 3


@pytest.mark.parametrize("raw", ["0", "-5", "often"])
def test_nonsense_is_refused_by_name(raw: str) -> None:
    with pytest.raises(ConfigError, match="SYNC_INTERVAL_SECONDS"):
        Settings.from_env({"SYNC_INTERVAL_SECONDS": raw})
