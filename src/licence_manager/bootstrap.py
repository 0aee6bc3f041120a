"""The composition root: real adapters built lazily, once per function instance. Tests pass
fakes or emulator-backed adapters to the same constructors instead."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from licence_manager.config import Settings
from licence_manager.ports import LicenceStore
from licence_manager.services.sync import UsageSync

if TYPE_CHECKING:
    from flask import Flask


@functools.cache
def settings() -> Settings:
    return Settings.from_env()


@functools.cache
def licence_store() -> LicenceStore:
    from google.cloud import firestore

    from licence_manager.adapters.firestore_store import FirestoreLicenceStore

    config = settings()
    client = firestore.Client(project=config.project_id or None, database=config.firestore_database)
    return FirestoreLicenceStore(client)


@functools.cache
def api_app() -> Flask:
    from licence_manager.api.app import create_app

    return create_app(licence_store(), local_mode=settings().local_mode)


@functools.cache
def usage_sync() -> UsageSync:
    from licence_manager.adapters.reseller import ResellerSubscriptionSource
    from licence_manager.adapters.reseller_client import build_reseller_service

    config = settings()

    def service_factory() -> Any:
        return build_reseller_service(config)

    return UsageSync(
        source=ResellerSubscriptionSource(service_factory),
        store=licence_store(),
        default_time_zone=config.default_time_zone,
        max_parallel_shards=config.sync_max_parallel_shards,
    )
