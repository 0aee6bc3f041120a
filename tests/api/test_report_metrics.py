"""The report API's cards and its CSV download (issue 11): top-ups are automatic ones, seats
added are every route's, and the range downloads as CSV with the same figures."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import timedelta

from licence_manager.domain import audit
from licence_manager.domain.audit import AuditAction, Source
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.observation import LicenceContext, RecordedChange, record_observation
from tests.api.conftest import ACME, ADMIN, GLOBEX, MANAGER, STANDARD, TZ, Api
from tests.builders import T0, subscription
from tests.fakes.unit_of_work import record

BASE = f"/api/v1/customers/{ACME}"
RANGE = "from=2026-11-01&to=2026-11-30&granularity=week"


def added_through_licence_manager(api: Api, hours: int, seats: int, source: Source) -> None:
    """A top-up, manual addition or purchase applied, written as the top-up service does."""
    key = LicenceKey(ACME, STANDARD)
    at = T0 + timedelta(hours=hours)

    def decide(context: LicenceContext) -> RecordedChange | None:
        assert context.stored is not None
        before = context.stored.usage.total
        entry = audit.append(
            context.head,
            key,
            at,
            AuditAction.TOP_UP_APPLIED,
            source,
            "admin@acme.example" if source is not Source.AUTOMATIC else "auto top-up",
            f"Added {seats}",
            before,
            before + seats,
            plan_name="FLEXIBLE",
        )
        usage = replace(context.stored.usage, total=before + seats)
        licence = replace(context.stored, usage=usage, updated_at=at)
        return RecordedChange(licence, None, (entry,), entry.head)

    record(api.store, key, at, TZ, decide)


def every_route(api: Api) -> None:
    added_through_licence_manager(api, 1, 2, Source.AUTOMATIC)
    added_through_licence_manager(api, 2, 1, Source.AUTOMATIC)
    added_through_licence_manager(api, 3, 3, Source.MANUAL)
    added_through_licence_manager(api, 4, 4, Source.PURCHASE)
    # Then 5 more in the Admin console, which the sync finds (10 + 2 + 1 + 3 + 4 + 5 = 25).
    found = subscription(
        customer_id=ACME, domain="acme.example", sku_id=STANDARD, total=25, assigned=8
    )
    at = T0 + timedelta(hours=5)
    record(
        api.store,
        found.key,
        at,
        TZ,
        lambda context: record_observation(context, found, at, TZ),
    )


def test_the_cards_count_automatic_top_ups_and_every_seat_added(api: Api) -> None:
    every_route(api)

    body = api.call("GET", f"{BASE}/licences/{STANDARD}/report?{RANGE}").get_json()

    metrics = body["metrics"]
    assert metrics["totalTopUps"] == 2
    assert (metrics["manualAdditions"], metrics["purchases"], metrics["outsideChanges"]) == (
        1,
        1,
        1,
    )
    assert metrics["licencesAddedBySource"] == {
        "automatic": 3,
        "manual": 3,
        "purchase": 4,
        "outside": 5,
    }
    assert metrics["totalLicencesAdded"] == 15
    assert metrics["counts"] == {
        "totalTopUps": ["automatic"],
        "totalLicencesAdded": ["automatic", "manual", "purchase", "outside"],
    }
    assert body["granularity"] == "week"
    assert sum(p["topUps"] for p in body["series"]) == 2
    assert sum(p["licencesAdded"] for p in body["series"]) == 15


def test_the_range_downloads_as_csv_with_the_same_figures(api: Api) -> None:
    every_route(api)

    response = api.client().get(
        f"{BASE}/licences/{STANDARD}/report.csv?{RANGE}", headers=api.headers(MANAGER)
    )

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="licence-report-{STANDARD}-2026-11-01-to-2026-11-30.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    json_body = api.call("GET", f"{BASE}/licences/{STANDARD}/report?{RANGE}").get_json()
    assert [r["period"] for r in rows] == [p["period"] for p in json_body["series"]]
    assert sum(int(r["licencesAdded"]) for r in rows) == 15
    assert sum(int(r["automaticTopUps"]) for r in rows) == 2
    assert {r["timeZone"] for r in rows} == {TZ}


def test_the_range_csv_refuses_a_bad_range_as_a_problem(api: Api) -> None:
    response = api.client().get(
        f"{BASE}/licences/{STANDARD}/report.csv?from=2026-11-30&to=2026-11-01",
        headers=api.headers(ADMIN),
    )

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "The start date must be on or before the end date."


def test_another_customers_admin_cannot_download_the_csv(api: Api) -> None:
    response = api.client().get(
        f"{BASE}/licences/{STANDARD}/report.csv?{RANGE}",
        headers=api.headers("admin@globex.example"),
    )
    assert response.status_code == 404
    own = api.client().get(
        f"/api/v1/customers/{GLOBEX}/licences/{STANDARD}/report.csv?{RANGE}",
        headers=api.headers("admin@globex.example"),
    )
    assert own.status_code == 200
