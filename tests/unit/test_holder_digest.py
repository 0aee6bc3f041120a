"""The holder digest's pure parts: a holder's fingerprint changes exactly when the holder needs
writing over (so the digest can stand in for reading the holders), and how many holders one
digest document holds by Firestore's storage-size rules."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from licence_manager.domain.holder_digest import (
    DIGEST_BUDGET,
    DOCUMENT_LIMIT,
    MARK,
    HolderDigest,
    digest_size,
    fits,
    marked,
)
from licence_manager.domain.holders import HolderRecord, holder_fingerprint

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
STORED = HolderRecord(
    customer_id="C0acme001",
    customer_domain="acme.example",
    product_id="Google-Apps",
    sku_id="1010020027",
    email="ann@acme.example",
    user_id="115583362839477209346",
    suspended=False,
    archived=False,
    created_at=NOW - timedelta(days=400),
    last_login=NOW - timedelta(days=2),
    last_activity=NOW - timedelta(days=3),
    activity_as_of=date(2026, 11, 17),
    reclaim_reason="",
    synced_at=NOW,
)
# One change of each field, and of each field to or from "none".
CHANGES: list[dict[str, Any]] = [
    {"customer_domain": "acme.test"},
    {"product_id": "Google-Vault"},
    {"sku_id": "1010020028"},
    {"email": "ann.b@acme.example"},
    {"user_id": ""},
    {"suspended": True},
    {"archived": True},
    {"created_at": None},
    {"created_at": NOW - timedelta(days=399)},
    {"last_login": None},
    {"last_login": NOW - timedelta(days=2, microseconds=1)},
    {"last_activity": None},
    {"last_activity": NOW},
    {"activity_as_of": None},
    {"reclaim_reason": "INACTIVE"},
    {"customer_id": "C0acme002"},
    # Not facts: when it was written, and which later Reports day said the same.
    {"synced_at": NOW + timedelta(days=1)},
    {"activity_as_of": date(2026, 11, 18)},
    {"synced_at": NOW + timedelta(days=3), "activity_as_of": date(2026, 11, 20)},
    # The same instants in another zone are the same record.
    {"last_login": (NOW - timedelta(days=2)).astimezone(timezone(timedelta(hours=5)))},
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda c: ",".join(c))
def test_the_fingerprint_changes_exactly_when_the_holder_needs_writing_over(
    change: dict[str, Any],
) -> None:
    fresh = replace(STORED, **change)
    assert (holder_fingerprint(fresh) != holder_fingerprint(STORED)) == fresh.needs_writing_over(
        STORED
    )
    assert (holder_fingerprint(STORED) != holder_fingerprint(fresh)) == STORED.needs_writing_over(
        fresh
    )


def test_every_field_but_synced_at_is_covered() -> None:
    changed = {name for change in CHANGES for name in change} | {"synced_at"}
    assert changed == {f.name for f in fields(HolderRecord)}
    assert holder_fingerprint(replace(STORED, synced_at=NOW + timedelta(days=9))) == (
        holder_fingerprint(STORED)
    )
    assert len(holder_fingerprint(STORED)) == 12 and MARK not in holder_fingerprint(STORED)


def digest_of(customer_id: str, doc_id: str, holders: int) -> HolderDigest:
    """`holders` entries whose ids are as long as `doc_id` (its last 6 characters counted)."""
    base = doc_id[:-6]
    return HolderDigest(customer_id, {f"{base}{n:06d}": "0123456789ab" for n in range(holders)})


def test_the_size_follows_firestores_storage_rules() -> None:
    one = HolderDigest("C0acme001", {"C0acme001_1010020027_u1": "0123456789ab"})
    # name: "holder_digests" 15 + "C0acme001" 10 + 16; customerId: 11 + 10;
    # entries: 8 + key 24 + value 13; the document 32.
    assert digest_size(one) == 15 + 10 + 16 + 11 + 10 + 8 + 24 + 13 + 32
    assert digest_size(HolderDigest("C0acme001", {})) == 15 + 10 + 16 + 11 + 10 + 8 + 32


@pytest.mark.parametrize(
    "doc_id,most",
    [
        ("C0acme001_1010020027_115583362839477209346", 17_855),  # typical: 56 bytes an entry
        ("C0acme001_Google-Vault-Former-Employee_115583362839477209346", 13_512),  # 74 bytes
    ],
)
def test_the_largest_customer_one_digest_holds(doc_id: str, most: int) -> None:
    assert fits(digest_of("C0acme001", doc_id, most))
    assert not fits(digest_of("C0acme001", doc_id, most + 1))
    assert DOCUMENT_LIMIT - DIGEST_BUDGET == 48_576  # spare for a miscount


def test_marking_lists_every_touched_document_as_changed() -> None:
    digest = HolderDigest("C01", {"C01_a": "0123456789ab", "C01_b": "ba9876543210"})
    assert marked(digest, ["C01_b", "C01_gone"]).entries == {
        "C01_a": "0123456789ab",
        "C01_b": MARK,
        "C01_gone": MARK,
    }
