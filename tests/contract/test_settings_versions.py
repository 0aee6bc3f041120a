"""Saving settings checks, inside the save's transaction, that nobody saved them since the
version the saver started from: memory and Firestore alike."""

from __future__ import annotations

from datetime import timedelta

import pytest

from licence_manager.domain.settings import LicenceSettings
from licence_manager.ports.unit_of_work import SavedSettings
from licence_manager.services.settings import SeenVersion, SettingsChanged, save_settings
from tests.builders import T0
from tests.contract.test_unit_of_work import KEY, SETTINGS, Backend, backend

__all__ = ["backend"]  # the fixture, shared with the unit of work's contract

ALICE, BOB = "alice@acme.example", "bob@acme.example"


def test_a_save_from_the_version_stored_goes_through(backend: Backend) -> None:
    save_settings(backend.uow, KEY, SETTINGS, ALICE, T0, seen=SeenVersion(None))
    saved = backend.run(lambda tx: tx.settings_of(KEY))
    assert saved == SavedSettings(SETTINGS, ALICE, T0)
    later = T0 + timedelta(seconds=7, microseconds=123)
    save_settings(backend.uow, KEY, LicenceSettings(), BOB, later, seen=SeenVersion(T0))
    assert backend.run(lambda tx: tx.settings_of(KEY)) == SavedSettings(
        LicenceSettings(), BOB, later
    )


def test_a_save_from_an_older_version_is_refused_and_writes_nothing(
    backend: Backend,
) -> None:
    save_settings(backend.uow, KEY, SETTINGS, ALICE, T0)
    audit_before = len(backend.store.audit_entries(KEY))
    with pytest.raises(SettingsChanged) as refused:
        # Bob opened the page before Alice saved: he saw no saved settings at all.
        save_settings(
            backend.uow, KEY, LicenceSettings(), BOB, T0 + timedelta(minutes=1), SeenVersion(None)
        )
    assert refused.value.current == SavedSettings(SETTINGS, ALICE, T0)
    assert backend.run(lambda tx: tx.settings_of(KEY)) == SavedSettings(SETTINGS, ALICE, T0)
    assert len(backend.store.audit_entries(KEY)) == audit_before


def test_without_a_version_the_last_save_wins(backend: Backend) -> None:
    save_settings(backend.uow, KEY, SETTINGS, ALICE, T0)
    save_settings(backend.uow, KEY, LicenceSettings(), BOB, T0 + timedelta(minutes=1))
    assert backend.run(lambda tx: tx.settings_of(KEY)).updated_by == BOB


def test_the_store_reads_the_version_the_save_checks(backend: Backend) -> None:
    assert backend.store.saved_settings(KEY) == SavedSettings(LicenceSettings())
    save_settings(backend.uow, KEY, SETTINGS, ALICE, T0 + timedelta(microseconds=7))
    saved = backend.store.saved_settings(KEY)
    assert saved == backend.run(lambda tx: tx.settings_of(KEY))
    save_settings(backend.uow, KEY, LicenceSettings(), BOB, T0, SeenVersion(saved.updated_at))
