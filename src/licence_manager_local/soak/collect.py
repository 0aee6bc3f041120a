"""Reading the running stack: a live view of requests (so people act while one is pending), and
after the quiet period everything the verdict needs: the simulator's change log and world, the
Firestore documents (raw, by the field names docs/architecture.md gives, so the soak does not
depend on how the adapters are built), the month-end additions through the api, the outbox."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from licence_manager.domain.audit import AuditEntry
from licence_manager_local import run
from licence_manager_local.sendgrid_standin import SendGridStandInControl
from licence_manager_local.simulator import SimulatorControl
from licence_manager_local.soak.api import ApiClient
from licence_manager_local.soak.checks import RequestRecord
from licence_manager_local.soak.reconcile import AuditRecord, GoogleChange, InvoiceRow


def firestore_client() -> Any:
    from google.cloud import firestore

    return firestore.Client(project=run.PROJECT)


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def request_record(doc: dict[str, Any]) -> RequestRecord:
    return RequestRecord(
        request_id=doc.get("requestId", ""),
        licence=f"{doc.get('customerId')}_{doc.get('skuId')}",
        source=str(doc.get("source", "")),
        kind=str(doc.get("kind", "change_seats")),
        status=str(doc.get("status", "")),
        total_before=int(doc.get("totalBefore") or 0),
        total_after=int(doc.get("totalAfter") or 0),
        created_at=_time(doc.get("createdAt")),
        claimed_at=_time(doc.get("claimedAt")),
        change_sent_at=_time(doc.get("changeSentAt")),
        finished_at=_time(doc.get("finishedAt")),
        message=str(doc.get("message", "")),
    )


class Watcher:
    """Polls Firestore for requests and notifications every couple of seconds."""

    def __init__(self, stop: threading.Event, every: float = 2.0) -> None:
        self._db = firestore_client()
        self._stop = stop
        self._every = every
        self._lock = threading.Lock()
        self._pending: dict[str, list[dict[str, Any]]] = {}
        self._requests: list[str] = []
        self._notifications: list[str] = []

    def run(self) -> None:
        while not self._stop.wait(self._every):
            try:
                self.poll()
            except Exception:  # the emulator busy for a moment: next poll
                continue

    def poll(self) -> None:
        pending: dict[str, list[dict[str, Any]]] = {}
        ids = []
        for snap in self._db.collection("topup_requests").stream():
            doc = snap.to_dict() or {}
            ids.append(snap.id)
            if doc.get("status") in ("PENDING", "CLAIMED"):
                pending.setdefault(f"{doc.get('customerId')}_{doc.get('skuId')}", []).append(doc)
        notes = [s.id for s in self._db.collection("notifications").select([]).stream()]
        with self._lock:
            self._pending, self._requests, self._notifications = pending, ids, notes

    def pending(self) -> dict[str, list[dict[str, Any]]]:
        with self._lock:
            return dict(self._pending)

    def known_ids(self) -> tuple[list[str], list[str]]:
        with self._lock:
            return list(self._requests), list(self._notifications)


@dataclass
class Snapshot:
    """Everything read at the end of a soak."""

    changes: list[GoogleChange]
    google_totals: dict[str, int]
    recorded_totals: dict[str, int]
    audit: list[AuditRecord]
    chains: dict[str, list[AuditEntry]]
    undecodable_audit: list[str]
    invoiced: list[InvoiceRow]
    requests: list[RequestRecord]
    notifications: Counter[str]
    stuck_notifications: list[str]
    outbox: list[dict[str, Any]]
    simulator_calls: dict[str, int]
    simulator_faults: dict[str, int]
    sendgrid_answers: dict[int, int]
    months: dict[str, list[str]] = field(default_factory=dict)


def months_between(start: datetime, end: datetime, zone: str) -> list[str]:
    first = start.astimezone(ZoneInfo(zone))
    last = end.astimezone(ZoneInfo(zone))
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def collect(endpoints: run.Endpoints, started: datetime) -> Snapshot:
    from licence_manager.adapters.firestore_codec import audit_from_doc

    sim = SimulatorControl(endpoints.simulator)
    sendgrid = SendGridStandInControl(endpoints.sendgrid)
    db = firestore_client()
    api = ApiClient(endpoints.api, timeout=60)

    changes = [
        GoogleChange(
            f"{c['customerId']}_{c['skuId']}",
            c["seq"],
            datetime.fromtimestamp(c["atMs"] / 1000, UTC),
            c["method"],
            c["caller"],
            c["seatsBefore"],
            c["seatsAfter"],
        )
        for c in sim.changes()
    ]
    google_totals = {
        f"{s['customerId']}_{s['skuId']}": s["seats"] for s in sim.snapshot()["subscriptions"]
    }
    licences = {snap.id: snap.to_dict() or {} for snap in db.collection("licences").stream()}
    recorded_totals = {
        key: int(doc["total"])
        for key, doc in licences.items()
        if doc.get("status") != "REMOVED" and doc.get("total") is not None
    }

    audit: list[AuditRecord] = []
    chains: dict[str, list[AuditEntry]] = {}
    undecodable = []
    for snap in db.collection("audit_events").stream():
        doc = snap.to_dict() or {}
        key = f"{doc.get('customerId')}_{doc.get('skuId')}"
        audit.append(
            AuditRecord(
                key,
                int(doc.get("seq") or 0),
                _time(doc.get("at")) or started,
                str(doc.get("action", "")),
                str(doc.get("source", "")),
                str(doc.get("actor", "")),
                doc.get("seatsBefore"),
                doc.get("seatsAfter"),
                str(doc.get("message", "")),
            )
        )
        try:
            chains.setdefault(key, []).append(audit_from_doc(doc))
        except (KeyError, ValueError) as error:
            undecodable.append(f"{snap.id}: {type(error).__name__}: {error}")

    now = datetime.now(UTC)
    invoiced: list[InvoiceRow] = []
    months: dict[str, list[str]] = {}
    zones = {doc["customerId"]: doc.get("timeZone") or "UTC" for doc in licences.values()}
    for customer, zone in sorted(zones.items()):
        months[customer] = months_between(started, now, zone)
        for month in months[customer]:
            body = api.get(f"/api/v1/customers/{customer}/additions?month={month}")
            for row in body["additions"]:
                invoiced.append(
                    InvoiceRow(
                        f"{customer}_{row['skuId']}",
                        row["source"],
                        int(row["seatsAdded"]),
                        int(row["seatsBefore"]),
                        int(row["seatsAfter"]),
                    )
                )

    requests = [
        request_record(snap.to_dict() or {}) for snap in db.collection("topup_requests").stream()
    ]
    notes: Counter[str] = Counter()
    stuck = []
    for snap in db.collection("notifications").stream():
        doc = snap.to_dict() or {}
        status = str(doc.get("status", ""))
        notes[status] += 1
        if status in ("PENDING", "CLAIMED", "SENDING"):
            stuck.append(f"{snap.id} {status}")
    return Snapshot(
        changes=changes,
        google_totals=google_totals,
        recorded_totals=recorded_totals,
        audit=audit,
        chains=chains,
        undecodable_audit=undecodable,
        invoiced=invoiced,
        requests=requests,
        notifications=notes,
        stuck_notifications=stuck,
        outbox=[dict(m) for m in sendgrid.outbox()],
        simulator_calls=sim.stats(),
        simulator_faults=dict(sim.faults().get("injected", {})),
        sendgrid_answers=sendgrid.stats(),
        months=months,
    )
