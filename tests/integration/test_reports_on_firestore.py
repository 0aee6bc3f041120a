"""Reports and the month-end job on the Firestore emulator: a year of history, the documents
each report reads, the API's JSON and CSV, and a month-end run that is safe to repeat."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from functions_framework import create_app

from licence_manager.adapters.firestore_automation import FirestoreStore
from licence_manager.adapters.firestore_reports import FirestoreReports
from licence_manager.adapters.firestore_unit_of_work import FirestoreUnitOfWork
from licence_manager.adapters.sendgrid_mailer import SendGridMailer
from licence_manager.domain import audit
from licence_manager.domain.audit import AuditAction, Source
from licence_manager.domain.model import Customer, LicenceKey
from licence_manager.domain.notifications import Recipient
from licence_manager.domain.observation import record_observation
from licence_manager.domain.reports import Granularity
from licence_manager.services.alerts import SendNotification
from licence_manager.services.reports import MonthEndJob, ReportRange, Reports
from licence_manager_local.sendgrid_standin import RunningStandIn, start_sendgrid_standin
from tests.builders import subscription
from tests.fakes.memory_automation import RecordingPublisher
from tests.fakes.unit_of_work import record

API = Path(__file__).resolve().parents[2] / "functions" / "api" / "main.py"
KEY = LicenceKey("C01", "1010020028")
NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
START = date(2025, 11, 28)


@pytest.fixture
def year(firestore_client: Any) -> FirestoreStore:
    """A licence seen a year ago whose assigned users changed every day, with a top-up, a
    manual addition and an Admin-console addition along the way."""
    store = FirestoreStore(firestore_client)
    store.save_customer(Customer("C01", "acme.example", "Acme Ltd", "Europe/London"))
    day = START
    while day <= NOW.date():
        at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
        sub = subscription(assigned=10 + day.toordinal() % 7, total=20)
        record(
            store,
            KEY,
            at,
            "Europe/London",
            partial(record_observation, subscription=sub, at=at, default_time_zone="Europe/London"),
        )
        day += timedelta(days=1)
    reports = FirestoreReports(firestore_client)
    head = store.audit_entries(KEY)[-1].head
    batch = firestore_client.batch()
    for at, before, after, source, action in [
        (
            datetime(2026, 10, 3, 10, tzinfo=UTC),
            20,
            22,
            Source.AUTOMATIC,
            AuditAction.TOP_UP_APPLIED,
        ),
        (datetime(2026, 10, 17, 16, tzinfo=UTC), 22, 25, Source.MANUAL, AuditAction.TOP_UP_APPLIED),
        (
            datetime(2026, 10, 30, 8, tzinfo=UTC),
            25,
            26,
            Source.OUTSIDE,
            AuditAction.SEATS_CHANGED_OUTSIDE,
        ),
    ]:
        entry = audit.append(head, KEY, at, action, source, f"by {source}", "", before, after)
        from licence_manager.adapters import firestore_codec

        batch.create(
            firestore_client.collection("audit_events").document(entry.doc_id),
            firestore_codec.audit_to_doc(entry),
        )
        head = entry.head
    batch.commit()
    assert reports  # the range reads below go through FirestoreReports
    return store


def reports_for(store: FirestoreStore) -> Reports:
    return Reports(FirestoreReports(store._db), store, clock=lambda: NOW)


def test_a_one_year_daily_report_reads_a_few_hundred_small_documents(year: FirestoreStore) -> None:
    counted = reports_for(year).usage(KEY, ReportRange(START, NOW.date(), Granularity.DAY))
    assert counted is not None
    assert len(counted.report.periods) == 366
    # 366 daily rollups + 1 licence list + 1 carried-in rollup + the additions' audit entries
    assert 366 <= counted.reads <= 400, counted.reads
    print(f"\none-year daily report: {counted.reads} documents read")


def test_a_one_year_monthly_report_reads_far_fewer_once_months_are_closed(
    year: FirestoreStore,
) -> None:
    reports = reports_for(year)
    (licence,) = year.licences_of("C01")
    month = date(2025, 12, 1)
    while month < date(2026, 11, 1):
        reports.close_month(licence, month)
        month = (month + timedelta(days=32)).replace(day=1)
    monthly = reports.usage(KEY, ReportRange(date(2025, 12, 1), NOW.date(), Granularity.MONTH))
    daily_then_monthly = reports.usage(
        KEY, ReportRange(date(2025, 12, 1), NOW.date(), Granularity.DAY)
    )
    assert monthly is not None and daily_then_monthly is not None
    # 11 month summaries + November's rollups so far + licence list + audit entries
    assert monthly.reads <= 50, monthly.reads
    print(f"\none-year monthly report: {monthly.reads} documents read")
    # the summaries give the same figures as the days they summarise
    by_month = {p.label: p.figures for p in monthly.report.periods}
    days = [p for p in daily_then_monthly.report.periods if p.label.startswith("2026-03")]
    march_util = sum(p.figures.utilisation_seconds for p in days)
    assert by_month["2026-03"].utilisation_seconds == pytest.approx(march_util)


@pytest.fixture
def sendgrid() -> Iterator[RunningStandIn]:
    with start_sendgrid_standin() as standin:
        yield standin


def test_the_month_end_job_runs_twice_and_writes_one_document_and_one_email(
    year: FirestoreStore, sendgrid: RunningStandIn
) -> None:
    year.save_recipient(Recipient("C01", "billing@acme.example"))
    publisher = RecordingPublisher()
    reports = reports_for(year)
    store = FirestoreReports(year._db)
    job = MonthEndJob(reports, store, year, year, publisher, clock=lambda: NOW)
    mailer = SendGridMailer(sendgrid.api_key, "lm@reseller.example", host=sendgrid.url)
    send = SendNotification(year, FirestoreUnitOfWork(year._db), mailer, "", clock=lambda: NOW)

    first = job(date(2026, 10, 1))
    for notification_id in publisher.notifications:
        send(notification_id)
    second = job(date(2026, 10, 1))
    for notification_id in publisher.notifications:
        send(notification_id)

    assert (first.reports_created, second.reports_created, second.reports_already_there) == (
        1,
        0,
        1,
    )
    docs = list(year._db.collection("monthly_additions").stream())
    assert [d.id for d in docs] == ["C01_2026-10"]
    summary = docs[0].to_dict()
    assert summary["seatsAdded"] == 6
    assert (
        summary["seatsAddedAutomatic"],
        summary["seatsAddedManual"],
        summary["seatsAddedOutside"],
    ) == (2, 3, 1)
    assert all(not isinstance(v, dict | list) for v in summary.values())  # flat for export
    (email,) = sendgrid.outbox
    assert email.subject == "Licence additions for 2026-10: acme.example"
    (attachment,) = email.attachments
    rows = list(csv.DictReader(io.StringIO(attachment.content.decode())))
    assert sum(int(r["seatsAdded"]) for r in rows) == 6


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch, year: FirestoreStore) -> Any:
    from licence_manager import bootstrap
    from licence_manager.domain.users import Role, User

    monkeypatch.setenv("LICENCE_MANAGER_LOCAL", "1")
    # Local mode needs a non-Google Reseller endpoint; the reports never call it.
    monkeypatch.setenv("RESELLER_API_ENDPOINT", "http://127.0.0.1:9/")
    admin = User("admin@acme.example", "Acme admin", Role.CUSTOMER_ADMIN, frozenset({"C01"}))
    bootstrap.store().save_user(admin)
    return create_app("api", str(API), "http").test_client()


def signed_in(client: Any) -> dict[str, str]:
    """The local dev sign-in as the customer's admin."""
    response = client.post("/api/v1/session", json={"email": "admin@acme.example"})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_the_report_route_answers_json_and_validates_its_range(api: Any) -> None:
    headers = signed_in(api)
    base = f"/api/v1/customers/C01/licences/{KEY.sku_id}/report"
    ok = api.get(f"{base}?from=2026-10-01&to=2026-10-31&granularity=week", headers=headers)
    body = ok.get_json()
    assert ok.status_code == 200, body
    assert set(body["metrics"]) >= {
        "availableLicences",
        "averageUtilisation",
        "totalTopUps",
        "totalLicencesAdded",
    }
    assert body["metrics"]["totalLicencesAdded"] == 6
    assert body["metrics"]["licencesAddedBySource"]["manual"] == 3
    assert body["series"][0]["period"] == "2026-W40"
    for bad in (
        "from=2026-10-31&to=2026-10-01",
        "from=2020-01-01&to=2026-10-01",
        "from=yesterday&to=2026-10-01",
        "from=2026-10-01&to=2026-10-31&granularity=year",
    ):
        response = api.get(f"{base}?{bad}", headers=headers)
        assert response.status_code == 400, bad
        assert response.mimetype == "application/problem+json"


