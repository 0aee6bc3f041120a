"""The audit log's wording (api.log_wording), its CSV (api.log_csv), and the resend decision
(domain.resend)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from licence_manager.api import log_csv
from licence_manager.api.log_wording import (
    ACTION_LABELS,
    PURCHASE_LABELS,
    SOURCE_LABELS,
    action_label,
    humanise,
    source_label,
)
from licence_manager.domain import audit
from licence_manager.domain.audit import AuditAction, AuditEntry, Source
from licence_manager.domain.model import GENESIS, LicenceKey
from licence_manager.domain.notifications import DeliveryStatus, Notification, NotificationType
from licence_manager.domain.resend import MAX_RESENDS, NotResendable, decide
from licence_manager.domain.spreadsheet import safe_text
from licence_manager.ports.dashboard import AuditPage

FORMAT_TS = Path(__file__).resolve().parents[2] / "web" / "src" / "format.ts"
KEY = LicenceKey("C01", "1010020028")
T0 = datetime(2026, 11, 28, 18, 47, tzinfo=ZoneInfo("UTC"))


def test_every_action_and_source_has_a_label() -> None:
    assert set(ACTION_LABELS) == set(AuditAction)
    assert set(SOURCE_LABELS) == set(Source)
    assert all(label and not label.isupper() for label in ACTION_LABELS.values())


def test_a_purchase_is_called_by_its_own_name() -> None:
    assert action_label(AuditAction.TOP_UP_APPLIED, Source.PURCHASE) == "Licences bought"
    assert action_label(AuditAction.TOP_UP_APPLIED, Source.MANUAL) == "Licences added"
    assert action_label(AuditAction.TOP_UP_REQUESTED, Source.PURCHASE) == "Purchase requested"
    assert source_label(Source.OUTSIDE) == "Outside Licence Manager"


def test_an_action_without_a_label_still_reads_as_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(ACTION_LABELS, AuditAction.PLAN_CHANGED)
    assert action_label(AuditAction.PLAN_CHANGED, Source.OUTSIDE) == "Plan changed"


def _ts_labels(name: str) -> dict[str, str]:
    text = FORMAT_TS.read_text(encoding="utf-8")
    block = re.search(rf"const {name}: Record<string, string> = \{{(.*?)\}};", text, re.S)
    assert block, f"{name} not found in format.ts"
    return dict(re.findall(r'(\w+): "([^"]*)"', block.group(1)))


def test_the_web_app_uses_the_same_labels() -> None:
    # The page's filter and any fallback read format.ts; the rows and the CSV read this module.
    assert _ts_labels("ACTION_LABELS") == {a.value: label for a, label in ACTION_LABELS.items()}
    assert _ts_labels("SOURCE_LABELS") == {s.value: label for s, label in SOURCE_LABELS.items()}
    text = FORMAT_TS.read_text(encoding="utf-8")
    for action, label in PURCHASE_LABELS.items():
        assert f'value === "{action.value}" && source === "purchase") return "{label}"' in text


@pytest.mark.parametrize(
    "stored,shown",
    [
        (
            "Standard found on plan FLEXIBLE with 30 seats",
            "Standard found on plan Flexible with 30 seats",
        ),
        (
            "Plan changed from ANNUAL_MONTHLY_PAY to ANNUAL_YEARLY_PAY",
            "Plan changed from Annual (monthly payments) to Annual (yearly payment)",
        ),
        ("Status changed from ACTIVE to SUSPENDED", "Status changed from Active to Suspended"),
        # Codes inside other words, addresses or lower case are left alone.
        ("it@ACTIVE.example asked for FLEXIBLES", "it@ACTIVE.example asked for FLEXIBLES"),
        ("flexible", "flexible"),
        ("Status changed to SUSPENDED.", "Status changed to Suspended."),
    ],
)
def test_plan_and_status_codes_read_as_words(stored: str, shown: str) -> None:
    assert humanise(stored) == shown


# --- CSV ---------------------------------------------------------------------------------------


def entry(
    seq: int, message: str = "Standard found on plan FLEXIBLE", actor: str = "sync"
) -> AuditEntry:
    return replace(
        audit.append(
            GENESIS,
            KEY,
            T0 + timedelta(minutes=seq),
            AuditAction.LICENCE_DISCOVERED,
            Source.SYNC,
            actor,
            message,
            None,
            30,
        ),
        seq=seq,
    )


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_quoted() -> None:
    for text in ("=HYPERLINK(1)", "+1", "-1", "@SUM(A1)", "\tx"):
        assert safe_text(text) == f"'{text}"
    assert safe_text("Recipient added") == "Recipient added"


def test_the_csv_is_streamed_page_by_page_until_the_last() -> None:
    pages = {
        None: AuditPage([entry(3), entry(2)], "c2"),
        "c2": AuditPage([entry(1, 'a "quoted", line\nbreak', "=evil")], None),
    }
    asked: list[tuple[int, str | None]] = []

    def read(limit: int, cursor: str | None) -> AuditPage:
        asked.append((limit, cursor))
        return pages[cursor]

    chunks = list(log_csv.stream(read, {KEY.sku_id: "Standard"}, ZoneInfo("Europe/London")))
    assert asked == [(100, None), (100, "c2")]
    header, *rows = list(csv.reader(io.StringIO("".join(chunks))))
    assert header == list(log_csv.HEADER)
    assert rows[0] == [
        "2026-11-28 18:50:00",
        "Europe/London",
        "Standard",
        "Licence found",
        "Sync",
        "sync",
        "",
        "30",
        "Standard found on plan Flexible",
    ]
    assert rows[2][5] == "'=evil"
    assert rows[2][8] == 'a "quoted", line\nbreak'
    assert "".join(chunks).count("\r\n") >= 4  # RFC 4180 line ends


def test_the_file_is_named_after_the_customer_and_the_day() -> None:
    day = datetime(2026, 12, 5, 8, 0)
    assert log_csv.filename("acme.example", day) == "licence-log-acme.example-2026-12-05.csv"
    assert log_csv.filename('a"b/c', day) == "licence-log-a-b-c-2026-12-05.csv"


# --- resend ------------------------------------------------------------------------------------


def email(name: str, status: DeliveryStatus, **facts: str) -> Notification:
    return Notification(
        name, KEY, NotificationType.LOW_LICENCES, T0, {"skuName": "Standard", **facts}, status
    )


def test_a_failed_email_is_resent_as_a_new_pending_notification() -> None:
    failed = email("n1", DeliveryStatus.FAILED)
    done = decide(failed, failed, [], "alex@acme.example", T0 + timedelta(hours=1))
    assert done.created
    again = done.notification
    assert (again.notification_id, again.status, again.recipients) == (
        "n1-resend-1",
        DeliveryStatus.PENDING,
        (),
    )
    assert again.facts == {"skuName": "Standard", "resendOf": "n1", "resentBy": "alex@acme.example"}
    assert again.created_at == T0 + timedelta(hours=1)


def test_while_the_last_resend_is_on_its_way_or_sent_it_is_the_answer() -> None:
    failed = email("n1", DeliveryStatus.FAILED)
    for status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.SENT):
        earlier = email("n1-resend-1", status, resendOf="n1")
        done = decide(failed, failed, [earlier], "alex", T0)
        assert (done.created, done.notification) == (False, earlier)


def test_a_failed_resend_is_followed_by_the_next_number_up_to_the_limit() -> None:
    failed = email("n1", DeliveryStatus.UNCONFIRMED)
    earlier = [email(f"n1-resend-{n}", DeliveryStatus.FAILED, resendOf="n1") for n in (1, 2)]
    done = decide(earlier[-1], failed, earlier, "alex", T0)
    assert done.notification.notification_id == "n1-resend-3"
    assert done.notification.facts["resendOf"] == "n1"
    too_many = [
        email(f"n1-resend-{n}", DeliveryStatus.FAILED, resendOf="n1")
        for n in range(1, MAX_RESENDS + 1)
    ]
    with pytest.raises(NotResendable, match="already"):
        decide(failed, failed, too_many, "alex", T0)


@pytest.mark.parametrize(
    "status",
    [s for s in DeliveryStatus if s not in {DeliveryStatus.FAILED, DeliveryStatus.UNCONFIRMED}],
)
def test_only_a_failed_or_unconfirmed_email_can_be_resent(status: DeliveryStatus) -> None:
    shown = email("n1", status)
    with pytest.raises(NotResendable):
        decide(shown, shown, [], "alex", T0)
