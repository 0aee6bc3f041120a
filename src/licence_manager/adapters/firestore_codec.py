"""Domain values to flat Firestore documents and back. Field names are the export contract:
account managers read these collections straight from the console, so keep them stable."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from licence_manager.domain.audit import AuditAction, AuditEntry, Source
from licence_manager.domain.daily import DailyUsage
from licence_manager.domain.model import AuditHead, Customer, Licence, LicenceKey, Usage
from licence_manager.ports import SyncRunRecord

Document = dict[str, Any]


def plain_datetime(value: datetime) -> datetime:
    """Firestore returns a datetime subclass with nanoseconds; the domain wants plain UTC."""
    value = value.astimezone(UTC)
    return datetime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        tzinfo=UTC,
    )


def licence_to_doc(licence: Licence) -> Document:
    usage = licence.usage
    return {
        "customerId": licence.key.customer_id,
        "customerDomain": licence.customer_domain,
        "skuId": licence.key.sku_id,
        "skuName": usage.sku_name,
        "planName": usage.plan_name,
        "subscriptionId": usage.subscription_id,
        "status": usage.status,
        "total": usage.total,
        "assigned": usage.assigned,
        "vacant": usage.vacant,
        "utilisation": round(usage.utilisation, 4),
        "timeZone": licence.time_zone,
        "updatedAt": licence.updated_at,
        # Annual plans: what happens at the end of the term ("" when none) and when (null).
        "renewalType": usage.renewal_type,
        "commitmentEndsAt": usage.commitment_ends_at,
        # Subscription alerts: the trial's end while in trial (null otherwise), and the
        # reasons of a suspension, comma-separated ("" when none).
        "trialEndsAt": usage.trial_ends_at,
        "suspensionReasons": ", ".join(usage.suspension_reasons),
    }


def licence_from_doc(doc: Document) -> Licence:
    return Licence(
        key=LicenceKey(doc["customerId"], doc["skuId"]),
        customer_domain=doc["customerDomain"],
        usage=Usage(
            sku_name=doc["skuName"],
            plan_name=doc["planName"],
            subscription_id=doc["subscriptionId"],
            status=doc["status"],
            total=doc["total"],
            assigned=doc["assigned"],
            # Absent on licences stored before renewals were read: as if Google sent none.
            renewal_type=doc.get("renewalType") or "",
            commitment_ends_at=_optional_time(doc.get("commitmentEndsAt")),
            trial_ends_at=_optional_time(doc.get("trialEndsAt")),
            suspension_reasons=tuple(
                r for r in (doc.get("suspensionReasons") or "").split(", ") if r
            ),
        ),
        time_zone=doc["timeZone"],
        updated_at=plain_datetime(doc["updatedAt"]),
    )


def _reasons(joined: str) -> tuple[str, ...]:
    return tuple(reason for reason in joined.split(", ") if reason)


def _optional_time(value: datetime | None) -> datetime | None:
    return None if value is None else plain_datetime(value)


def head_to_doc(head: AuditHead) -> Document:
    return {"seq": head.seq, "hash": head.hash}


def head_from_doc(doc: Document) -> AuditHead:
    return AuditHead(seq=doc["seq"], hash=doc["hash"])


def daily_to_doc(day: DailyUsage) -> Document:
    return {
        "licenceId": day.key.doc_id,
        "customerId": day.key.customer_id,
        "skuId": day.key.sku_id,
        "date": day.day.isoformat(),
        "timeZone": day.time_zone,
        "openAssigned": day.open_assigned,
        "openTotal": day.open_total,
        "minAssigned": day.min_assigned,
        "maxAssigned": day.max_assigned,
        "lastAssigned": day.last_assigned,
        "minTotal": day.min_total,
        "maxTotal": day.max_total,
        "lastTotal": day.last_total,
        "coveredFrom": day.covered_from,
        "lastChangeAt": day.last_change_at,
        "assignedSeatSeconds": day.assigned_seat_seconds,
        "totalSeatSeconds": day.total_seat_seconds,
        "utilisationSeconds": day.utilisation_seconds,
        "changes": day.changes,
    }


def daily_from_doc(doc: Document) -> DailyUsage:
    return DailyUsage(
        key=LicenceKey(doc["customerId"], doc["skuId"]),
        day=date.fromisoformat(doc["date"]),
        time_zone=doc["timeZone"],
        open_assigned=doc["openAssigned"],
        open_total=doc["openTotal"],
        min_assigned=doc["minAssigned"],
        max_assigned=doc["maxAssigned"],
        last_assigned=doc["lastAssigned"],
        min_total=doc["minTotal"],
        max_total=doc["maxTotal"],
        last_total=doc["lastTotal"],
        covered_from=plain_datetime(doc["coveredFrom"]),
        last_change_at=plain_datetime(doc["lastChangeAt"]),
        assigned_seat_seconds=doc["assignedSeatSeconds"],
        total_seat_seconds=doc["totalSeatSeconds"],
        utilisation_seconds=doc["utilisationSeconds"],
        changes=doc["changes"],
    )


def audit_to_doc(entry: AuditEntry) -> Document:
    return {
        "licenceId": entry.key.doc_id,
        "customerId": entry.key.customer_id,
        "skuId": entry.key.sku_id,
        "seq": entry.seq,
        "at": entry.at,
        "action": entry.action.value,
        "source": entry.source.value,
        "actor": entry.actor,
        "message": entry.message,
        "seatsBefore": entry.seats_before,
        "seatsAfter": entry.seats_after,
        "prevHash": entry.prev_hash,
        "hash": entry.hash,
        "planName": entry.plan_name,
    }


def audit_from_doc(doc: Document) -> AuditEntry:
    return AuditEntry(
        key=LicenceKey(doc["customerId"], doc["skuId"]),
        seq=doc["seq"],
        at=plain_datetime(doc["at"]),
        action=AuditAction(doc["action"]),
        source=Source(doc["source"]),
        actor=doc["actor"],
        message=doc["message"],
        seats_before=doc["seatsBefore"],
        seats_after=doc["seatsAfter"],
        prev_hash=doc["prevHash"],
        hash=doc["hash"],
        plan_name=doc.get("planName", ""),
    )


def customer_to_doc(customer: Customer) -> Document:
    return {
        "customerId": customer.customer_id,
        "customerDomain": customer.customer_domain,
        "name": customer.name,
        "timeZone": customer.time_zone,
    }


def customer_from_doc(doc: Document) -> Customer:
    return Customer(
        customer_id=doc["customerId"],
        customer_domain=doc["customerDomain"],
        name=doc["name"],
        time_zone=doc["timeZone"],
    )


def sync_run_to_doc(run: SyncRunRecord) -> Document:
    return {
        "runId": run.run_id,
        "startedAt": run.started_at,
        "finishedAt": run.finished_at,
        "subscriptionsSeen": run.subscriptions_seen,
        "licencesWritten": run.licences_written,
        "apiCalls": run.api_calls,
        "failures": run.failures,
        "complete": run.complete,
    }


def sync_run_from_doc(doc: Document) -> SyncRunRecord:
    return SyncRunRecord(
        run_id=doc["runId"],
        started_at=plain_datetime(doc["startedAt"]),
        finished_at=plain_datetime(doc["finishedAt"]),
        subscriptions_seen=doc["subscriptionsSeen"],
        licences_written=doc["licencesWritten"],
        api_calls=doc["apiCalls"],
        failures=doc["failures"],
        complete=doc["complete"],
    )
