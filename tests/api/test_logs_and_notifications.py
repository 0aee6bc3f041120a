"""The Logs page's filter and CSV export, the Notifications page's paging and problems filter,
and sending an email again (issue 11)."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import timedelta
from typing import Any

from licence_manager.domain.model import LicenceKey
from licence_manager.domain.month_end import MONTH_END_SCOPE
from licence_manager.domain.notifications import DeliveryStatus, Notification, NotificationType
from licence_manager.services.alerts import SendNotification
from tests.api.conftest import ACME, ADMIN, GLOBEX, MANAGER, OPS, STANDARD, STARTER, Api
from tests.api.test_openapi import check
from tests.builders import T0
from tests.fakes.memory_automation import RecordingMailer
from tests.fakes.unit_of_work import MemoryUnitOfWork

BASE = f"/api/v1/customers/{ACME}"
LOW = f"{ACME}_{STANDARD}-low-1"  # the seeded notification (conftest)


def add_seats(api: Api, *counts: int) -> None:
    for seats in counts:
        response = api.call("POST", f"{BASE}/licences/{STANDARD}/additions", json={"seats": seats})
        assert response.status_code == 202


# --- logs -----------------------------------------------------------------------------------


def test_entries_carry_human_labels_and_plan_words(api: Api) -> None:
    entries = api.call("GET", f"{BASE}/logs?skuId={STARTER}").get_json()["entries"]
    (found,) = entries
    assert (found["action"], found["actionLabel"]) == ("LICENCE_DISCOVERED", "Licence found")
    assert found["sourceLabel"] == "Sync"
    assert "plan Annual (yearly payment) with 20 seats" in found["message"]
    assert "ANNUAL_YEARLY_PAY" not in found["message"]


def test_the_type_filter_pages_through_one_event_type(api: Api) -> None:
    add_seats(api, 2, 3, 4)
    url = f"{BASE}/logs?type=TOP_UP_REQUESTED&limit=2"
    first = api.call("GET", url).get_json()
    rest = api.call("GET", f"{url}&cursor={first['nextCursor']}").get_json()
    messages = [e["message"] for e in first["entries"] + rest["entries"]]
    assert messages == [f"{ADMIN} asked to add {n} seats: 10 → {10 + n}" for n in (4, 3, 2)]
    assert rest["nextCursor"] is None
    assert {e["actionLabel"] for e in first["entries"]} == {"Licences requested"}
    # With a SKU too; another SKU has none of them.
    one_sku = api.call("GET", f"{BASE}/logs?skuId={STANDARD}&type=TOP_UP_REQUESTED").get_json()
    assert len(one_sku["entries"]) == 3
    other = api.call("GET", f"{BASE}/logs?skuId={STARTER}&type=TOP_UP_REQUESTED").get_json()
    assert other == {"entries": [], "nextCursor": None}


def test_a_bad_type_or_a_cursor_from_another_listing_is_refused(api: Api) -> None:
    add_seats(api, 1, 2)
    bad = api.call("GET", f"{BASE}/logs?type=top_up_requested")
    assert bad.status_code == 400
    assert "type" in bad.get_json()["errors"]
    page = api.call("GET", f"{BASE}/logs?type=TOP_UP_REQUESTED&limit=1").get_json()
    wrong_sku = f"{BASE}/logs?skuId={STARTER}&type=TOP_UP_REQUESTED&cursor={page['nextCursor']}"
    assert api.call("GET", wrong_sku).status_code == 400
    other = f"/api/v1/customers/{GLOBEX}/logs?type=TOP_UP_REQUESTED&cursor={page['nextCursor']}"
    assert api.call("GET", other, OPS).status_code == 400


def read_csv(response: Any) -> list[list[str]]:
    text = response.get_data(as_text=True)
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_export_has_the_filtered_log_with_the_pages_labels(api: Api) -> None:
    add_seats(api, 4)
    response = api.call("GET", f"{BASE}/logs.csv?type=TOP_UP_REQUESTED")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="licence-log-acme.example-20')
    assert disposition.endswith('.csv"')
    header, *rows = read_csv(response)
    assert header[:4] == ["When", "Time zone", "Licence", "Event"]
    (row,) = rows
    page = api.call("GET", f"{BASE}/logs?type=TOP_UP_REQUESTED").get_json()["entries"][0]
    assert row[1] == "Europe/London"
    assert row[3:] == [
        page["actionLabel"],
        page["sourceLabel"],
        ADMIN,
        "10",
        "14",
        page["message"],
    ]
    everything = read_csv(api.call("GET", f"{BASE}/logs.csv"))
    assert len(everything) - 1 == len(api.call("GET", f"{BASE}/logs?limit=100").json["entries"])
    assert api.call("GET", f"{BASE}/logs.csv?type=nonsense").status_code == 400


def test_csv_cells_with_commas_quotes_and_line_breaks_read_back_whole(api: Api) -> None:
    name = 'Night desk, "B" team\nsecond line'
    added = api.call("POST", f"{BASE}/recipients", json={"email": "x@acme.example", "name": name})
    assert added.status_code == 201
    _, newest, *_ = read_csv(api.call("GET", f"{BASE}/logs.csv?skuId=customer"))
    assert newest[3] == "Recipient added"
    assert name in newest[-1]


def test_an_account_manager_may_download_the_log_of_an_assigned_customer_only(api: Api) -> None:
    assert api.call("GET", f"{BASE}/logs.csv", MANAGER).status_code == 200
    assert api.call("GET", f"/api/v1/customers/{GLOBEX}/logs.csv", MANAGER).status_code == 404


# --- notifications ----------------------------------------------------------------------------


def seed(api: Api, name: str, hours: int, status: DeliveryStatus) -> Notification:
    original = api.store.notification_records[LOW]
    made = replace(
        original, notification_id=name, created_at=T0 + timedelta(hours=hours), status=status
    )
    api.store.notification_records[name] = made
    return made


def test_notifications_page_newest_first_with_a_problems_filter(api: Api) -> None:
    seed(api, "n-sent", 1, DeliveryStatus.SENT)
    seed(api, "n-failed", 2, DeliveryStatus.FAILED)
    seed(api, "n-unsure", 3, DeliveryStatus.UNCONFIRMED)
    seed(api, "n-nobody", 4, DeliveryStatus.NO_RECIPIENTS)
    first = api.call("GET", f"{BASE}/notifications?limit=2").get_json()
    rest = api.call("GET", f"{BASE}/notifications?limit=3&cursor={first['nextCursor']}").json
    listed = [n["id"] for n in first["notifications"] + rest["notifications"]]
    assert listed == ["n-nobody", "n-unsure", "n-failed", "n-sent", LOW]
    problems = api.call("GET", f"{BASE}/notifications?problems=true&limit=2").get_json()
    more = api.call(
        "GET", f"{BASE}/notifications?problems=true&limit=2&cursor={problems['nextCursor']}"
    ).get_json()
    assert [n["id"] for n in problems["notifications"]] == ["n-nobody", "n-unsure"]
    assert [n["id"] for n in more["notifications"]] == ["n-failed"]
    assert more["nextCursor"] is None
    assert rest["nextCursor"] is None
    assert [n["canResend"] for n in first["notifications"]] == [False, True]


def test_notification_paging_is_validated(api: Api) -> None:
    for query in ("limit=0", "limit=101", "problems=yes", "cursor=nonsense"):
        assert api.call("GET", f"{BASE}/notifications?{query}").status_code == 400, query
    globex = f"{GLOBEX}_{STANDARD}-low-1"
    assert api.call("GET", f"{BASE}/notifications?cursor={globex}").status_code == 400


def resend(api: Api, notification_id: str, email: str = ADMIN) -> Any:
    return api.call("POST", f"{BASE}/notifications/{notification_id}/resend", email)


def test_a_failed_email_is_sent_again_once_however_often_it_is_asked(api: Api) -> None:
    seed(api, "n-failed", 2, DeliveryStatus.FAILED)
    first = resend(api, "n-failed")
    again = resend(api, "n-failed")  # a double click
    assert first.status_code == 201
    assert again.status_code == 200
    made = first.get_json()
    assert made["id"] == again.get_json()["id"] == "n-failed-resend-1"
    assert (made["status"], made["resendOf"], made["resentBy"]) == ("PENDING", "n-failed", ADMIN)
    assert [n for n in api.store.notification_records if "resend" in n] == ["n-failed-resend-1"]
    assert "n-failed-resend-1" in api.publisher.notifications
    # It goes out through send_alerts' usual path, and the list shows its own status.
    uow = MemoryUnitOfWork(api.store)
    sent = SendNotification(api.store, uow, RecordingMailer(), "https://lm.example")(made["id"])
    assert sent is not None and sent.status is DeliveryStatus.SENT
    listed = api.call("GET", f"{BASE}/notifications").get_json()["notifications"]
    shown = {n["id"]: (n["status"], n["canResend"], n["resentAs"]) for n in listed}
    assert shown["n-failed"] == ("FAILED", False, "n-failed-resend-1")
    assert shown["n-failed-resend-1"] == ("SENT", False, None)
    # Sent now: asking again answers with it, sending nothing more.
    assert resend(api, "n-failed").status_code == 200
    assert len([n for n in api.store.notification_records if "resend" in n]) == 1


def test_a_resend_that_fails_too_can_be_sent_again_and_each_is_audited(api: Api) -> None:
    seed(api, "n-unsure", 3, DeliveryStatus.UNCONFIRMED)
    resend(api, "n-unsure", OPS)
    stored = api.store.notification_records["n-unsure-resend-1"]
    api.store.notification_records[stored.notification_id] = replace(
        stored, status=DeliveryStatus.FAILED
    )
    listed = api.call("GET", f"{BASE}/notifications?problems=true").get_json()["notifications"]
    # Only the newest attempt of the line is offered again, even on a page without the first.
    assert {n["id"]: n["canResend"] for n in listed} == {
        "n-unsure-resend-1": True,
        "n-unsure": False,
    }
    page = api.call("GET", f"{BASE}/notifications?problems=true&limit=1").get_json()
    assert page["notifications"][0]["canResend"] is True
    second = resend(api, "n-unsure-resend-1")  # from the resend's own row
    assert second.get_json()["id"] == "n-unsure-resend-2"
    logged = api.call("GET", f"{BASE}/logs?type=NOTIFICATION_RESENT").get_json()["entries"]
    assert [(e["actor"], e["actionLabel"], e["skuId"]) for e in logged] == [
        (ADMIN, "Email sent again", STANDARD),
        (OPS, "Email sent again", STANDARD),
    ]
    assert "may receive it twice" in logged[0]["message"]
    assert "was not delivered" in logged[0]["message"]
    assert "may not have arrived" in logged[1]["message"]


def test_only_failed_or_unconfirmed_emails_of_this_customer_can_be_resent(api: Api) -> None:
    seed(api, "n-sent", 1, DeliveryStatus.SENT)
    refused = resend(api, "n-sent")
    assert refused.status_code == 409
    assert "sent" in refused.get_json()["detail"]
    assert resend(api, "no-such").status_code == 404
    globex = f"{GLOBEX}_{STANDARD}-low-1"
    api.store.notification_records[globex] = replace(
        api.store.notification_records[globex], status=DeliveryStatus.FAILED
    )
    assert resend(api, globex, OPS).status_code == 404
    assert not [n for n in api.store.notification_records if "resend" in n]


def test_an_account_manager_cannot_resend(api: Api) -> None:
    seed(api, "n-failed", 2, DeliveryStatus.FAILED)
    assert resend(api, "n-failed", MANAGER).status_code == 403
    assert not [n for n in api.store.notification_records if "resend" in n]
    assert api.publisher.notifications == []


def test_resend_responses_match_the_documented_schemas(api: Api) -> None:
    seed(api, "n-failed", 2, DeliveryStatus.FAILED)
    template = "/api/v1/customers/{customerId}/notifications/{notificationId}/resend"
    path = f"{BASE}/notifications/n-failed/resend"
    assert check(api, "POST", path, template).status_code == 201
    assert check(api, "POST", path, template).status_code == 200
    template = "/api/v1/customers/{customerId}/notifications"
    check(api, "GET", f"{BASE}/notifications?problems=true", template)


def test_a_resent_month_end_report_is_logged_with_the_account_changes(api: Api) -> None:
    report = Notification(
        "month-end-1",
        LicenceKey(ACME, MONTH_END_SCOPE),
        NotificationType.MONTH_END_REPORT,
        T0,
        {"month": "2026-11", "attachmentCsv": "Licence,Seats\r\n"},
        status=DeliveryStatus.UNCONFIRMED,
    )
    api.store.notification_records[report.notification_id] = report
    made = resend(api, report.notification_id).get_json()
    assert api.store.notification_records[made["id"]].facts["attachmentCsv"] == "Licence,Seats\r\n"
    account = api.call("GET", f"{BASE}/logs?skuId=customer&type=NOTIFICATION_RESENT").get_json()
    (entry,) = account["entries"]
    assert entry["message"].startswith('Email "Month-end report" sent again because it may not')
