"""Settings, read once from the environment (Terraform sets them in production)."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

RESELLER_SCOPE = "https://www.googleapis.com/auth/apps.order"
# What the holder sync reads of each customer (domain-wide delegation, as the Reseller API's).
# The Licensing API has no read-only scope: only sync_holders is given these.
# apply_topup's unassigns (licenseAssignments.get and delete): the Licensing API has no narrower
# scope, and no read-only one.
LICENSING_SCOPE = "https://www.googleapis.com/auth/apps.licensing"
WORKSPACE_SCOPES = (
    "https://www.googleapis.com/auth/apps.licensing",
    "https://www.googleapis.com/auth/admin.directory.user.readonly",
    "https://www.googleapis.com/auth/admin.reports.usage.readonly",
)


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names it."""


@dataclass(frozen=True, slots=True)
class Settings:
    project_id: str
    firestore_database: str
    reseller_api_endpoint: str | None  # None: Google's own endpoint
    reseller_admin_subject: str | None  # the reseller admin that domain-wide delegation acts as
    reseller_service_account: str | None  # signs the delegated token, keyless, through IAM
    reseller_timeout_seconds: float
    sync_customer_prefixes: tuple[str | None, ...]
    sync_max_parallel_shards: int
    sync_max_event_age_seconds: int
    # How often Cloud Scheduler starts the sync (Terraform's sync.interval_minutes): the sync
    # records it in its heartbeat, and figures older than three intervals are called stale.
    sync_interval_seconds: int
    # How long a sync run holds a shard while it records it (domain.usage_digest.ShardLease):
    # longer than sync_usage's timeout, so a run stopped at the timeout is never overlapped.
    sync_shard_lease_seconds: float
    # Firestore's 500/50/5 rule for a large book's first sync (domain.onboarding): new licences
    # a second and a run; the rest are left to later runs.
    sync_new_licences_per_second: float
    sync_new_licences_per_run: int
    default_time_zone: str
    local_mode: bool  # serves unauthenticated API routes; never set in production
    top_up_topic: str
    # How long an apply attempt holds a request and its licence: longer than the longest
    # attempt (apply_topup's timeout), so no second change to a licence starts while one runs.
    top_up_lease_seconds: float
    alert_topic: str
    # The month-end job (send_alerts): its planner's next page goes to the first, one message
    # per customer to the second (services.month_end).
    month_end_topic: str
    month_end_customer_topic: str
    # The holder sync (sync_holders): its planner's next page goes to the first, one message
    # per customer to the second (services.holder_sync).
    holder_sync_topic: str
    holder_sync_customer_topic: str
    sendgrid_api_key: str  # from Secret Manager in production; only send_alerts needs it
    sendgrid_api_host: str | None  # None: SendGrid itself; locally, the stand-in
    alert_sender_email: str
    dashboard_url: str
    # The dashboard's Firebase web config, handed to the browser for Google sign-in (public).
    firebase_api_key: str
    firebase_auth_domain: str
    # Where requests above a customer's spending limit are announced for approval (send_alerts;
    # the api's Approvals page names it).
    reseller_ops_email: str
    web_dir: str | None  # local only: the built web app for the api to serve (web/dist)
    # The Cloud Run service (K_SERVICE) or revision (K_REVISION) this runs as; None off Google
    # Cloud. Cloud Run and Cloud Functions both set them, and functions-framework does not.
    cloud_run_service: str | None = None
    # Reseller events (react_to_reseller_events): events of one customer within this many
    # seconds of a re-list coalesce into at most one more (domain.relist_coalescing).
    event_relist_window_seconds: float = 5.0
    # The Fernet key sealing alert channels' webhook URLs (Secret Manager in production; `make
    # run` generates one). Empty: channels cannot be stored or posted to.
    channel_secret_key: str = ""
    # Verifies SendGrid's signed Event Webhook (api); base64 DER, as SendGrid shows it.
    sendgrid_event_public_key: str = ""
    # The scheduled audit check (verify_audit): its planner's next page goes to the first, one
    # message per customer to the second (services.audit_integrity).
    audit_verify_topic: str = "verify-audit"
    audit_verify_customer_topic: str = "verify-audit-customer"
    # Where verify_audit exports the verified chain heads: a bucket in production; locally a
    # directory (AUDIT_HEADS_DIR, never set in production).
    audit_heads_bucket: str = ""
    audit_heads_dir: str | None = None
    # Departed customers (domain.departure), checked by verify_audit for each customer daily:
    # deleted only when DELETE_DEPARTED is "1"; otherwise what is due is only logged.
    delete_departed: bool = False
    departed_after_days: int = 400
    invoicing_retention_days: int = 2557

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        prefixes = tuple(
            p.strip().lower() for p in env.get("SYNC_CUSTOMER_PREFIXES", "").split(",")
        )
        shards: tuple[str | None, ...] = tuple(p for p in prefixes if p) or (None,)
        settings = cls(
            project_id=env.get("GOOGLE_CLOUD_PROJECT", ""),
            firestore_database=env.get("FIRESTORE_DATABASE", "(default)"),
            reseller_api_endpoint=env.get("RESELLER_API_ENDPOINT") or None,
            reseller_admin_subject=env.get("RESELLER_ADMIN_SUBJECT") or None,
            reseller_service_account=env.get("RESELLER_SERVICE_ACCOUNT") or None,
            reseller_timeout_seconds=_number(env, "RESELLER_TIMEOUT_SECONDS", 30.0),
            sync_customer_prefixes=shards,
            sync_max_parallel_shards=int(_number(env, "SYNC_MAX_PARALLEL_SHARDS", 8)),
            sync_max_event_age_seconds=int(_number(env, "SYNC_MAX_EVENT_AGE_SECONDS", 600)),
            sync_interval_seconds=math.ceil(_number(env, "SYNC_INTERVAL_SECONDS", 300)),
            sync_shard_lease_seconds=_number(env, "SYNC_SHARD_LEASE_SECONDS", 600.0),
            sync_new_licences_per_second=_number(env, "SYNC_NEW_LICENCES_PER_SECOND", 90.0),
            sync_new_licences_per_run=int(_number(env, "SYNC_NEW_LICENCES_PER_RUN", 20_000)),
            default_time_zone=env.get("DEFAULT_TIME_ZONE", "Europe/London"),
            local_mode=env.get("LICENCE_MANAGER_LOCAL", "") == "1",
            top_up_topic=env.get("TOPUP_TOPIC", "topup-requests"),
            top_up_lease_seconds=_number(env, "TOPUP_LEASE_SECONDS", 420.0),
            alert_topic=env.get("ALERT_TOPIC", "alerts"),
            month_end_topic=env.get("MONTH_END_TOPIC", "month-end-report"),
            month_end_customer_topic=env.get("MONTH_END_CUSTOMER_TOPIC", "month-end-customer"),
            holder_sync_topic=env.get("HOLDER_SYNC_TOPIC", "sync-holders"),
            holder_sync_customer_topic=env.get(
                "HOLDER_SYNC_CUSTOMER_TOPIC", "sync-holders-customer"
            ),
            sendgrid_api_key=env.get("SENDGRID_API_KEY", ""),
            sendgrid_api_host=env.get("SENDGRID_API_HOST") or None,
            alert_sender_email=env.get("ALERT_SENDER_EMAIL", ""),
            dashboard_url=env.get("DASHBOARD_URL", ""),
            firebase_api_key=env.get("FIREBASE_API_KEY", ""),
            firebase_auth_domain=env.get("FIREBASE_AUTH_DOMAIN", ""),
            reseller_ops_email=env.get("RESELLER_OPS_EMAIL", ""),
            web_dir=env.get("LICENCE_MANAGER_WEB_DIR") or None,
            cloud_run_service=env.get("K_SERVICE") or env.get("K_REVISION") or None,
            event_relist_window_seconds=_number(env, "EVENT_RELIST_WINDOW_SECONDS", 5.0),
            channel_secret_key=env.get("CHANNEL_SECRET_KEY", ""),
            sendgrid_event_public_key=env.get("SENDGRID_EVENT_PUBLIC_KEY", ""),
            audit_verify_topic=env.get("AUDIT_VERIFY_TOPIC", "verify-audit"),
            audit_verify_customer_topic=env.get(
                "AUDIT_VERIFY_CUSTOMER_TOPIC", "verify-audit-customer"
            ),
            audit_heads_bucket=env.get("AUDIT_HEADS_BUCKET", ""),
            audit_heads_dir=env.get("AUDIT_HEADS_DIR") or None,
            delete_departed=env.get("DELETE_DEPARTED", "") == "1",
            departed_after_days=int(_number(env, "DEPARTED_AFTER_DAYS", 400)),
            invoicing_retention_days=int(_number(env, "INVOICING_RETENTION_DAYS", 2557)),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        try:
            ZoneInfo(self.default_time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ConfigError(
                f"DEFAULT_TIME_ZONE {self.default_time_zone!r} is not a time zone"
            ) from error
        if self.sync_max_parallel_shards < 1:
            raise ConfigError("SYNC_MAX_PARALLEL_SHARDS must be at least 1")
        if self.sync_shard_lease_seconds <= 0:
            raise ConfigError("SYNC_SHARD_LEASE_SECONDS must be more than 0")
        if self.sync_new_licences_per_second <= 0 or self.sync_new_licences_per_run < 1:
            raise ConfigError(
                "SYNC_NEW_LICENCES_PER_SECOND must be more than 0 and "
                "SYNC_NEW_LICENCES_PER_RUN at least 1"
            )
        if self.local_mode:
            self._refuse_local_mode_in_production()

    def _refuse_local_mode_in_production(self) -> None:
        """Local mode signs anyone in without a password, so one stray environment variable
        must not turn it on in production. FUNCTION_TARGET does not tell: functions-framework
        sets it itself, also under `make run`; K_SERVICE and K_REVISION do."""
        if self.cloud_run_service is not None:
            raise ConfigError(
                "LICENCE_MANAGER_LOCAL=1 is refused on Cloud Run and Cloud Functions (K_SERVICE "
                f"or K_REVISION is set: {self.cloud_run_service!r}): local mode signs anyone in "
                "without a password"
            )
        if self.reseller_api_endpoint is None:
            raise ConfigError(
                "LICENCE_MANAGER_LOCAL=1 needs RESELLER_API_ENDPOINT (the local simulator): "
                "local mode against Google's own Reseller API is refused"
            )


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as error:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from error
    if value <= 0:
        raise ConfigError(f"{name} must be positive, not {raw!r}")
    return value
