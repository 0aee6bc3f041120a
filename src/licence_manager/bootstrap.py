"""The composition root: real adapters built lazily, once per function instance. Tests pass
fakes or emulator-backed adapters to the same constructors instead."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from licence_manager.config import ConfigError, Settings
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.topup import TopUpRequest
from licence_manager.services.additions import RequestAddition
from licence_manager.services.alerts import SendNotification
from licence_manager.services.evaluate import EvaluateLicence
from licence_manager.services.sync import UsageSync
from licence_manager.services.topup import ApplyTopUp

if TYPE_CHECKING:
    from flask import Flask

    from licence_manager.adapters.firestore_automation import FirestoreStore
    from licence_manager.adapters.reseller import ResellerApi
    from licence_manager.ports import Mailer, Publisher


@functools.cache
def settings() -> Settings:
    return Settings.from_env()


@functools.cache
def store() -> FirestoreStore:
    from google.cloud import firestore

    from licence_manager.adapters.firestore_automation import FirestoreStore

    config = settings()
    client = firestore.Client(project=config.project_id or None, database=config.firestore_database)
    return FirestoreStore(client)


@functools.cache
def reseller() -> ResellerApi:
    from licence_manager.adapters.reseller import ResellerApi
    from licence_manager.adapters.reseller_client import build_reseller_service

    config = settings()

    def service_factory() -> Any:
        return build_reseller_service(config)

    return ResellerApi(service_factory)


@functools.cache
def publisher() -> Publisher:
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    from licence_manager.adapters.pubsub_publisher import PubSubPublisher

    config = settings()
    return PubSubPublisher(
        pubsub_v1.PublisherClient(), config.project_id, config.top_up_topic, config.alert_topic
    )


@functools.cache
def mailer() -> Mailer:
    from licence_manager.adapters.sendgrid_mailer import SendGridMailer

    config = settings()
    if not config.sendgrid_api_key or not config.alert_sender_email:
        raise ConfigError("SENDGRID_API_KEY and ALERT_SENDER_EMAIL are required to send email")
    return SendGridMailer(
        config.sendgrid_api_key, config.alert_sender_email, config.sendgrid_api_host
    )


@functools.cache
def usage_sync() -> UsageSync:
    config = settings()
    return UsageSync(
        source=reseller(),
        store=store(),
        default_time_zone=config.default_time_zone,
        max_parallel_shards=config.sync_max_parallel_shards,
        recipients=store(),
    )


@functools.cache
def evaluate_licence() -> EvaluateLicence:
    return EvaluateLicence(store(), store(), publisher())


@functools.cache
def apply_top_up() -> ApplyTopUp:
    return ApplyTopUp(store(), store(), reseller(), publisher())


@functools.cache
def send_notification() -> SendNotification:
    return SendNotification(store(), mailer(), settings().dashboard_url)


@functools.cache
def request_addition() -> RequestAddition:
    return RequestAddition(store(), store(), publisher())


@functools.cache
def api_app() -> Flask:
    from licence_manager.api.app import create_app

    # Pub/Sub is only needed when someone adds seats: built on first use, not at cold start.
    def add(key: LicenceKey, seats: int, requested_by: str) -> TopUpRequest:
        return request_addition()(key, seats, requested_by)

    return create_app(store(), add, local_mode=settings().local_mode)


def clear() -> None:
    """Forget every built adapter (tests change the environment between cases)."""
    for built in (
        settings,
        store,
        reseller,
        publisher,
        mailer,
        usage_sync,
        evaluate_licence,
        apply_top_up,
        send_notification,
        request_addition,
        api_app,
    ):
        built.cache_clear()
