"""The tamper-evident audit log: each licence's entries form a SHA-256 hash chain.

An entry's hash covers its content and the previous entry's hash, so editing, removing or
reordering any stored entry breaks verification from that point on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from licence_manager.domain.model import GENESIS, AuditHead, LicenceKey


class AuditAction(StrEnum):
    LICENCE_DISCOVERED = "LICENCE_DISCOVERED"
    SEATS_CHANGED_OUTSIDE = "SEATS_CHANGED_OUTSIDE"
    PLAN_CHANGED = "PLAN_CHANGED"
    STATUS_CHANGED = "STATUS_CHANGED"
    # An annual plan's renewalSettings.renewalType moved (domain.renewal's words).
    RENEWAL_TYPE_CHANGED = "RENEWAL_TYPE_CHANGED"
    LICENCE_REMOVED = "LICENCE_REMOVED"
    LOW_LICENCE_ALERT = "LOW_LICENCE_ALERT"
    TOP_UP_REQUESTED = "TOP_UP_REQUESTED"
    TOP_UP_BLOCKED = "TOP_UP_BLOCKED"
    TOP_UP_APPLIED = "TOP_UP_APPLIED"
    TOP_UP_FAILED = "TOP_UP_FAILED"
    TOP_UP_SUPERSEDED = "TOP_UP_SUPERSEDED"
    # Reseller ops approved a request above the customer's spending limit (the actor).
    TOP_UP_APPROVED = "TOP_UP_APPROVED"
    # Changes people make through the dashboard (the actor is the signed-in user).
    SETTINGS_CHANGED = "SETTINGS_CHANGED"
    RECIPIENT_ADDED = "RECIPIENT_ADDED"
    RECIPIENT_CHANGED = "RECIPIENT_CHANGED"
    RECIPIENT_REMOVED = "RECIPIENT_REMOVED"
    # An email that failed or may not have arrived, sent again by a person (the actor).
    NOTIFICATION_RESENT = "NOTIFICATION_RESENT"
    TIME_ZONE_CHANGED = "TIME_ZONE_CHANGED"  # the customer's clock (domain.time_zones)
    # Days without activity that make a seat reclaimable (domain.reclaim_changes)
    RECLAIM_POLICY_CHANGED = "RECLAIM_POLICY_CHANGED"
    # An add-on seat unassigned from the Reclaim page (domain.unassign): the actor is the admin
    # who confirmed it, the message names the user.
    SEAT_UNASSIGNED = "SEAT_UNASSIGNED"
    # The anomaly guard (domain.anomaly_guard): automatic top-ups of the SKU paused after a
    # sudden rise in assignments, and resumed by a person (the actor).
    TOP_UPS_PAUSED = "TOP_UPS_PAUSED"
    TOP_UPS_RESUMED = "TOP_UPS_RESUMED"
    ANOMALY_POLICY_CHANGED = "ANOMALY_POLICY_CHANGED"


class Source(StrEnum):
    """Where a change came from; reports break seat additions down by it."""

    SYNC = "sync"
    OUTSIDE = "outside"  # seats changed outside Licence Manager, e.g. in the Admin console
    AUTOMATIC = "automatic"
    MANUAL = "manual"
    PURCHASE = "purchase"
    DASHBOARD = "dashboard"  # a setting or recipient changed by a signed-in user


# Customer-wide entries (recipients) form their own chain under this pseudo SKU id, beside the
# licences' chains; Google's SKU ids are numeric, so it cannot clash with one.
CUSTOMER_SCOPE = "customer"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    key: LicenceKey
    seq: int
    at: datetime
    action: AuditAction
    source: Source
    actor: str
    message: str
    seats_before: int | None
    seats_after: int | None
    prev_hash: str
    hash: str
    # The licence's plan when the entry was made, so a seat addition can be priced as it was
    # billed. Empty on entries written before it was recorded.
    plan_name: str = ""

    @property
    def doc_id(self) -> str:
        # Zero-padded so that document ids sort in chain order.
        return f"{self.key.doc_id}_{self.seq:010d}"

    @property
    def head(self) -> AuditHead:
        return AuditHead(seq=self.seq, hash=self.hash)


def _digest(fields: dict[str, object]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _hashed_fields(entry: AuditEntry) -> dict[str, object]:
    fields = asdict(entry)
    fields.pop("hash")
    # Hashed only when present: entries written before plans were recorded keep their hashes,
    # so every stored chain still verifies.
    if not entry.plan_name:
        fields.pop("plan_name")
    fields["at"] = entry.at.astimezone(UTC).isoformat(timespec="microseconds")
    return fields


def append(
    head: AuditHead,
    key: LicenceKey,
    at: datetime,
    action: AuditAction,
    source: Source,
    actor: str,
    message: str,
    seats_before: int | None = None,
    seats_after: int | None = None,
    *,
    plan_name: str = "",
) -> AuditEntry:
    """The next entry of a chain whose last entry is `head`."""
    at = at.astimezone(UTC)
    draft = AuditEntry(
        key=key,
        seq=head.seq + 1,
        at=at,
        action=action,
        source=source,
        actor=actor,
        message=message,
        seats_before=seats_before,
        seats_after=seats_after,
        prev_hash=head.hash,
        hash="",
        plan_name=plan_name,
    )
    return replace(draft, hash=_digest(_hashed_fields(draft)))


def content_matches(entry: AuditEntry) -> bool:
    """The entry's stored hash is the hash of its content (and of its link)."""
    return entry.hash == _digest(_hashed_fields(entry))


def verify_chain(entries: list[AuditEntry], start: AuditHead = GENESIS) -> list[str]:
    """Problems found walking a licence's entries in sequence order; empty when intact.

    `start` is where the entries continue from: the chain's beginning, or a head verified
    earlier (the scheduled check reads only what was appended since its last checkpoint)."""
    problems: list[str] = []
    head = start
    for entry in sorted(entries, key=lambda e: e.seq):
        if entry.seq != head.seq + 1:
            problems.append(f"entry {entry.seq}: expected sequence {head.seq + 1}")
        if entry.prev_hash != head.hash:
            problems.append(f"entry {entry.seq}: does not link to entry {head.seq}")
        if not content_matches(entry):
            problems.append(f"entry {entry.seq}: content does not match its hash")
        head = entry.head
    return problems
