"""The scheduled audit check: incremental from each chain's checkpoint (its cost follows what
was appended since, not the chain's length), a broken chain logged as `audit_chain_broken`,
checkpoints moved only past what verified, and the heads exported once a day."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from licence_manager.domain import audit
from licence_manager.domain.audit import AuditAction, AuditEntry, Source
from licence_manager.domain.audit_integrity import (
    ChainState,
    check_chain,
    compare_with_export,
    export_name,
    exported_heads,
)
from licence_manager.domain.model import GENESIS, LicenceKey
from licence_manager.services.audit_integrity import (
    CHAIN_BROKEN,
    PlanAuditCheck,
    VerifyCustomerAudit,
)
from tests.fakes.memory_audit_integrity import MemoryArchive, MemoryAuditChains
from tests.fakes.memory_automation import RecordingPublisher

KEY = LicenceKey("C01", "1010020020")
OTHER = LicenceKey("C01", "customer")
START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def grow(chains: MemoryAuditChains, key: LicenceKey, count: int) -> list[AuditEntry]:
    head = chains.heads.get(key, GENESIS)
    made = []
    for n in range(count):
        entry = audit.append(
            head,
            key,
            START + timedelta(minutes=head.seq + 1),
            AuditAction.SEATS_CHANGED_OUTSIDE,
            Source.OUTSIDE,
            "sync",
            f"change {head.seq + 1}",
            seats_before=10 + n,
            seats_after=11 + n,
        )
        chains.append(entry)
        made.append(entry)
        head = entry.head
    return made


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 6, 4, 23, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


World = tuple[MemoryAuditChains, MemoryArchive, Clock, VerifyCustomerAudit]


@pytest.fixture
def world() -> World:
    chains, archive, clock = MemoryAuditChains(), MemoryArchive(), Clock()
    return chains, archive, clock, VerifyCustomerAudit(chains, archive, clock)


def test_a_first_check_reads_the_whole_chain_then_only_what_was_appended(world: World) -> None:
    chains, _archive, clock, verify = world
    grow(chains, KEY, 40)
    first = verify("C01")
    assert [c.broken for c in first.checks] == [False]
    assert chains.ranges_read == [(KEY, 1, 40)]
    assert chains.checkpoints[KEY] == chains.heads[KEY]

    grow(chains, KEY, 3)
    chains.ranges_read.clear()
    chains.entries_read = 0
    clock.now += timedelta(days=1)
    second = verify("C01")
    assert not second.broken
    # The checkpoint's own entry (to see it unchanged) and the three appended since: never the
    # 40 verified before, however long the chain grows.
    assert chains.ranges_read == [(KEY, 40, 43)]
    assert chains.entries_read == 4
    assert chains.checkpoints[KEY].seq == 43


def test_a_quiet_chain_costs_one_read_a_day(world: World) -> None:
    chains, _archive, clock, verify = world
    grow(chains, KEY, 500)
    verify("C01")
    chains.ranges_read.clear()
    chains.entries_read = 0
    clock.now += timedelta(days=1)
    verify("C01")
    assert chains.ranges_read == [(KEY, 500, 500)]
    assert chains.entries_read == 1


def test_an_edited_entry_after_the_checkpoint_is_logged_and_the_checkpoint_stays(
    world,
    caplog: pytest.LogCaptureFixture,  # type: ignore[no-untyped-def]
) -> None:
    chains, _archive, clock, verify = world
    grow(chains, KEY, 5)
    verify("C01")
    made = grow(chains, KEY, 3)
    tampered = replace(made[1], seats_after=999)  # seq 7, hash left as it was
    chains.entries_by_key[KEY][tampered.seq] = tampered
    clock.now += timedelta(days=1)
    with caplog.at_level(logging.ERROR, logger="licence_manager"):
        done = verify("C01")
    [broken] = done.broken
    assert broken.problems == ("entry 7: content does not match its hash",)
    assert chains.checkpoints[KEY].seq == 5  # not moved past what did not verify
    [record] = [r for r in caplog.records if getattr(r, "event", None) == CHAIN_BROKEN]
    assert record.levelname == "ERROR"
    assert (record.customerId, record.skuId, record.chainId) == (  # type: ignore[attr-defined]
        "C01",
        KEY.sku_id,
        KEY.doc_id,
    )
    assert record.verifiedSeq == 5  # type: ignore[attr-defined]
    assert record.problems == ["entry 7: content does not match its hash"]  # type: ignore[attr-defined]


def test_history_rewritten_before_the_checkpoint_is_caught_without_new_entries(
    world: World,
) -> None:
    chains, _archive, clock, verify = world
    grow(chains, KEY, 6)
    verify("C01")
    # Someone with database access rebuilds the whole chain consistently (hashes recomputed).
    chains.entries_by_key[KEY].clear()
    chains.heads.pop(KEY)
    head = GENESIS
    for seq in range(1, 7):
        entry = audit.append(
            head, KEY, START, AuditAction.SEATS_CHANGED_OUTSIDE, Source.OUTSIDE, "x", f"fake {seq}"
        )
        chains.append(entry)
        head = entry.head
    clock.now += timedelta(days=1)
    [check] = verify("C01").checks
    assert check.problems == (
        "entry 6 no longer has the hash verified earlier",
        "the head record's hash differs from entry 6's",
    )


def test_a_truncated_chain_and_a_missing_head_are_findings() -> None:
    chains = MemoryAuditChains()
    grow(chains, KEY, 4)
    state = ChainState(KEY, chains.heads[KEY], None)
    entries = chains.entries(KEY, 1, 4)
    assert not check_chain(state, entries).broken
    assert check_chain(state, entries[:3]).problems == (
        "the head record says entry 4 but the chain ends at entry 3",
    )
    gone = ChainState(KEY, None, entries[-1].head)
    assert check_chain(gone, entries[-1:]).problems == (
        "the chain's head record is missing (verified to entry 4)",
    )


def test_a_long_backlog_is_checked_a_slice_a_day() -> None:
    chains, archive = MemoryAuditChains(), MemoryArchive()
    verify = VerifyCustomerAudit(chains, archive, Clock(), max_entries=10)
    grow(chains, KEY, 25)
    [first] = verify("C01").checks
    assert (first.head.seq, first.complete, first.broken) == (10, False, False)
    [second] = verify("C01").checks
    assert (second.head.seq, second.complete) == (20, False)
    [third] = verify("C01").checks
    assert (third.head.seq, third.complete, third.broken) == (25, True, False)


def test_heads_are_exported_once_a_day_and_never_replaced(world: World) -> None:
    chains, archive, clock, verify = world
    grow(chains, KEY, 2)
    grow(chains, OTHER, 1)
    assert verify("C01").exported is True
    name = export_name("C01", clock.now)
    assert name == "audit-heads/2026-12-06/C01.json"
    first = archive.objects[name]
    grow(chains, KEY, 1)
    assert verify("C01").exported is False  # a redelivered message the same day
    assert archive.objects[name] == first
    heads = exported_heads(first)
    assert heads == {
        KEY.sku_id: chains.entries_by_key[KEY][2].head,
        "customer": chains.heads[OTHER],
    }
    assert json.loads(first)["customerId"] == "C01"


def test_a_chain_rewritten_with_its_checkpoint_does_not_match_the_export() -> None:
    chains = MemoryAuditChains()
    grow(chains, KEY, 3)
    exported = {KEY.sku_id: chains.heads[KEY]}
    intact = {KEY.sku_id: dict(chains.entries_by_key[KEY])}
    assert compare_with_export(exported, intact) == []
    forged = audit.append(
        chains.entries_by_key[KEY][2].head,
        KEY,
        START,
        AuditAction.PLAN_CHANGED,
        Source.SYNC,
        "x",
        "y",
    )
    rewritten = {KEY.sku_id: {**chains.entries_by_key[KEY], 3: forged}}
    assert compare_with_export(exported, rewritten) == [
        f"{KEY.sku_id}: entry 3 differs from the head exported earlier"
    ]
    assert compare_with_export(exported, {}) == [
        f"{KEY.sku_id}: entry 3, exported earlier, is missing"
    ]


def test_the_plan_publishes_a_page_of_customers_then_the_next_page() -> None:
    class Book:
        def customer_ids_after(self, after: str | None, limit: int) -> list[str]:
            ids = [f"C{n:02d}" for n in range(5)]
            return [c for c in ids if after is None or c > after][:limit]

    publisher = RecordingPublisher()
    plan = PlanAuditCheck(Book(), publisher, page_size=2)  # type: ignore[arg-type]
    page = plan(None)
    assert (page.published, page.next_after) == (2, "C01")
    assert publisher.audit_verify_customers == ["C00", "C01"]
    assert publisher.audit_verify_pages == ["C01"]
    assert plan("C03").next_after is None
    assert publisher.audit_verify_pages == ["C01"]


def test_the_checkpoints_own_entry_edited_with_its_hash_kept_is_caught(world: World) -> None:
    chains, _archive, clock, verify = world
    grow(chains, KEY, 4)
    verify("C01")
    chains.entries_by_key[KEY][4] = replace(chains.entries_by_key[KEY][4], seats_after=99)
    clock.now += timedelta(days=1)
    [check] = verify("C01").checks
    assert check.problems == ("entry 4: content does not match its hash",)
    assert chains.checkpoints[KEY].seq == 4
