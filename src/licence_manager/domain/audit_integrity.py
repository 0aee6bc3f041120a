"""Checking a stored audit chain from its last verified head (the scheduled check and
`licence-manager ops verify-audit`).

The scheduled check keeps, per chain, the head it last verified (a checkpoint). Each run reads
the checkpoint's own entry and the entries after it up to the stored head, so its cost follows
what was appended since, not the chain's length. Re-reading the checkpoint's entry catches a
history rewritten before the checkpoint even when nothing was appended since; the heads
exported daily to a place the functions cannot rewrite catch a rewrite that also moved the
checkpoint (`compare_with_export`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from licence_manager.domain.audit import AuditEntry, content_matches, verify_chain
from licence_manager.domain.model import GENESIS, AuditHead, LicenceKey

# The most entries one chain is checked for in one run: a chain's first check (or one after a
# long outage) is spread over several days rather than one invocation running out of time.
MAX_ENTRIES_PER_RUN = 5_000


@dataclass(frozen=True, slots=True)
class ChainState:
    """What is stored about one chain: its head (the end the writers keep) and the head the
    scheduled check last verified."""

    key: LicenceKey
    head: AuditHead | None
    checkpoint: AuditHead | None

    def range_to_read(self, limit: int = MAX_ENTRIES_PER_RUN) -> tuple[int, int] | None:
        """The sequence numbers to read, first and last inclusive: the checkpoint's entry (to
        see it unchanged) and what follows it, up to the head; None when there is nothing."""
        start = self.checkpoint or GENESIS
        first = max(1, start.seq)
        end = min(self.head.seq, start.seq + limit) if self.head else start.seq
        last = max(start.seq, end)
        return (first, last) if last >= first else None


@dataclass(frozen=True, slots=True)
class ChainCheck:
    key: LicenceKey
    verified_from: AuditHead  # the checkpoint the run started from (GENESIS: the beginning)
    head: AuditHead  # the head verified now: the new checkpoint (unchanged when broken)
    entries_read: int
    problems: tuple[str, ...]
    complete: bool  # False: more entries than one run checks; the next run goes on

    @property
    def broken(self) -> bool:
        return bool(self.problems)


def check_chain(
    state: ChainState, entries: list[AuditEntry], limit: int = MAX_ENTRIES_PER_RUN
) -> ChainCheck:
    """Verify `entries` (as read for `state.range_to_read(limit)`) from the checkpoint on."""
    start = state.checkpoint or GENESIS
    ordered = sorted(entries, key=lambda e: e.seq)
    problems: list[str] = []
    if start.seq > 0:
        anchor = next((e for e in ordered if e.seq == start.seq), None)
        if anchor is None:
            problems.append(f"entry {start.seq}, verified earlier, is missing")
        elif anchor.hash != start.hash:
            problems.append(f"entry {start.seq} no longer has the hash verified earlier")
        elif not content_matches(anchor):
            problems.append(f"entry {start.seq}: content does not match its hash")
    after = [e for e in ordered if e.seq > start.seq]
    problems += verify_chain(after, start)
    last = after[-1].head if after else start
    wanted = state.range_to_read(limit)
    complete = state.head is None or wanted is None or wanted[1] >= state.head.seq
    if state.head is None:
        if start.seq > 0:
            problems.append(f"the chain's head record is missing (verified to entry {start.seq})")
    elif complete and last != state.head:
        problems.append(
            f"the head record says entry {state.head.seq} but the chain ends at entry {last.seq}"
            if last.seq != state.head.seq
            else f"the head record's hash differs from entry {last.seq}'s"
        )
    return ChainCheck(
        key=state.key,
        verified_from=start,
        head=start if problems else last,
        entries_read=len(entries),
        problems=tuple(problems),
        complete=complete,
    )


def export_name(customer_id: str, day: datetime) -> str:
    """Where a customer's verified heads of one day are kept: one object per customer a day."""
    return f"audit-heads/{day:%Y-%m-%d}/{customer_id}.json"


def export_document(customer_id: str, at: datetime, checks: list[ChainCheck]) -> bytes:
    """The verified heads of a customer's chains, as exported (stable, sorted JSON)."""
    chains = {
        check.key.sku_id: {"seq": check.head.seq, "hash": check.head.hash, "broken": check.broken}
        for check in sorted(checks, key=lambda c: c.key.sku_id)
    }
    body = {"customerId": customer_id, "verifiedAt": at.isoformat(), "chains": chains}
    return json.dumps(body, sort_keys=True, indent=1).encode()


def exported_heads(document: bytes) -> dict[str, AuditHead]:
    """SKU id → head, from an export document."""
    chains = json.loads(document)["chains"]
    return {sku: AuditHead(int(c["seq"]), str(c["hash"])) for sku, c in chains.items()}


def compare_with_export(
    exported: dict[str, AuditHead], entries_by_sku: dict[str, dict[int, AuditEntry]]
) -> list[str]:
    """Each head exported earlier must still be an entry with that hash: a chain rewritten in
    Firestore since (checkpoints included) cannot match what was exported before."""
    problems: list[str] = []
    for sku, head in sorted(exported.items()):
        if head.seq == 0:
            continue
        entry = entries_by_sku.get(sku, {}).get(head.seq)
        if entry is None:
            problems.append(f"{sku}: entry {head.seq}, exported earlier, is missing")
        elif entry.hash != head.hash:
            problems.append(f"{sku}: entry {head.seq} differs from the head exported earlier")
    return problems
