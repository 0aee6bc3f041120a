"""The soak's reconciliation and checks on hand-made records: a clean history reconciles to no
difference, and each way money can go wrong shows as one."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from licence_manager.domain.audit import AuditAction, Source, append
from licence_manager.domain.model import GENESIS, LicenceKey
from licence_manager_local.soak.checks import (
    RequestRecord,
    SettingsChange,
    bought_against_settings,
    broken_chains,
    duplicate_emails,
    non_final,
)
from licence_manager_local.soak.reconcile import (
    AuditRecord,
    GoogleChange,
    InvoiceRow,
    differences,
    reconcile,
)

T0 = datetime(2026, 12, 4, 12, tzinfo=UTC)
L = "C01_1010020027"
APPLY = "function:apply_topup pid=42"


def change(seq: int, before: int, after: int, caller: str = APPLY) -> GoogleChange:
    return GoogleChange(L, seq, T0 + timedelta(seconds=seq), "changeSeats", caller, before, after)


def entry(seq: int, action: str, source: str, before: int, after: int) -> AuditRecord:
    return AuditRecord(L, seq, T0 + timedelta(seconds=seq), action, source, "x", before, after)


def bill(source: str, before: int, after: int) -> InvoiceRow:
    return InvoiceRow(L, source, after - before, before, after)


def clean_history() -> tuple[list[GoogleChange], list[AuditRecord], list[InvoiceRow]]:
    changes = [change(1, 10, 13), change(2, 13, 15, "control:admin-console"), change(3, 15, 17)]
    audit = [
        entry(1, "LICENCE_DISCOVERED", "sync", 0, 10),
        entry(2, "TOP_UP_APPLIED", "automatic", 10, 13),
        entry(3, "SEATS_CHANGED_OUTSIDE", "outside", 13, 15),
        entry(4, "TOP_UP_APPLIED", "manual", 15, 17),
    ]
    bills = [bill("automatic", 10, 13), bill("outside", 13, 15), bill("manual", 15, 17)]
    return changes, audit, bills


def test_a_clean_history_has_no_differences() -> None:
    changes, audit, bills = clean_history()
    (row,) = reconcile(changes, audit, bills, {L: 17}, {L: 17})
    assert row.differences == []
    assert (row.google_lm, row.applied, row.invoiced_lm) == (5, 5, 5)
    assert (row.google_outside, row.recorded_outside, row.invoiced_outside) == (2, 2, 2)


def test_a_repeat_of_the_same_absolute_total_is_no_change() -> None:
    changes, audit, bills = clean_history()
    (row,) = reconcile([*changes, change(4, 17, 17)], audit, bills, {L: 17}, {L: 17})
    assert row.differences == []


def test_two_changes_at_once_apply_eight_where_google_moved_five() -> None:
    # Finding 1: an automatic +3 and a manual +5 decided on the same 10: Google ends at 15.
    changes = [change(1, 10, 13), change(2, 13, 15)]
    audit = [
        entry(2, "TOP_UP_APPLIED", "automatic", 10, 13),
        entry(3, "TOP_UP_APPLIED", "manual", 10, 15),
    ]
    bills = [bill("automatic", 10, 13), bill("manual", 10, 15)]
    (row,) = reconcile(changes, audit, bills, {L: 15}, {L: 15})
    found = " | ".join(row.differences)
    assert "Google added 5 for Licence Manager, APPLIED says 8" in found
    assert "Google changed 13→15 for Licence Manager 1x with no APPLIED" in found
    assert "APPLIED 10→15 recorded 1x with no such change at Google" in found


def test_a_purchase_recorded_that_google_never_made() -> None:
    # Finding 2: a definite 404 recorded as applied.
    audit = [entry(2, "TOP_UP_APPLIED", "automatic", 10, 13)]
    (row,) = reconcile([], audit, [bill("automatic", 10, 13)], {L: 10}, {L: 13})
    assert any("no such change at Google" in d for d in row.differences)
    assert any("Google holds 10 seats, the licence says 13" in d for d in row.differences)


def test_an_invoice_that_misses_or_doubles_an_addition() -> None:
    changes, audit, bills = clean_history()
    (row,) = reconcile(changes, audit, bills[:2], {L: 17}, {L: 17})
    assert any("not invoiced manual 15→17x1" in d for d in row.differences)
    (row,) = reconcile(changes, audit, [*bills, bills[0]], {L: 17}, {L: 17})
    assert any("invoiced automatic 10→13x1" in d for d in row.differences)


def test_an_outside_change_the_sync_took_for_ours_or_missed() -> None:
    changes, audit, bills = clean_history()
    missed = [a for a in audit if a.action != "SEATS_CHANGED_OUTSIDE"]
    (row,) = reconcile(changes, missed, bills, {L: 17}, {L: 17})
    assert any("changed outside by 2 at Google, recorded 0" in d for d in row.differences)


def test_a_seat_change_by_anyone_else_is_a_difference() -> None:
    changes, audit, bills = clean_history()
    rogue = change(9, 17, 18, "function:sync_usage pid=7")
    (row,) = reconcile([*changes, rogue], audit, bills, {L: 18}, {L: 18})
    assert any("unknown caller" in d for d in row.differences)
    assert differences([row])[0][0] == L


def test_requests_left_open_and_emails_sent_twice() -> None:
    def request(rid: str, status: str) -> RequestRecord:
        return RequestRecord(rid, L, "automatic", "change_seats", status, 10, 13,
                             T0, None, None, None, "")  # fmt: skip

    assert [
        r.request_id for r in non_final([request("a", "APPLIED"), request("b", "CLAIMED")])
    ] == ["b"]
    envelope = {"to": [{"email": "Admin@x.example"}], "custom_args": {"notificationId": "n1"}}
    other = {"to": [{"email": "ops@x.example"}], "custom_args": {"notificationId": "n1"}}
    outbox = [{"personalizations": [envelope, other]}, {"personalizations": [envelope]}]
    assert duplicate_emails(outbox) == [("n1", "admin@x.example", 2)]


def test_audit_chains_are_verified() -> None:
    key = LicenceKey("C01", "1010020027")
    first = append(GENESIS, key, T0, AuditAction.LICENCE_DISCOVERED, Source.SYNC, "sync", "m")
    second = append(first.head, key, T0, AuditAction.TOP_UP_APPLIED, Source.MANUAL, "a", "m", 1, 2)
    assert broken_chains({key.doc_id: [second, first]}) == {}
    edited = replace(second, seats_after=3)  # someone raised the figure after the fact
    assert list(broken_chains({key.doc_id: [first, edited]})) == [key.doc_id]


def test_an_automatic_top_up_claimed_after_it_was_switched_off() -> None:
    saved = SettingsChange(L, T0, auto_top_up=False, max_total_seats=None)
    capped = SettingsChange(L, T0, auto_top_up=True, max_total_seats=12)

    def applied(claimed: datetime) -> RequestRecord:
        return RequestRecord("r", L, "automatic", "change_seats", "APPLIED", 10, 13,
                             T0, claimed, claimed, claimed, "")  # fmt: skip

    later, earlier = T0 + timedelta(seconds=5), T0 - timedelta(seconds=5)
    assert len(bought_against_settings([applied(later)], [saved])) == 1
    assert len(bought_against_settings([applied(later)], [capped])) == 1
    assert bought_against_settings([applied(earlier)], [saved]) == []