def test_the_additions_route_answers_json_or_the_same_figures_as_csv(api: Any) -> None:
    headers = signed_in(api)
    url = "/api/v1/customers/C01/additions?month=2026-10"
    body = api.get(url, headers=headers).get_json()
    as_csv = api.get(url, headers={**headers, "Accept": "text/csv"})
    assert as_csv.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True))))
    assert [int(r["seatsAdded"]) for r in rows] == [a["seatsAdded"] for a in body["additions"]]
    assert [r["source"] for r in rows] == ["automatic", "manual", "outside"]
    assert body["totals"][0]["seatsAdded"] == 6
    assert (
        api.get("/api/v1/customers/C01/additions?month=10-2026", headers=headers).status_code == 400
    )


def test_the_cli_exports_the_month_end_report_and_the_same_file_twice(
    year: FirestoreStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from licence_manager.cli import Clients, main

    year.save_customer(Customer("C02", "beta.example", "Beta Ltd", "Europe/London"))
    clients = Clients(reports=lambda: (reports_for(year), year))
    paths = [tmp_path / "first.csv", tmp_path / "second.csv"]
    for path in paths:
        args = ["export", "month-end", "--month", "2026-10", "--all", "--out", str(path)]
        assert main(args, clients=clients) == 0
    assert paths[0].read_bytes() == paths[1].read_bytes()
    rows = list(csv.DictReader(io.StringIO(paths[0].read_text())))
    assert [(r["customerId"], r["seatsAdded"]) for r in rows] == [
        ("C01", "2"),
        ("C01", "3"),
        ("C01", "1"),
    ]
    progress = capsys.readouterr().err
    assert "2/2 customers" in progress and "wrote 3 additions for 2 customers" in progress
    assert main(["export", "month-end", "--month", "2026-13", "--all"], clients=clients) == 2
    assert (
        main(["export", "month-end", "--month", "2026-10", "--customer", "nobody"], clients=clients)
        == 1
    )
