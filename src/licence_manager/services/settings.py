"""Saving a licence's alert and top-up settings: one unit of work, audited with who saved them
and what they were before. Optimistic concurrency: the saver says which version it started
from (when the settings it saw were saved), and a save over someone else's is refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from licence_manager.domain import changes
from licence_manager.domain.automation import settings_saved
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.settings import LicenceSettings
from licence_manager.ports.unit_of_work import SavedSettings, Transaction, UnitOfWork


@dataclass(frozen=True, slots=True)
class SeenVersion:
    """The settings the saver started from: when they were saved (None: never saved)."""

    saved_at: datetime | None


class SettingsChanged(Exception):
    """Someone saved the settings after the version the saver started from."""

    def __init__(self, current: SavedSettings) -> None:
        super().__init__("These settings were changed by someone else after you opened them.")
        self.current = current


def save_settings(
    uow: UnitOfWork,
    key: LicenceKey,
    settings: LicenceSettings,
    by: str,
    at: datetime,
    seen: SeenVersion | None = None,
) -> LicenceSettings:
    """Save the settings with a SETTINGS_CHANGED audit entry (before and after); returns the
    settings before. `seen`: the version the saver started from, checked inside the
    transaction (None: no check, the last save wins). The write reaches evaluate_thresholds,
    which supersedes an automatic top-up decided under the old settings (domain.buying) and
    decides again."""

    def save(tx: Transaction) -> LicenceSettings:
        stored = tx.settings_of(key)
        if seen is not None and stored.updated_at != seen.saved_at:
            raise SettingsChanged(stored)
        before = stored.settings
        state = tx.automation_of(key)
        head = tx.head_of(key)
        tx.settings.put(key, SavedSettings(settings, by, at))
        resumed = settings_saved(state)
        if resumed != state:
            tx.automation.put(key, resumed)
        entry = changes.settings_changed(head, key, at, by, before, settings)
        tx.append_audit((entry,), entry.head)
        return before

    return uow.run(save)
