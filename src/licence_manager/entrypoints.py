"""What the function entry points share: decoding trigger payloads and guarding their age.
Each functions/<name>/main.py is a thin call into here, and every one of them imports this module:
what only one trigger needs (the sync's commands, Firestore event decoding, the month-end job) is
imported by that trigger's function when it first runs, so no function's cold start pays for
another's (docs/performance.md, cold start)."""

from __future__ import annotations

import base64
import binascii
import io
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from licence_manager import bootstrap
from licence_manager.domain.model import LicenceKey
from licence_manager.observability import get_logger

if TYPE_CHECKING:
    from licence_manager.services.sync import SyncReport, SyncUsage

log = get_logger(__name__)


class BadMessage(ValueError):
    """A message that can never be processed: dropped with a log entry, not retried."""


def pubsub_json(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The JSON body of a Pub/Sub CloudEvent (`data.message.data`, base64); {} when empty."""
    encoded = ((data or {}).get("message") or {}).get("data") or ""
    if not encoded:
        return {}
    try:
        body = json.loads(base64.b64decode(encoded))
    except (binascii.Error, ValueError) as error:
        raise BadMessage(f"message data is not base64 JSON: {error}") from error
    if not isinstance(body, dict):
        raise BadMessage("message data must be a JSON object")
    return body


def age_seconds(event_time: str | None, now: datetime | None = None) -> float:
    if not event_time:
        return 0.0
    sent = datetime.fromisoformat(event_time.replace("Z", "+00:00"))
    return ((now or datetime.now(UTC)) - sent).total_seconds()


def sync_command(body: Mapping[str, Any], configured: tuple[str | None, ...]) -> SyncUsage:
    """The scheduler job may name shards (`{"shards": ["a", "b"]}`, otherwise all configured)
    and ask for a verifying run (`{"verify": true}`: every stored licence is read and the usage
    digest rebuilt from it, the daily check)."""
    verify = body.get("verify", False)
    if not isinstance(verify, bool):
        raise BadMessage('"verify" must be true or false')
    from licence_manager.services.sync import SyncUsage

    shards = body.get("shards")
    if shards is None:
        return SyncUsage(shards=configured, verify=verify)
    if not isinstance(shards, list) or not all(isinstance(s, str) and s for s in shards):
        raise BadMessage('"shards" must be a list of non-empty customer name prefixes')
    return SyncUsage(shards=tuple(s.lower() for s in shards), verify=verify)


def run_scheduled_sync(event_time: str | None, data: Mapping[str, Any] | None) -> SyncReport | None:
    """Cloud Scheduler → Pub/Sub → sync_usage. A late redelivery is dropped: the next scheduled
    run is already due and a pile-up of old runs only burns API quota."""
    settings = bootstrap.settings()
    age = age_seconds(event_time)
    if age > settings.sync_max_event_age_seconds:
        log.warning("dropping stale sync trigger", extra={"ageSeconds": round(age, 1)})
        return None
    try:
        command = sync_command(pubsub_json(data), settings.sync_customer_prefixes)
    except BadMessage as error:
        log.error("dropping malformed sync trigger", extra={"error": str(error)})
        return None
    report = bootstrap.usage_sync()(command)
    log_report(report)
    return report


def run_sweep(event_time: str | None, data: Mapping[str, Any] | None) -> None:
    """Cloud Scheduler → Pub/Sub → sweep_requests: drive every unfinished seat-change request
    (see services.sweeper). A late redelivery is dropped: the next sweep is already due."""
    settings = bootstrap.settings()
    age = age_seconds(event_time)
    if age > settings.sync_max_event_age_seconds:
        log.warning("dropping stale sweep trigger", extra={"ageSeconds": round(age, 1)})
        return
    bootstrap.sweep_requests()()


def log_report(report: SyncReport) -> None:
    failures = report.failures
    log.log(
        40 if failures else 20,  # ERROR when anything failed, so alerting policies can see it
        "usage sync finished",
        extra={
            "event": "sync.finished",
            # OK: every shard's listing completed, so every customer's figures are fresh (a
            # customer of its own failing is in customerFailures); INCOMPLETE: a listing
            # stopped, so some figures are getting older. The "sync stalled" alert waits for OK.
            "outcome": "OK" if all(s.complete for s in report.shards) else "INCOMPLETE",
            "customerFailures": len({f["customerId"] for f in failures if f.get("customerId")}),
            "runId": report.run_id,
            "durationSeconds": round(
                ((report.finished_at or report.started_at) - report.started_at).total_seconds(), 3
            ),
            "shards": len(report.shards),
            "apiCalls": report.total("api_calls"),
            "subscriptionsSeen": report.total("subscriptions_seen"),
            "offlineSkipped": report.total("offline_skipped"),
            "licencesCreated": report.total("licences_created"),
            "licencesUpdated": report.total("licences_updated"),
            "licencesRemoved": report.total("licences_removed"),
            "licencesDeferred": report.total("licences_deferred"),
            "outsideChanges": report.total("outside_changes"),
            "customersAdded": report.total("customers_added"),
            "licencesWritten": report.licences_written,
            "complete": all(s.complete for s in report.shards),
            "failures": failures,
        },
    )


def serve_http(request: Any) -> Any:
    """Hand a functions-framework (Flask) request to the API app."""
    app = bootstrap.api_app()
    # Read the body once on the outer request (which caches it for functions-framework's own
    # hooks) and give the API app its own copy of the stream.
    body = request.get_data()
    environ = {**request.environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
    with app.request_context(environ):
        return app.full_dispatch_request()


def evaluate_document_event(data: Any) -> None:
    """A licence or its settings changed (Eventarc, protobuf DocumentEventData): re-evaluate,
    unless the document has been written again since."""
    from licence_manager.firestore_events import DocumentEventError, decode_document_event

    try:
        change = decode_document_event(data)
    except DocumentEventError as error:
        log.error("dropping undecodable Firestore event", extra={"error": str(error)})
        return
    key = licence_key_of(change.new or change.old or {}, change.document_id)
    if key is None:
        log.error(
            "Firestore event for a document without a licence key", extra={"document": change.path}
        )
        return
    if change.update_time is not None and bootstrap.unit_of_work().written_since(
        change.path, change.update_time
    ):
        # Superseded: the newer write's own event evaluates the state as it is now. A burst
        # of writes (users arriving one by one) is thus not one evaluation per write, each
        # waiting on the others' locks.
        log.info("superseded Firestore event skipped", extra={"document": change.path})
        return
    bootstrap.evaluate_licence()(key)


def licence_key_of(fields: Mapping[str, Any], document_id: str) -> LicenceKey | None:
    customer_id, sku_id = fields.get("customerId"), fields.get("skuId")
    if isinstance(customer_id, str) and isinstance(sku_id, str):
        return LicenceKey(customer_id, sku_id)
    customer_id, _, sku_id = document_id.rpartition("_")  # ids are {customerId}_{skuId}
    return LicenceKey(customer_id, sku_id) if customer_id and sku_id else None


def _message_id(data: Mapping[str, Any] | None, field: str) -> str | None:
    try:
        value = pubsub_json(data).get(field)
    except BadMessage as error:
        log.error("dropping malformed message", extra={"error": str(error)})
        return None
    if not isinstance(value, str) or not value:
        log.error("dropping message without an id", extra={"field": field})
        return None
    return value


def apply_top_up_message(data: Mapping[str, Any] | None) -> None:
    """A seat-change request to apply. RetryLater propagates: the message is redelivered."""
    request_id = _message_id(data, "requestId")
    if request_id is not None:
        bootstrap.apply_top_up()(request_id)


def send_notification_message(data: Mapping[str, Any] | None) -> None:
    """A notification to email, or a step of the month-end report job: Cloud Scheduler publishes
    `{"job": "month-end-report"}` on the 1st (`"month": "YYYY-MM"` reruns a given month), which
    plans one page of customers; each customer's `{"job": "month-end-customer", ...}` writes and
    emails that customer's report. RetryLater or any failure propagates: only that message is
    redelivered."""
    try:
        body = pubsub_json(data)
    except BadMessage as error:
        log.error("dropping malformed message", extra={"error": str(error)})
        return
    if body.get("job") == MONTH_END_JOB:
        run_month_end(body.get("month"), body.get("after"))
        return
    if body.get("job") == MONTH_END_CUSTOMER_JOB:
        run_month_end_customer(body.get("customerId"), body.get("month"))
        return
    notification_id = _message_id(data, "notificationId")
    if notification_id is not None:
        _send_everywhere(notification_id)


def _send_everywhere(notification_id: str) -> None:
    """Email, then the alert channels; each settles on its own, so a deferred email (RetryLater)
    does not hold the channels back, and the message is redelivered for whichever is left."""
    from licence_manager.services.errors import RetryLater

    later: Exception | None = None
    try:
        bootstrap.send_notification()(notification_id)
    except RetryLater as error:
        later = error
    if bootstrap.settings().channel_secret_key:
        bootstrap.deliver_to_channels()(notification_id)
    if later is not None:
        raise later


MONTH_END_JOB = "month-end-report"
MONTH_END_CUSTOMER_JOB = "month-end-customer"


def _month(month: object) -> date | None:
    """The month a month-end message names; None for the one just ended. BadMessage if invalid."""
    from licence_manager.domain.month_end import parse_month

    if month is None:
        return None
    try:
        return parse_month(str(month))
    except ValueError as error:
        raise BadMessage(str(error)) from error


def run_month_end(month: object, after: object = None) -> None:
    """One page of the month-end plan. Idempotent: a rerun republishes messages whose handlers
    then write and send nothing new."""
    try:
        chosen = _month(month)
        if after is not None and (not isinstance(after, str) or not after):
            raise BadMessage('"after" must be a customer id')
    except BadMessage as error:
        log.error("dropping month-end job with a bad message", extra={"error": str(error)})
        return
    bootstrap.month_end_planner()(chosen, after)


def run_month_end_customer(customer_id: object, month: object) -> None:
    """One customer's month-end: written and emailed once, however often it is delivered."""
    try:
        chosen = _month(month)
        if chosen is None or not isinstance(customer_id, str) or not customer_id:
            raise BadMessage('a month-end customer message needs "customerId" and "month"')
    except BadMessage as error:
        log.error("dropping month-end customer message", extra={"error": str(error)})
        return
    outcome = bootstrap.month_end_customer()(customer_id, chosen)
    log.info(
        "month-end customer",
        extra={"customerId": customer_id, "month": f"{chosen:%Y-%m}", "outcome": outcome.value},
    )


HOLDER_SYNC_JOB = "sync-holders"
HOLDER_SYNC_CUSTOMER_JOB = "sync-holders-customer"


def sync_holders_message(data: Mapping[str, Any] | None) -> None:
    """The daily holder sync (services.holder_sync): Cloud Scheduler publishes
    `{"job": "sync-holders"}`, which plans one page of customers (`"after"`: the page after that
    customer id); each `{"job": "sync-holders-customer", "customerId"}` syncs that customer's
    seat holders. Both are idempotent; any failure propagates and only that message is
    redelivered."""
    try:
        body = pubsub_json(data)
        job = body.get("job")
        if job == HOLDER_SYNC_JOB:
            after = body.get("after")
            if after is not None and (not isinstance(after, str) or not after):
                raise BadMessage('"after" must be a customer id')
            bootstrap.holder_sync_planner()(after)
            return
        if job != HOLDER_SYNC_CUSTOMER_JOB:
            raise BadMessage(f"unknown job {job!r}")
        customer_id = body.get("customerId")
        if not isinstance(customer_id, str) or not customer_id:
            raise BadMessage('a holder-sync customer message needs "customerId"')
    except BadMessage as error:
        log.error("dropping holder-sync message", extra={"error": str(error)})
        return
    done = bootstrap.holder_sync_customer()(customer_id)
    log.info(
        "holder sync customer", extra={"customerId": customer_id, "outcome": done.outcome.value}
    )


def react_to_reseller_event_message(data: Mapping[str, Any] | None) -> None:
    """Google's Reseller notification (resellernotify) → a targeted sync of its customer
    (services.event_sync). A message that can never be acted on (not JSON, no customer) and an
    event type Google has not documented are acknowledged and logged; a failed re-list
    propagates, so Pub/Sub redelivers the message (and dead-letters it after its attempts)."""
    from licence_manager.domain.reseller_events import UnreadableEvent, decode_reseller_event

    message = (data or {}).get("message") or {}
    try:
        event = decode_reseller_event(pubsub_json(data), _publish_time(message))
    except (BadMessage, UnreadableEvent) as error:
        log.error(
            "dropping unreadable reseller event",
            extra={"error": str(error), "messageId": message.get("messageId", "")},
        )
        return
    handled = bootstrap.react_to_reseller_event()(event)
    report = handled.report
    log.info(
        "reseller event",
        extra={
            "customerId": event.customer_id,
            "eventType": event.event_type,
            "eventTime": event.event_time.isoformat(),
            "outcome": handled.outcome.value,
            **(
                {
                    "sync": report.outcome.value,
                    "licencesWritten": report.licences_written,
                    "licencesRemoved": report.licences_removed,
                }
                if report
                else {}
            ),
        },
    )


def _publish_time(message: Mapping[str, Any]) -> datetime:
    """The Pub/Sub message's publish time (RFC 3339); now when it has none or an unreadable one."""
    value = message.get("publishTime") or message.get("publish_time")
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    return datetime.now(UTC)


AUDIT_VERIFY_JOB = "verify-audit"
AUDIT_VERIFY_CUSTOMER_JOB = "verify-audit-customer"


def verify_audit_message(data: Mapping[str, Any] | None) -> None:
    """The daily audit check (services.audit_integrity): Cloud Scheduler publishes
    `{"job": "verify-audit"}`, which plans one page of customers (`"after"`: the page after that
    customer id); each `{"job": "verify-audit-customer", "customerId"}` verifies that customer's
    chains from their checkpoints and exports the heads. Both are idempotent; a failure
    propagates and only that message is redelivered."""
    try:
        body = pubsub_json(data)
        job = body.get("job")
        if job == AUDIT_VERIFY_JOB:
            after = body.get("after")
            if after is not None and (not isinstance(after, str) or not after):
                raise BadMessage('"after" must be a customer id')
            bootstrap.audit_check_planner()(after)
            return
        if job != AUDIT_VERIFY_CUSTOMER_JOB:
            raise BadMessage(f"unknown job {job!r}")
        customer_id = body.get("customerId")
        if not isinstance(customer_id, str) or not customer_id:
            raise BadMessage('an audit-check customer message needs "customerId"')
    except BadMessage as error:
        log.error("dropping audit-check message", extra={"error": str(error)})
        return
    bootstrap.audit_check_customer()(customer_id)
    # The same daily visit of each customer deletes a departed one's data once due (a dry run,
    # logged, unless DELETE_DEPARTED is on): domain.departure.
    report = bootstrap.departure_check()(
        customer_id, execute=bootstrap.settings().delete_departed, by="scheduled"
    )
    if report.due is not None and not report.deleted and report.counts:
        log.warning(
            "departed customer due for deletion (dry run)",
            extra={
                "event": "customer_data_due",
                "customerId": customer_id,
                "departed": report.departed.isoformat() if report.departed else None,
                "wouldDelete": report.counts,
            },
        )
