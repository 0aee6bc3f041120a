"""Each seat addition remembers the plan it was made on (security review #10), so the month-end
estimate prices it at that plan: a FLEXIBLE or TRIAL addition only raises a cap and is billed
for users assigned, not as bought seats; an ANNUAL one keeps its pro-rata estimate. The plan
rides on the audit entry, hashed only when present so every chain written before still verifies.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from licence_manager.adapters.firestore_codec import audit_from_doc, audit_to_doc
from licence_manager.domain import audit
from licence_manager.domain.audit import AuditAction, AuditEntry, Source, verify_chain
from licence_manager.domain.automation import AutomationState
from licence_manager.domain.model import GENESIS, AuditHead, Licence, LicenceKey, Usage
from licence_manager.domain.month_end import (
    CAP_RAISE,
    PLAN_UNKNOWN,
    PRO_RATA,
    MonthAdditions,
    month_additions,
    parse_month,
)
from licence_manager.domain.observation import LicenceContext, record_observation
from licence_manager.domain.outcomes import RequestContext, applied
from licence_manager.domain.reports import additions
from licence_manager.domain.topup import TopUpRequest
from tests.builders import T0, subscription
from tests.pricing import DEMO_PRICE_OF

KEY = LicenceKey("C01", "1010020028")  # Business Standard: £14.16 flexible, £11.80 annual
TZ = "Europe/London"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def reference_entry(**extra: str) -> AuditEntry:
    return audit.append(
        GENESIS,
        KEY,
        utc(2026, 10, 5, 9),
        AuditAction.TOP_UP_APPLIED,
        Source.AUTOMATIC,
        "automatic top-up",
        "Added 2 seats",
        10,
        12,
        **extra,  # type: ignore[arg-type]
    )


# the audit entry


def test_an_entry_without_a_plan_hashes_exactly_as_before() -> None:
    """The hash the code before this change gave the same entry: stored chains still verify."""
    assert reference_entry().hash == (
        "82b293bec61bc44acf9080b20e4a595a92cbb9f94e5b5dc773421e30ca506428"
    )
    assert reference_entry(plan_name="").hash == reference_entry().hash


def test_the_plan_is_covered_by_the_hash_when_present() -> None:
    with_plan = reference_entry(plan_name="FLEXIBLE")

    assert with_plan.plan_name == "FLEXIBLE"
    assert with_plan.hash != reference_entry().hash
    assert verify_chain([with_plan]) == []
    assert verify_chain([replace(with_plan, plan_name="ANNUAL_MONTHLY_PAY")]) == [
        "entry 1: content does not match its hash"
    ]
    assert verify_chain([replace(with_plan, plan_name="")]) == [
        "entry 1: content does not match its hash"
    ]


def test_a_chain_of_old_entries_then_entries_with_plans_verifies() -> None:
    entries, head = [], GENESIS
    for n, plan in enumerate(["", "", "FLEXIBLE", "", "ANNUAL_YEARLY_PAY"]):
        entry = audit.append(
            head,
            KEY,
            T0 + timedelta(hours=n),
            AuditAction.SEATS_CHANGED_OUTSIDE,
            Source.OUTSIDE,
            "usage sync",
            f"#{n}",
            n,
            n + 1,
            plan_name=plan,
        )
        entries.append(entry)
        head = entry.head

    assert verify_chain(entries) == []


def test_the_plan_is_stored_as_plan_name_and_old_documents_read_back_without_one() -> None:
    entry = reference_entry(plan_name="FLEXIBLE")
    doc = audit_to_doc(entry)

    assert doc["planName"] == "FLEXIBLE"
    assert audit_from_doc(doc) == entry
    old = audit_to_doc(reference_entry())
    old.pop("planName", None)
    assert audit_from_doc(old) == reference_entry()
    assert verify_chain([audit_from_doc(old)]) == []


# where the plan comes from


def test_the_sync_records_the_plan_of_an_outside_seat_change() -> None:
    first = record_observation(LicenceContext(), subscription(plan="FLEXIBLE", total=10), T0, TZ)
    assert first is not None
    later = T0 + timedelta(hours=1)

    change = record_observation(
        LicenceContext(first.licence, first.daily, first.audit_head),
        subscription(plan="FLEXIBLE", total=14),
        later,
        TZ,
    )

    assert change is not None
    (entry,) = change.audit
    assert entry.action is AuditAction.SEATS_CHANGED_OUTSIDE
    assert entry.plan_name == "FLEXIBLE"
    assert first.audit[0].plan_name == "FLEXIBLE"
    assert verify_chain([*first.audit, entry]) == []


def test_an_applied_top_up_records_the_plan_it_was_requested_on() -> None:
    sub = subscription(plan="ANNUAL_MONTHLY_PAY", total=10, assigned=10)
    licence = Licence(sub.key, sub.customer_domain, Usage.of(sub), TZ, T0)
    request = TopUpRequest(
        request_id="C01_1010020028-manual-0123456789ab",
        key=sub.key,
        source=Source.MANUAL,
        requested_by="admin@acme.example",
        plan_name="ANNUAL_MONTHLY_PAY",
        seats_to_add=3,
        total_before=10,
        total_after=13,
        created_at=T0,
    )
    context = RequestContext(request, licence, None, AutomationState(), AuditHead(0, GENESIS.hash))

    outcome = applied(context, T0 + timedelta(minutes=1), "sub-2", recovered=False)

    (entry,) = outcome.audit
    assert entry.action is AuditAction.TOP_UP_APPLIED
    assert entry.plan_name == "ANNUAL_MONTHLY_PAY"


# the month-end estimate


def added(
    head: AuditHead, at: datetime, before: int, after: int, plan: str, source: Source
) -> AuditEntry:
    return audit.append(
        head,
        KEY,
        at,
        AuditAction.TOP_UP_APPLIED,
        source,
        "someone",
        "added",
        before,
        after,
        plan_name=plan,
    )


@pytest.fixture
def october() -> MonthAdditions:
    """Business Standard, FLEXIBLE today; in October it was ANNUAL, then moved to FLEXIBLE."""
    entries: list[AuditEntry] = []
    head = GENESIS
    for at, before, after, plan, source in [
        (utc(2026, 10, 5, 9), 10, 12, "ANNUAL_MONTHLY_PAY", Source.MANUAL),
        (utc(2026, 10, 10, 9), 12, 16, "", Source.OUTSIDE),  # recorded before plans were
        (utc(2026, 10, 20, 9), 16, 19, "FLEXIBLE", Source.AUTOMATIC),
        (utc(2026, 10, 25, 9), 19, 20, "TRIAL", Source.AUTOMATIC),
    ]:
        entry = added(head, at, before, after, plan, source)
        entries.append(entry)
        head = entry.head
    now = subscription(plan="FLEXIBLE", total=20)
    licence = Licence(KEY, "acme.example", Usage.of(now), TZ, utc(2026, 10, 25))
    return month_additions(
        customer_id="C01",
        customer_domain="acme.example",
        customer_name="Acme",
        month=parse_month("2026-10"),
        time_zone=TZ,
        additions=additions(entries),
        licences={KEY.sku_id: licence},
        price_of=DEMO_PRICE_OF,
    )


def csv_rows(found: MonthAdditions) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(found.csv())))


def test_each_row_is_priced_at_the_plan_it_was_added_on(october: MonthAdditions) -> None:
    row = csv_rows(october)

    assert [r["planName"] for r in row] == [
        "ANNUAL_MONTHLY_PAY",
        "FLEXIBLE",  # unknown: today's plan, as before, and said so
        "FLEXIBLE",
        "TRIAL",
    ]
    # ANNUAL at £11.80 from 5 October: 27 of 31 days; the unknown row as before, at today's
    # FLEXIBLE £14.16 from 10 October: 22 of 31 days.
    assert row[0]["estimatedCost"] == f"{2 * 1180 * 27 / 31 / 100:.2f}"
    assert row[0]["billing"] == PRO_RATA
    assert row[1]["estimatedCost"] == f"{4 * 1416 * 22 / 31 / 100:.2f}"
    assert PLAN_UNKNOWN in row[1]["billing"]


def test_flexible_and_trial_additions_are_cap_raises_with_no_cost(
    october: MonthAdditions,
) -> None:
    row = csv_rows(october)

    for cap_raise in (row[2], row[3]):
        assert cap_raise["estimatedCost"] == ""
        assert cap_raise["billing"] == CAP_RAISE == "cap raise: billed only for users assigned"
        assert int(cap_raise["seatsAdded"]) > 0


def test_totals_count_every_seat_and_cost_only_the_priced_ones(october: MonthAdditions) -> None:
    found = october
    (total,) = found.totals

    assert total.seats_added == 2 + 4 + 3 + 1
    assert total.estimated_cost_minor == round(2 * 1180 * 27 / 31) + round(4 * 1416 * 22 / 31)
    assert found.summary().estimated_cost_minor == total.estimated_cost_minor
