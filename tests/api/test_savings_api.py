"""The savings routes on the in-memory store: a month's lines and totals by kind and currency
(default: this month on the customer's clock), the running total since the customer joined, the
plain-words explanations, My Licences' one-document month figure, bad months and tenants."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from licence_manager.domain.model import LicenceKey
from licence_manager.domain.prices import Price
from licence_manager.domain.savings import (
    FLEXIBLE_CAP_RULE,
    Saving,
    flexible_user_removed,
    held_top_up,
    not_recommitted,
)
from licence_manager.ports.unit_of_work import Transaction
from tests.api.conftest import ACME, GLOBEX, MANAGER, OTHER_ADMIN, STANDARD, Api, build_api

C = f"/api/v1/customers/{ACME}"
KEY = LicenceKey(ACME, STANDARD)
# 23:30 UTC on 30 Nov is still November in London, already December in Tokyo.
NOV = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
DEC = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
ANNUAL = Price(STANDARD, "Business Standard", "ANNUAL_MONTHLY_PAY", "GBP", 1_000)
FLEX = Price(STANDARD, "Business Standard", "FLEXIBLE", "GBP", 1_200)


def record(api: Api, saving: Saving | None) -> None:
    def work(tx: Transaction) -> bool:
        return tx.record_saving(saving)

    api.app.config["UOW"].run(work)


def seed(api: Api) -> None:
    record(
        api,
        not_recommitted(
            KEY,
            plan_before="ANNUAL",
            plan_after="ANNUAL",
            seats_before=20,
            seats_after=18,
            term_ended_at=datetime(2026, 11, 30, tzinfo=UTC),
            new_term_ends_at=datetime(2027, 11, 30, tzinfo=UTC),
            sku_name="Business Standard",
            price=ANNUAL,
            at=NOV,
            time_zone="Europe/London",
        ),
    )
    record(
        api,
        held_top_up(
            KEY,
            blocked_alerts=1,
            plan_name="ANNUAL",
            sku_name="Business Standard",
            seats_wanted=3,
            term_ends_at=datetime(2027, 11, 30, tzinfo=UTC),
            price=ANNUAL,
            at=DEC,
            time_zone="Europe/London",
            reason="5 seats can be reclaimed",
        ),
    )
    for n, price in enumerate((FLEX, None)):
        record(
            api,
            flexible_user_removed(
                KEY,
                request_id=f"r{n}",
                plan_name="FLEXIBLE",
                sku_name="Business Standard",
                user=f"user{n}@acme.example",
                price=price,
                at=DEC,
                time_zone="Europe/London",
            ),
        )


@pytest.fixture
def seeded() -> Api:
    api = build_api()
    seed(api)
    api.app.config["CLOCK"] = lambda: DEC
    return api


def test_a_months_lines_and_totals_by_kind_and_currency(seeded: Api) -> None:
    body = seeded.call("GET", f"{C}/savings?month=2026-12").get_json()
    assert body["month"] == "2026-12"
    assert [(line["kind"], line["seats"], line["amountMinor"]) for line in body["lines"]] == [
        ("HELD_TOP_UP", 3, 1_000 * 3 * 11),  # 11 whole months from 6 Dec to 30 Nov
        ("FLEXIBLE_USER_REMOVED", 1, 1_200),
        ("FLEXIBLE_USER_REMOVED", 1, None),  # no price set: counted, not valued
    ]
    assert body["totals"] == [
        {
            "currency": "GBP",
            "totalMinor": 33_000 + 1_200,
            "byKind": {"HELD_TOP_UP": 33_000, "NOT_RECOMMITTED": 0, "FLEXIBLE_USER_REMOVED": 1_200},
        }
    ]
    # Since joined: November's renewal (2 seats for 12 months) too.
    assert [(t["currency"], t["totalMinor"]) for t in body["sinceJoined"]] == [
        ("GBP", 24_000 + 34_200)
    ]
    assert body["flexibleCapRule"] == FLEXIBLE_CAP_RULE
    assert {k["kind"] for k in body["kinds"]} == {
        "HELD_TOP_UP",
        "NOT_RECOMMITTED",
        "FLEXIBLE_USER_REMOVED",
    }
    assert "£330.00" in body["lines"][0]["words"]


def test_the_default_month_is_this_month_and_since_joined_stops_at_the_month(seeded: Api) -> None:
    body = seeded.call("GET", f"{C}/savings").get_json()
    assert body["month"] == "2026-12" and len(body["lines"]) == 3
    november = seeded.call("GET", f"{C}/savings?month=2026-11").get_json()
    assert [line["kind"] for line in november["lines"]] == ["NOT_RECOMMITTED"]
    assert [t["totalMinor"] for t in november["sinceJoined"]] == [24_000]
    empty = seeded.call("GET", f"{C}/savings?month=2026-10").get_json()
    assert (empty["lines"], empty["totals"], empty["sinceJoined"]) == ([], [], [])


def test_my_licences_month_figure_reads_the_totals_document(seeded: Api) -> None:
    body = seeded.call("GET", f"{C}/savings/this-month").get_json()
    assert body["month"] == "2026-12"
    assert [t["totalMinor"] for t in body["totals"]] == [34_200]
    assert body["words"] == "£342.00"
    fresh = build_api()
    fresh.app.config["CLOCK"] = lambda: DEC
    assert fresh.call("GET", f"{C}/savings/this-month").get_json()["words"] == "nothing yet"


@pytest.mark.parametrize("month", ["2026-13", "december", "2026-1x"])
def test_a_bad_month_is_a_400(seeded: Api, month: str) -> None:
    refused = seeded.call("GET", f"{C}/savings?month={month}")
    assert refused.status_code == 400
    assert refused.get_json()["errors"] == {"month": "Write it like 2026-12."}


def test_tenants(seeded: Api) -> None:
    # Another customer's admin sees a 404; an account manager of ACME reads it.
    for path in ("savings", "savings/this-month"):
        assert seeded.call("GET", f"{C}/{path}", OTHER_ADMIN).status_code == 404
        assert seeded.call("GET", f"{C}/{path}", MANAGER).status_code == 200
    # GLOBEX has none of ACME's savings.
    other = seeded.call("GET", f"/api/v1/customers/{GLOBEX}/savings", OTHER_ADMIN).get_json()
    assert other["lines"] == [] and other["sinceJoined"] == []
