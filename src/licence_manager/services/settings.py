"""Saving a licence's alert and top-up settings: one unit of work, audited with who saved them
and what they were before."""

from __future__ import annotations

from datetime import datetime

from licence_manager.domain import changes
from licence_manager.domain.automation import settings_saved
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.settings import LicenceSettings
from licence_manager.ports.unit_of_work import SavedSettings, Transaction, UnitOfWork


def save_settings(
    uow: UnitOfWork, key: LicenceKey, settings: LicenceSettings, by: str, at: datetime
) -> LicenceSettings:
    """Save the settings with a SETTINGS_CHANGED audit entry (before and after); returns the
    settings before. The write reaches evaluate_thresholds, which supersedes an automatic
    top-up decided under the old settings (domain.buying) and decides again."""

    def save(tx: Transaction) -> LicenceSettings:
        before = tx.settings_of(key).settings
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
