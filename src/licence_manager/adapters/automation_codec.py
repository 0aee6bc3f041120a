"""Automation documents (settings, state, seat-change requests, notifications, recipients) to
flat Firestore documents and back. Field names are part of the export contract."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from licence_manager.adapters.firestore_codec import Document, plain_datetime
from licence_manager.domain.anomaly import AnomalyPolicy, AssignedSample, TopUpPause, Window
from licence_manager.domain.audit import Source
from licence_manager.domain.automation import AutomationState
from licence_manager.domain.channels import (
    ChannelDelivery,
    channel_problem,
    channels_unsettled,
)
from licence_manager.domain.email_events import RecipientOutcome
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.notifications import (
    DeliveryStatus,
    Notification,
    NotificationType,
    Recipient,
)
from licence_manager.domain.settings import LicenceSettings, TopUpMode
from licence_manager.domain.topup import RequestKind, RequestStatus, TopUpRequest

# Recipient preference fields, one flat boolean per notification type.
PREFERENCE_FIELDS = {
    NotificationType.LOW_LICENCES: "lowLicences",
    NotificationType.TOP_UP_APPLIED: "topUpApplied",
    NotificationType.TOP_UP_FAILED: "topUpFailed",
    NotificationType.PURCHASE_CONFIRMED: "purchaseConfirmed",
    NotificationType.MONTH_END_REPORT: "monthEndReport",
    NotificationType.RENEWAL_REMINDER: "renewalReminder",
    NotificationType.TOP_UPS_PAUSED: "topUpsPaused",
    NotificationType.TRIAL_ENDING: "trialEnding",
    NotificationType.SUBSCRIPTION_STATUS: "subscriptionStatus",
}


def _time(value: Any) -> datetime | None:
    return plain_datetime(value) if value is not None else None


def _key(doc: Document) -> LicenceKey:
    return LicenceKey(doc["customerId"], doc["skuId"])


def _key_fields(key: LicenceKey) -> Document:
    return {"licenceId": key.doc_id, "customerId": key.customer_id, "skuId": key.sku_id}


def settings_to_doc(key: LicenceKey, s: LicenceSettings, updated_by: str, at: datetime) -> Document:
    return {
        **_key_fields(key),
        "lowLicenceAlert": s.low_licence_alert,
        "alertVacantAtOrBelow": s.alert_vacant_at_or_below,
        "alertUtilisationAtOrAbove": s.alert_utilisation_at_or_above,
        "autoTopUp": s.auto_top_up,
        "topUpWhenVacantBelow": s.top_up_when_vacant_below,
        "topUpTargetVacant": s.top_up_target_vacant,
        "topUpMode": s.top_up_mode.value,
        "topUpStep": s.top_up_step,
        "maxTotalSeats": s.max_total_seats,
        "maxSeatsPerMonth": s.max_seats_per_month,
        "holdTopUpsWhenReclaimable": s.hold_top_ups_when_reclaimable,
        "updatedBy": updated_by,
        "updatedAt": at,
    }


def settings_from_doc(doc: Document) -> LicenceSettings:
    return LicenceSettings(
        low_licence_alert=doc["lowLicenceAlert"],
        alert_vacant_at_or_below=doc["alertVacantAtOrBelow"],
        alert_utilisation_at_or_above=doc["alertUtilisationAtOrAbove"],
        auto_top_up=doc["autoTopUp"],
        top_up_when_vacant_below=doc["topUpWhenVacantBelow"],
        top_up_target_vacant=doc["topUpTargetVacant"],
        top_up_mode=TopUpMode(doc["topUpMode"]),
        top_up_step=doc["topUpStep"],
        max_total_seats=doc["maxTotalSeats"],
        max_seats_per_month=doc["maxSeatsPerMonth"],
        # Saved before reclaim-before-buying existed: off, as the default is.
        hold_top_ups_when_reclaimable=doc.get("holdTopUpsWhenReclaimable"),
    )


def automation_to_doc(key: LicenceKey, s: AutomationState) -> Document:
    return {
        **_key_fields(key),
        "lowAlertActive": s.low_alert_active,
        "lowAlerts": s.low_alerts,
        "blockedAlertActive": s.blocked_alert_active,
        "blockedAlerts": s.blocked_alerts,
        "pendingRequestId": s.pending_request_id,
        "topUps": s.top_ups,
        "month": s.month,
        "seatsAddedThisMonth": s.seats_added_this_month,
        "failedAtTotal": s.failed_at_total,
        "inFlightRequestId": s.in_flight_request_id,
        "inFlightTotalAfter": s.in_flight_total_after,
        "inFlightSince": s.in_flight_since,
        "inFlightSeenAt": s.in_flight_seen_at,
        "assignedWindow": [{"at": w.at, "assigned": w.assigned} for w in s.assigned_window],
        "topUpsPaused": _pause_to_doc(s.top_ups_paused),
        "anomalyPauses": s.anomaly_pauses,
        "statusAlertId": s.status_alert_id,
    }


def automation_from_doc(doc: Document) -> AutomationState:
    return AutomationState(
        low_alert_active=doc["lowAlertActive"],
        low_alerts=doc["lowAlerts"],
        blocked_alert_active=doc["blockedAlertActive"],
        blocked_alerts=doc["blockedAlerts"],
        pending_request_id=doc["pendingRequestId"],
        top_ups=doc["topUps"],
        month=doc["month"],
        seats_added_this_month=doc["seatsAddedThisMonth"],
        failed_at_total=doc["failedAtTotal"],
        in_flight_request_id=doc["inFlightRequestId"],
        in_flight_total_after=doc["inFlightTotalAfter"],
        in_flight_since=_time(doc["inFlightSince"]),
        in_flight_seen_at=_time(doc.get("inFlightSeenAt")),
        # Stored before the anomaly guard: an empty window, not paused.
        assigned_window=_window_from_doc(doc.get("assignedWindow") or []),
        top_ups_paused=_pause_from_doc(doc.get("topUpsPaused")),
        anomaly_pauses=doc.get("anomalyPauses", 0),
        status_alert_id=doc.get("statusAlertId"),
    )


def _window_from_doc(samples: list[Document]) -> Window:
    return tuple(AssignedSample(plain_datetime(s["at"]), int(s["assigned"])) for s in samples)


def _pause_to_doc(pause: TopUpPause | None) -> Document | None:
    if pause is None:
        return None
    return {
        "pausedAt": pause.paused_at,
        "pausedBy": pause.paused_by,
        "reason": pause.reason,
        "rise": pause.rise,
        "assignedFrom": pause.assigned_from,
        "assignedTo": pause.assigned_to,
        "since": pause.since,
        "total": pause.total,
    }


def _pause_from_doc(doc: Document | None) -> TopUpPause | None:
    if doc is None:
        return None
    return TopUpPause(
        paused_at=plain_datetime(doc["pausedAt"]),
        paused_by=doc["pausedBy"],
        reason=doc["reason"],
        rise=doc["rise"],
        assigned_from=doc["assignedFrom"],
        assigned_to=doc["assignedTo"],
        since=plain_datetime(doc["since"]),
        total=doc["total"],
    )


def anomaly_policy_to_doc(customer_id: str, policy: AnomalyPolicy) -> Document:
    return {
        "customerId": customer_id,
        "minUsers": policy.min_users,
        "minPercent": policy.min_percent,
        "changedBy": policy.changed_by,
        "changedAt": policy.changed_at,
    }


def anomaly_policy_from_doc(doc: Document) -> AnomalyPolicy:
    return AnomalyPolicy(
        customer_id=doc["customerId"],
        min_users=int(doc["minUsers"]),
        min_percent=int(doc["minPercent"]),
        changed_by=doc.get("changedBy", ""),
        changed_at=_time(doc.get("changedAt")),
    )


def request_to_doc(r: TopUpRequest) -> Document:
    return {
        "requestId": r.request_id,
        **_key_fields(r.key),
        "source": r.source.value,
        "requestedBy": r.requested_by,
        "planName": r.plan_name,
        "seatsToAdd": r.seats_to_add,
        "totalBefore": r.total_before,
        "totalAfter": r.total_after,
        "createdAt": r.created_at,
        "status": r.status.value,
        "attempts": r.attempts,
        "claimedAt": r.claimed_at,
        "finishedAt": r.finished_at,
        "subscriptionId": r.subscription_id,
        "recovered": r.recovered,
        "message": r.message,
        "changeSentAt": r.change_sent_at,
        "kind": r.kind.value,
        "timeZone": r.time_zone,
        "approvedBy": r.approved_by,
        "approvedAt": r.approved_at,
        "renewalType": r.renewal_type,
        "renewalTypeBefore": r.renewal_type_before,
        "userEmail": r.user_email,
        "userId": r.user_id,
        "productId": r.product_id,
        "observedAt": r.observed_at,
    }


def request_from_doc(doc: Document) -> TopUpRequest:
    return TopUpRequest(
        request_id=doc["requestId"],
        key=_key(doc),
        source=Source(doc["source"]),
        requested_by=doc["requestedBy"],
        plan_name=doc["planName"],
        seats_to_add=doc["seatsToAdd"],
        total_before=doc["totalBefore"],
        total_after=doc["totalAfter"],
        created_at=plain_datetime(doc["createdAt"]),
        status=RequestStatus(doc["status"]),
        attempts=doc["attempts"],
        claimed_at=_time(doc["claimedAt"]),
        finished_at=_time(doc["finishedAt"]),
        subscription_id=doc["subscriptionId"],
        recovered=doc["recovered"],
        message=doc["message"],
        change_sent_at=_time(doc.get("changeSentAt")),
        kind=RequestKind(doc.get("kind", RequestKind.CHANGE_SEATS.value)),
        time_zone=doc.get("timeZone", ""),
        approved_by=doc.get("approvedBy", ""),
        approved_at=_time(doc.get("approvedAt")),
        renewal_type=doc.get("renewalType", ""),
        renewal_type_before=doc.get("renewalTypeBefore", ""),
        user_email=doc.get("userEmail", ""),
        user_id=doc.get("userId", ""),
        product_id=doc.get("productId", ""),
        observed_at=_time(doc.get("observedAt")),
    )


def notification_to_doc(n: Notification) -> Document:
    # Facts are flattened with a prefix so the export stays one level deep.
    facts = {f"fact_{name}": value for name, value in n.facts.items()}
    return {
        "notificationId": n.notification_id,
        **_key_fields(n.key),
        "type": n.type.value,
        "createdAt": n.created_at,
        "status": n.status.value,
        "recipients": ", ".join(n.recipients),
        "attempts": n.attempts,
        "claimedAt": n.claimed_at,
        "sentAt": n.sent_at,
        "providerMessageId": n.provider_message_id,
        "error": n.error,
        "refusedRecipients": ", ".join(n.refused_recipients),
        # One JSON text, so the document (and the export) stays one level deep.
        **({"channelDeliveries": deliveries_to_json(n)} if n.channel_deliveries else {}),
        # Queryable, as the JSON text is not: the sweeper's channels_unsent reads it.
        "channelsUnsettled": channels_unsettled(n),
        # Likewise "show problems only"'s second query (adapters.firestore_pages).
        "channelProblem": channel_problem(n),
        **({"recipientOutcomes": outcomes_to_json(n)} if n.recipient_outcomes else {}),
        **facts,
    }


def notification_from_doc(doc: Document) -> Notification:
    recipients = _addresses(doc["recipients"])
    return Notification(
        notification_id=doc["notificationId"],
        key=_key(doc),
        type=NotificationType(doc["type"]),
        created_at=plain_datetime(doc["createdAt"]),
        facts={k.removeprefix("fact_"): v for k, v in doc.items() if k.startswith("fact_")},
        status=DeliveryStatus(doc["status"]),
        recipients=recipients,
        attempts=doc["attempts"],
        claimed_at=_time(doc["claimedAt"]),
        sent_at=_time(doc["sentAt"]),
        provider_message_id=doc["providerMessageId"],
        error=doc["error"],
        refused_recipients=_addresses(doc.get("refusedRecipients", "")),
        channel_deliveries=deliveries_from_json(doc.get("channelDeliveries") or "[]"),
        recipient_outcomes=outcomes_from_json(doc.get("recipientOutcomes") or "[]"),
    )


def deliveries_to_json(n: Notification) -> str:
    return json.dumps(
        [
            {
                "channelId": d.channel_id,
                "status": d.status.value,
                "token": d.token,
                "claimedAt": d.claimed_at.isoformat() if d.claimed_at else None,
                "sentAt": d.sent_at.isoformat() if d.sent_at else None,
                "error": d.error,
                "batchSize": d.batch_size,
            }
            for d in n.channel_deliveries
        ]
    )


def deliveries_from_json(text: str) -> tuple[ChannelDelivery, ...]:
    def when(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    return tuple(
        ChannelDelivery(
            channel_id=item["channelId"],
            status=DeliveryStatus(item["status"]),
            token=item.get("token", ""),
            claimed_at=when(item.get("claimedAt")),
            sent_at=when(item.get("sentAt")),
            error=item.get("error"),
            batch_size=item.get("batchSize", 1),
        )
        for item in json.loads(text)
    )


def outcomes_to_json(n: Notification) -> str:
    return json.dumps(
        [
            {"email": o.email, "event": o.event, "at": o.at.isoformat(), "reason": o.reason}
            for o in n.recipient_outcomes
        ]
    )


def outcomes_from_json(text: str) -> tuple[RecipientOutcome, ...]:
    return tuple(
        RecipientOutcome(
            item["email"], item["event"], datetime.fromisoformat(item["at"]), item["reason"]
        )
        for item in json.loads(text)
    )


def _addresses(joined: str) -> tuple[str, ...]:
    return tuple(a for a in joined.split(", ") if a)


def recipient_to_doc(r: Recipient) -> Document:
    preferences = {name: kind in r.wants for kind, name in PREFERENCE_FIELDS.items()}
    return {"customerId": r.customer_id, "email": r.email, "name": r.name, **preferences}


def recipient_from_doc(doc: Document) -> Recipient:
    # A preference never recorded (a type added after the recipient was) is on, as it is for a
    # recipient added today.
    wants = frozenset(kind for kind, name in PREFERENCE_FIELDS.items() if doc.get(name, True))
    return Recipient(doc["customerId"], doc["email"], doc.get("name", ""), wants)
