"""The stored side of reclaimable seats: the seat_holders document's fields (the contract with
the holder sync and with account managers' exports), the user key, and the per-SKU summaries My
Licences prices from the insights' counts alone."""

from __future__ import annotations

from datetime import UTC, date, datetime

from licence_manager.adapters.seat_holder_codec import seat_holder_from_doc, seat_holder_to_doc
from licence_manager.domain.holders import user_key
from licence_manager.domain.insights import HoldersStatus
from licence_manager.domain.model import Licence, LicenceKey, Usage
from licence_manager.domain.prices import Price, lookup_from
from licence_manager.domain.reclaim import (
    GOOGLE_NEVER,
    ReclaimableSeat,
    ReclaimReason,
    SeatHolder,
)
from licence_manager.domain.reclaim_summary import (
    NO_ACCESS_NOTICE,
    ReclaimEffect,
    customer_summaries,
    reclaim_summary,
    summary_of_counts,
    unavailable_words,
)
from licence_manager.domain.seat_holders import ReclaimRecord
from tests.reclaim_seed import SYNCED, holder_record, insights_of

T = datetime(2026, 10, 1, 8, tzinfo=UTC)
STANDARD = "1010020028"


def test_the_document_has_the_designed_fields_and_round_trips() -> None:
    holder = SeatHolder(
        "Ann@C01.example", "", STANDARD, False, False, T, None, T, date(2026, 11, 28)
    )
    record = ReclaimRecord("C01", "c01.example", "Google-Apps", holder, None, SYNCED)
    doc = seat_holder_to_doc(record)
    assert doc == {
        "customerId": "C01",
        "customerDomain": "c01.example",
        "productId": "Google-Apps",
        "skuId": STANDARD,
        "email": "Ann@C01.example",
        "userId": "",
        "suspended": False,
        "archived": False,
        "createdAt": T,
        "lastLogin": None,
        "lastActivity": T,
        "activityAsOf": "2026-11-28",
        "reclaimReason": "",
        "syncedAt": SYNCED,
    }
    assert seat_holder_from_doc(doc) == record
    assert record.doc_id == f"C01_{STANDARD}_{user_key('', 'ann@c01.example')}"


def test_google_never_and_unknown_values_read_as_none() -> None:
    doc = seat_holder_to_doc(holder_record("C01", STANDARD, "a@c01.example", None))
    doc.update(
        lastLogin=GOOGLE_NEVER, createdAt=None, reclaimReason="SOMETHING_NEW", activityAsOf=None
    )
    found = seat_holder_from_doc(doc)
    assert found.holder.last_login is None and found.holder.last_seen is None
    assert found.holder.created_at == GOOGLE_NEVER  # unknown: written back as null
    assert seat_holder_to_doc(found)["createdAt"] is None
    assert found.reclaim_reason is None


def test_the_user_key_is_the_directory_id_or_a_hash_of_the_address() -> None:
    assert user_key("1234", "a@x.example") == "1234"
    hashed = user_key("", " A@X.example")
    assert hashed == user_key("", "a@x.example") and hashed.startswith("e-")
    assert len(hashed) == 18 and "@" not in hashed


PRICES = lookup_from(
    [
        Price(STANDARD, "Standard", "FLEXIBLE", "GBP", 1380),
        Price("1010020027", "Starter", "ANNUAL_MONTHLY_PAY", "GBP", 600),
    ],
    None,
)


def _licence(sku_id: str, plan: str) -> Licence:
    return Licence(
        LicenceKey("C01", sku_id),
        "c01.example",
        Usage(f"SKU {sku_id}", plan, "s", "ACTIVE", 10, 8),
        "UTC",
        T,
    )


def test_counts_give_the_same_summary_as_the_seats() -> None:
    seats = [
        ReclaimableSeat(
            holder_record("C01", STANDARD, "a@x", ReclaimReason.INACTIVE).holder,
            ReclaimReason.INACTIVE,
            70,
        ),
        ReclaimableSeat(
            holder_record("C01", STANDARD, "b@x", ReclaimReason.SUSPENDED).holder,
            ReclaimReason.SUSPENDED,
            None,
        ),
    ]
    by_reason = {ReclaimReason.INACTIVE: 1, ReclaimReason.SUSPENDED: 1}
    assert summary_of_counts(STANDARD, "S", "FLEXIBLE", by_reason, PRICES) == reclaim_summary(
        STANDARD, "S", "FLEXIBLE", seats, PRICES
    )


def test_customer_summaries_price_each_licence_from_the_insights() -> None:
    records = [
        holder_record("C01", STANDARD, "a@x", ReclaimReason.INACTIVE),
        holder_record("C01", STANDARD, "b@x", ReclaimReason.SUSPENDED),
        holder_record("C01", STANDARD, "c@x", None),
        holder_record("C01", "1010020027", "d@x", ReclaimReason.NEVER_SIGNED_IN),
        holder_record("C01", "999", "e@x", ReclaimReason.INACTIVE),  # no licence stored
    ]
    licences = [
        _licence(STANDARD, "FLEXIBLE"),
        _licence("1010020027", "ANNUAL_MONTHLY_PAY"),
        _licence("1010020025", "FLEXIBLE"),
    ]
    found = customer_summaries(licences, insights_of("C01", records), PRICES)
    assert sorted(found) == ["1010020025", "1010020027", STANDARD, "999"]
    flexible = found[STANDARD]
    assert (flexible.count, flexible.monthly_cost_minor, flexible.effect) == (
        2,
        2760,
        ReclaimEffect.SAVES_MONEY,
    )
    annual = found["1010020027"]
    assert (annual.count, annual.frees_seats, annual.saves_per_month_minor) == (1, 1, 0)
    assert found["1010020025"].count == 0
    assert found["999"].effect is ReclaimEffect.UNKNOWN_PLAN
    assert unavailable_words(insights_of("C01", records)) is None


def test_no_access_or_no_insights_prices_nothing_and_says_why_generically() -> None:
    blocked = insights_of("C01", [], HoldersStatus.NO_ACCESS)
    assert customer_summaries([_licence(STANDARD, "FLEXIBLE")], blocked, PRICES) == {}
    assert customer_summaries([_licence(STANDARD, "FLEXIBLE")], None, PRICES) == {}
    assert unavailable_words(blocked) == NO_ACCESS_NOTICE
    assert "domainCannotUseApis" not in (unavailable_words(blocked) or "")
    assert unavailable_words(insights_of("C01", [], HoldersStatus.ERROR)) != NO_ACCESS_NOTICE
    assert unavailable_words(None)
