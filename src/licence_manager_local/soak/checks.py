"""The soak's other verdicts, pure: every request reached an outcome, no email went out twice,
every audit chain verifies, and no automatic top-up was bought against settings that forbade it
when it was claimed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from licence_manager.domain.audit import AuditEntry, verify_chain

NOT_FINAL = frozenset({"PENDING", "CLAIMED"})


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """A topup_requests document, as much of it as the checks need."""

    request_id: str
    licence: str
    source: str
    kind: str
    status: str
    total_before: int
    total_after: int
    created_at: datetime | None
    claimed_at: datetime | None
    change_sent_at: datetime | None
    finished_at: datetime | None
    message: str


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """A settings save the soak made, in force from `at` (when the API answered)."""

    licence: str
    at: datetime
    auto_top_up: bool
    max_total_seats: int | None


def non_final(requests: Iterable[RequestRecord]) -> list[RequestRecord]:
    return [r for r in requests if r.status in NOT_FINAL]


def duplicate_emails(outbox: Iterable[Mapping[str, Any]]) -> list[tuple[str, str, int]]:
    """(notification id, recipient, copies) for every notification one recipient got twice.
    The id travels as the `notificationId` custom argument of each envelope."""
    seen: Counter[tuple[str, str]] = Counter()
    for message in outbox:
        for envelope in message.get("personalizations", []):
            notification = (envelope.get("custom_args") or {}).get("notificationId") or (
                message.get("custom_args") or {}
            ).get("notificationId")
            if not notification:
                continue
            for to in envelope.get("to", []):
                seen[(notification, str(to.get("email", "")).lower())] += 1
    return [(n, to, count) for (n, to), count in sorted(seen.items()) if count > 1]


def broken_chains(chains: Mapping[str, Sequence[AuditEntry]]) -> dict[str, list[str]]:
    found = {}
    for name, entries in sorted(chains.items()):
        problems = verify_chain(sorted(entries, key=lambda e: e.seq))
        if problems:
            found[name] = problems
    return found


def bought_against_settings(
    requests: Iterable[RequestRecord], saves: Iterable[SettingsChange]
) -> list[tuple[RequestRecord, SettingsChange]]:
    """Automatic requests APPLIED although, when they were last claimed and sent, the settings
    in force had switched automatic top-ups off or capped the total below what they bought. A
    request claimed before the save may still finish (a change once sent is driven to its end)."""
    timeline: dict[str, list[SettingsChange]] = {}
    for save in sorted(saves, key=lambda s: s.at):
        timeline.setdefault(save.licence, []).append(save)
    found = []
    for r in requests:
        if r.source != "automatic" or r.status != "APPLIED":
            continue
        if r.claimed_at is None or r.change_sent_at is None:
            continue
        in_force = [s for s in timeline.get(r.licence, []) if s.at <= r.claimed_at]
        if not in_force:
            continue
        last = in_force[-1]
        capped = last.max_total_seats is not None and r.total_after > last.max_total_seats
        if not last.auto_top_up or capped:
            found.append((r, last))
    return found
