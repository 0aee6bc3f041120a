"""The composition root: real adapters built lazily, once per function instance. Tests pass
fakes or emulator-backed adapters to the same constructors instead.

Each factory imports what it builds, services included, when it first builds it: every function
imports this module, and a cold start should pay only for what its own trigger uses (the api
never loads the sync, a sync never loads the mailer; see docs/performance.md, cold start)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from licence_manager.config import ConfigError, Settings

if TYPE_CHECKING:
    from flask import Flask

    from licence_manager.adapters.firestore_dashboard import FirestoreApiStore
    from licence_manager.adapters.firestore_holders import FirestoreHolders
    from licence_manager.adapters.firestore_reports import FirestoreReports
    from licence_manager.adapters.firestore_unit_of_work import FirestoreUnitOfWork
    from licence_manager.adapters.licence_assignments import LicensingAssignments
    from licence_manager.adapters.reseller import ResellerApi
    from licence_manager.adapters.workspace_users import WorkspaceUsers
    from licence_manager.domain.anomaly import TopUpPause
    from licence_manager.domain.channels import Channel
    from licence_manager.domain.email_events import EmailEvent
    from licence_manager.domain.model import LicenceKey
    from licence_manager.domain.resend import Resend
    from licence_manager.domain.topup import TopUpRequest
    from licence_manager.ports import Mailer, Publisher
    from licence_manager.ports.audit_integrity import HeadArchive
    from licence_manager.ports.channels import ChannelStore
    from licence_manager.ports.email_feedback import BounceStore
    from licence_manager.services.additions import RequestAddition
    from licence_manager.services.alerts import SendNotification
    from licence_manager.services.approvals import DecideApproval
    from licence_manager.services.audit_integrity import PlanAuditCheck, VerifyCustomerAudit
    from licence_manager.services.channel_delivery import DeliverToChannels
    from licence_manager.services.departures import DeleteDepartedCustomer
    from licence_manager.services.evaluate import EvaluateLicence
    from licence_manager.services.event_sync import ReactToResellerEvent
    from licence_manager.services.holder_sync import PlanHolderSync, SyncCustomerHolders
    from licence_manager.services.month_end import MonthEndCustomer, PlanMonthEnd
    from licence_manager.services.purchases import RequestPurchase
    from licence_manager.services.renewal_requests import Asked
    from licence_manager.services.reports import Reports
    from licence_manager.services.sweeper import SweepRequests
    from licence_manager.services.sync import UsageSync
    from licence_manager.services.topup import ApplyTopUp
    from licence_manager.services.unassign_requests import SeatToUnassign


@functools.cache
def settings() -> Settings:
    return Settings.from_env()


@functools.cache
def store() -> FirestoreApiStore:
    from google.cloud import firestore

    from licence_manager.adapters.firestore_dashboard import FirestoreApiStore

    config = settings()
    client = firestore.Client(project=config.project_id or None, database=config.firestore_database)
    return FirestoreApiStore(client)


@functools.cache
def reseller() -> ResellerApi:
    from licence_manager.adapters.reseller import ResellerApi
    from licence_manager.adapters.reseller_client import build_reseller_service

    config = settings()

    def service_factory() -> Any:
        return build_reseller_service(config)

    return ResellerApi(service_factory, call_timeout_seconds=config.reseller_timeout_seconds)


@functools.cache
def publisher() -> Publisher:
    from google.cloud import pubsub_v1  # type: ignore[attr-defined]

    from licence_manager.adapters.pubsub_publisher import PubSubPublisher

    config = settings()
    return PubSubPublisher(
        pubsub_v1.PublisherClient(),
        config.project_id,
        config.top_up_topic,
        config.alert_topic,
        month_end_topic=config.month_end_topic,
        month_end_customer_topic=config.month_end_customer_topic,
        holder_sync_topic=config.holder_sync_topic,
        holder_sync_customer_topic=config.holder_sync_customer_topic,
        audit_verify_topic=config.audit_verify_topic,
        audit_verify_customer_topic=config.audit_verify_customer_topic,
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
    from licence_manager.domain.onboarding import OnboardingPace
    from licence_manager.services.shard_pass import OnboardingGate
    from licence_manager.services.sync import UsageSync

    config = settings()
    return UsageSync(
        source=reseller(),
        store=store(),
        uow=unit_of_work(),
        default_time_zone=config.default_time_zone,
        max_parallel_shards=config.sync_max_parallel_shards,
        recipients=store(),
        interval_seconds=config.sync_interval_seconds,
        shard_lease=timedelta(seconds=config.sync_shard_lease_seconds),
        onboarding=lambda: OnboardingGate(
            OnboardingPace(config.sync_new_licences_per_second, config.sync_new_licences_per_run)
        ),
    )


@functools.cache
def unit_of_work() -> FirestoreUnitOfWork:
    from licence_manager.adapters.firestore_unit_of_work import FirestoreUnitOfWork

    return FirestoreUnitOfWork(store()._db)


@functools.cache
def evaluate_licence() -> EvaluateLicence:
    from licence_manager.services.evaluate import EvaluateLicence

    return EvaluateLicence(unit_of_work(), publisher())


@functools.cache
def apply_top_up() -> ApplyTopUp:
    from licence_manager.services.topup import ApplyTopUp

    config = settings()
    return ApplyTopUp(
        unit_of_work(),
        reseller(),
        publisher(),
        lease=timedelta(seconds=config.top_up_lease_seconds),
        default_time_zone=config.default_time_zone,
        reevaluate=evaluate_licence(),
        licences=licence_assignments(),
    )


@functools.cache
def licence_assignments() -> LicensingAssignments:
    """The Licensing API for unassigns: apply_topup's own client, delegated for apps.licensing
    alone (it has no read-only variant; infra/terraform outputs.unassign_delegation). Built on
    first use: the credentials are only made when a request is carried out."""
    from licence_manager.adapters.licence_assignments import (
        LicensingAssignments,
        build_licensing_service,
    )

    config = settings()
    return LicensingAssignments(
        lambda: build_licensing_service(config),
        call_timeout_seconds=config.reseller_timeout_seconds,
    )


@functools.cache
def sweep_requests() -> SweepRequests:
    from licence_manager.services.sweeper import SweepRequests

    lease = timedelta(seconds=settings().top_up_lease_seconds)
    return SweepRequests(unit_of_work(), store(), store(), publisher(), lease=lease)


@functools.cache
def send_notification() -> SendNotification:
    from licence_manager.services.alerts import SendNotification

    config = settings()
    return SendNotification(
        store(),
        unit_of_work(),
        mailer(),
        config.dashboard_url,
        reseller_ops_email=config.reseller_ops_email,
    )


@functools.cache
def channel_store() -> ChannelStore:
    from google.cloud import firestore

    from licence_manager.adapters.firestore_channels import FirestoreChannelStore
    from licence_manager.adapters.secret_box import SecretBox

    config = settings()
    if not config.channel_secret_key:
        raise ConfigError("CHANNEL_SECRET_KEY is required for alert channels")
    client = firestore.Client(project=config.project_id or None, database=config.firestore_database)
    return FirestoreChannelStore(client, SecretBox(config.channel_secret_key))


@functools.cache
def bounce_store() -> BounceStore:
    from google.cloud import firestore

    from licence_manager.adapters.firestore_bounces import FirestoreBounceStore

    config = settings()
    client = firestore.Client(project=config.project_id or None, database=config.firestore_database)
    return FirestoreBounceStore(client)


@functools.cache
def deliver_to_channels() -> DeliverToChannels:
    from licence_manager.adapters.webhook_sender import WebhookSender
    from licence_manager.services.channel_delivery import DeliverToChannels

    return DeliverToChannels(
        unit_of_work(), channel_store(), WebhookSender(), settings().dashboard_url
    )


@functools.cache
def request_addition() -> RequestAddition:
    from licence_manager.services.additions import RequestAddition

    return RequestAddition(store(), publisher(), unit_of_work())


@functools.cache
def request_purchase() -> RequestPurchase:
    from licence_manager.services.purchases import RequestPurchase

    return RequestPurchase(store(), publisher(), unit_of_work(), settings().default_time_zone)


@functools.cache
def decide_approval() -> DecideApproval:
    from licence_manager.services.approvals import DecideApproval

    return DecideApproval(unit_of_work(), publisher())


@functools.cache
def api_app() -> Flask:
    from pathlib import Path

    from licence_manager.api.app import create_app
    from licence_manager.api.auth import FirebaseTokens
    from licence_manager.api.rate_limit import RateLimit

    config = settings()

    # Pub/Sub is only needed when someone adds seats: built on first use, not at cold start.
    def add(key: LicenceKey, seats: int, requested_by: str) -> TopUpRequest:
        return request_addition()(key, seats, requested_by)

    def buy(customer_id: str, sku_id: str, plan: str, seats: int, by: str) -> TopUpRequest:
        return request_purchase()(customer_id, sku_id, plan, seats, by)

    def decide(request_id: str, approve: bool, by: str, note: str) -> TopUpRequest:
        return decide_approval()(request_id, approve, by, note)

    def resend(customer_id: str, notification_id: str, by: str) -> Resend:
        from licence_manager.services.resend import ResendNotification

        return ResendNotification(unit_of_work(), publisher())(customer_id, notification_id, by)

    def renew(key: LicenceKey, wanted: str, client_key: str, by: str) -> Asked:
        from licence_manager.services.renewal_requests import RequestRenewalChange

        return RequestRenewalChange(unit_of_work(), publisher())(key, wanted, client_key, by)

    def unassign(seat: SeatToUnassign, client_key: str, by: str) -> Asked:
        from licence_manager.services.unassign_requests import RequestUnassign

        return RequestUnassign(unit_of_work(), publisher())(seat, client_key, by)

    def resume(key: LicenceKey, by: str) -> TopUpPause:
        from licence_manager.services.anomaly import ResumeTopUps

        return ResumeTopUps(unit_of_work(), publisher())(key, by)

    def post_trial(channel: Channel) -> None:
        from licence_manager.adapters.webhook_sender import WebhookSender
        from licence_manager.services.channel_trial import post_trial_message

        post_trial_message(WebhookSender(), channel, config.dashboard_url)

    def email_events(events: list[EmailEvent]) -> int:
        from licence_manager.services.email_events import RecordEmailEvents

        return RecordEmailEvents(unit_of_work(), bounce_store())(events)

    return create_app(
        store(),
        add,
        local_mode=config.local_mode,
        request_purchase=buy,
        unit_of_work=unit_of_work(),
        decide_approval=decide,
        resend_notification=resend,
        request_renewal_change=renew,
        request_unassign=unassign,
        resume_top_ups=resume,
        authenticate=None if config.local_mode else FirebaseTokens(config.project_id),
        firebase_web_config={
            "apiKey": config.firebase_api_key,
            "authDomain": config.firebase_auth_domain,
            "projectId": config.project_id,
        },
        web_root=Path(config.web_dir) if config.local_mode and config.web_dir else None,
        reports=reports,  # built on the first report request, not at cold start
        channels=channel_store if config.channel_secret_key else None,
        post_trial=post_trial,
        email_events=email_events,
        bounces=bounce_store,
        sendgrid_event_public_key=config.sendgrid_event_public_key,
        rate_limit=RateLimit(),  # per user (security review #17)
    )


@functools.cache
def report_store() -> FirestoreReports:
    from licence_manager.adapters.firestore_reports import FirestoreReports

    return FirestoreReports(store()._db)


@functools.cache
def reports() -> Reports:
    from licence_manager.services.reports import Reports

    return Reports(report_store(), store(), prices=store())


@functools.cache
def month_end_planner() -> PlanMonthEnd:
    from licence_manager.services.month_end import PlanMonthEnd

    return PlanMonthEnd(report_store(), publisher(), time_zone=settings().default_time_zone)


@functools.cache
def month_end_customer() -> MonthEndCustomer:
    from licence_manager.services.month_end import MonthEndCustomer

    return MonthEndCustomer(reports(), report_store(), store(), store(), publisher())


@functools.cache
def workspace_users() -> WorkspaceUsers:
    """Licensing, Directory and Reports: only sync_holders builds these (its credentials carry
    apps.licensing, which has no read-only variant)."""
    from licence_manager.adapters.workspace_users import WorkspaceUsers, build_workspace_services

    config = settings()
    return WorkspaceUsers(lambda: build_workspace_services(config))


@functools.cache
def holder_store() -> FirestoreHolders:
    from licence_manager.adapters.firestore_holders import FirestoreHolders

    return FirestoreHolders(store()._db)


@functools.cache
def holder_sync_planner() -> PlanHolderSync:
    from licence_manager.services.holder_sync import PlanHolderSync

    return PlanHolderSync(report_store(), publisher())


@functools.cache
def holder_sync_customer() -> SyncCustomerHolders:
    from licence_manager.services.holder_sync import SyncCustomerHolders
    from licence_manager.services.renewal_reminders import RenewalReminders

    reminders = RenewalReminders(unit_of_work(), publisher(), store())
    return SyncCustomerHolders(
        workspace_users(), holder_store(), store(), report_store(), reminders=reminders
    )


@functools.cache
def react_to_reseller_event() -> ReactToResellerEvent:
    from licence_manager.adapters.firestore_relists import FirestoreRelistGate
    from licence_manager.domain.relist_coalescing import Coalescing
    from licence_manager.services.customer_sync import SyncCustomer
    from licence_manager.services.event_sync import ReactToResellerEvent

    def utc_now() -> datetime:
        return datetime.now(UTC)

    config = settings()
    sync = SyncCustomer(reseller(), store(), unit_of_work(), config.default_time_zone, utc_now)
    rule = Coalescing(window=timedelta(seconds=config.event_relist_window_seconds))
    return ReactToResellerEvent(FirestoreRelistGate(store()._db), sync, utc_now, rule)


@functools.cache
def head_archive() -> HeadArchive:
    """Where verify_audit exports verified chain heads: the bucket, or locally a directory."""
    from licence_manager.adapters.head_archive import DirectoryArchive, GcsArchive, default_session

    config = settings()
    if config.audit_heads_dir:
        return DirectoryArchive(config.audit_heads_dir)
    if not config.audit_heads_bucket:
        raise ConfigError("AUDIT_HEADS_BUCKET (or locally AUDIT_HEADS_DIR) is required")
    return GcsArchive(config.audit_heads_bucket, default_session())


@functools.cache
def audit_check_planner() -> PlanAuditCheck:
    from licence_manager.services.audit_integrity import PlanAuditCheck

    return PlanAuditCheck(report_store(), publisher())


@functools.cache
def audit_check_customer() -> VerifyCustomerAudit:
    from licence_manager.adapters.firestore_audit_integrity import FirestoreAuditChains
    from licence_manager.services.audit_integrity import VerifyCustomerAudit

    return VerifyCustomerAudit(FirestoreAuditChains(store()._db), head_archive())


@functools.cache
def departure_check() -> DeleteDepartedCustomer:
    from licence_manager.adapters.firestore_customer_data import FirestoreCustomerData
    from licence_manager.domain.departure import Retention
    from licence_manager.services.departures import DeleteDepartedCustomer

    config = settings()
    retention = Retention(config.departed_after_days, config.invoicing_retention_days)
    return DeleteDepartedCustomer(FirestoreCustomerData(store()._db), head_archive(), retention)


def clear() -> None:
    """Forget every built adapter (tests change the environment between cases)."""
    for built in (
        head_archive,
        audit_check_planner,
        audit_check_customer,
        departure_check,
        report_store,
        reports,
        month_end_planner,
        month_end_customer,
        workspace_users,
        licence_assignments,
        holder_store,
        holder_sync_planner,
        holder_sync_customer,
        react_to_reseller_event,
        settings,
        store,
        reseller,
        publisher,
        mailer,
        usage_sync,
        unit_of_work,
        evaluate_licence,
        apply_top_up,
        sweep_requests,
        send_notification,
        request_addition,
        request_purchase,
        decide_approval,
        api_app,
    ):
        built.cache_clear()
