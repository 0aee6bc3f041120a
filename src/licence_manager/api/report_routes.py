"""Reports per SKU and the month-end additions report (JSON, or CSV with Accept: text/csv)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from licence_manager.api.auth import no_such_licence, not_found_customer
from licence_manager.api.licence_outlook import forecast_json, row_forecast
from licence_manager.api.problems import Problem
from licence_manager.domain.daily import FIRST_REPORTABLE_DAY, LAST_REPORTABLE_DAY, reportable
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.month_end import MonthAdditions, billing_of, parse_month
from licence_manager.domain.report_csv import range_csv
from licence_manager.domain.reports import (
    LICENCES_ADDED_SOURCES,
    SOURCES,
    TOP_UP_SOURCES,
    Addition,
    Figures,
    UsageReport,
    automatic_top_ups,
    headline,
)
from licence_manager.ports.dashboard import ApiStore
from licence_manager.services.reports import (
    BadReportRequest,
    CountedReport,
    ReportRange,
    Reports,
    parse_range,
)

reports = Blueprint("reports", __name__, url_prefix="/api/v1/customers/<customer_id>")


def _reports() -> Reports:
    built: Reports = current_app.config["REPORTS"]()
    return built


def _store() -> ApiStore:
    store: ApiStore = current_app.config["STORE"]
    return store


def _counted_report(customer_id: str, sku_id: str) -> tuple[CountedReport, ReportRange]:
    """The report the query string asks for, or the problem with it."""
    try:
        wanted = parse_range(
            request.args.get("from"), request.args.get("to"), request.args.get("granularity")
        )
    except BadReportRequest as error:
        raise Problem(400, "Invalid report range", str(error)) from error
    if not (reportable(wanted.first) and reportable(wanted.last)):
        raise Problem(
            400,
            "Invalid report range",
            f"Choose dates from {FIRST_REPORTABLE_DAY} to {LAST_REPORTABLE_DAY}.",
        )
    counted = _reports().usage(LicenceKey(customer_id, sku_id), wanted)
    if counted is None:
        raise Problem(404, "Not Found", no_such_licence(sku_id))
    return counted, wanted


@reports.get("/licences/<sku_id>/report")
def licence_report(customer_id: str, sku_id: str) -> ResponseReturnValue:
    """Usage, utilisation and additions of one SKU by day, ISO week or month."""
    counted, wanted = _counted_report(customer_id, sku_id)
    body = report_json(counted.report, counted.licence.time_zone)
    body["timeZone"] = counted.licence.time_zone
    body["granularity"] = wanted.granularity.value
    # The run-out forecast the holder sync stored, with its 80% band for the chart: one more
    # document read (the customer's licence_insights, by id), counted with the report's.
    insights = _store().licence_insights(customer_id)
    forecast = row_forecast(insights, sku_id)
    body["forecast"] = forecast_json(forecast, counted.licence.usage.vacant, points=True)
    body["documentsRead"] = counted.reads + 1
    return jsonify(body)


@reports.get("/licences/<sku_id>/report.csv")
def licence_report_csv(customer_id: str, sku_id: str) -> ResponseReturnValue:
    """The same report as CSV, a row per period, for a spreadsheet."""
    counted, _ = _counted_report(customer_id, sku_id)
    usage = counted.licence.usage
    first, last = counted.report.periods[0].first, counted.report.periods[-1].last
    # Ids are digits from Google; kept to safe characters anyway, as this names a file.
    safe_sku = "".join(c for c in sku_id if c.isalnum() or c in "-_")
    filename = f"licence-report-{safe_sku}-{first}-to-{last}.csv"
    return Response(
        range_csv(counted.report, sku_id, usage.sku_name, counted.licence.time_zone),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _figures_json(figures: Figures) -> dict[str, Any]:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    return {
        "assigned": figures.last_assigned,
        "total": figures.last_total,
        "minAssigned": figures.min_assigned,
        "maxAssigned": figures.max_assigned,
        "averageAssigned": rounded(figures.average_assigned),
        "averageTotal": rounded(figures.average_total),
        "averageUtilisation": rounded(figures.average_utilisation),
        "coveredHours": round(figures.covered_seconds / 3600, 2),
    }


def addition_json(addition: Addition, time_zone: str) -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    return {
        "at": addition.at.astimezone(ZoneInfo(time_zone)).isoformat(timespec="seconds"),
        "skuId": addition.sku_id,
        "seatsAdded": addition.seats,
        "seatsBefore": addition.seats_before,
        "seatsAfter": addition.seats_after,
        "source": addition.source,
        "triggeredBy": addition.actor,
        "planName": addition.plan_name or None,
        "billing": billing_of(addition.plan_name),
    }


def report_json(report: UsageReport, time_zone: str = "UTC") -> dict[str, Any]:
    overall = report.overall
    cards = headline(report)
    return {
        "metrics": {
            "availableLicences": report.vacant_now,
            "averageUtilisation": _figures_json(overall)["averageUtilisation"],
            # The guide's meaning: automatic top-ups; the other routes beside it.
            "totalTopUps": cards.top_ups,
            "manualAdditions": cards.manual_additions,
            "purchases": cards.purchases,
            "outsideChanges": cards.outside_changes,
            # Seats from every route; licencesAddedBySource sums to it.
            "totalLicencesAdded": cards.licences_added,
            "topUpsBySource": report.top_ups_by_source,
            "licencesAddedBySource": cards.added_by_source,
            "counts": {
                "totalTopUps": list(TOP_UP_SOURCES),
                "totalLicencesAdded": list(LICENCES_ADDED_SOURCES),
            },
        },
        "series": [
            {
                "period": p.label,
                "from": p.first.isoformat(),
                "to": p.last.isoformat(),
                **_figures_json(p.figures),
                "licencesAdded": sum(a.seats for a in p.additions),
                "topUps": automatic_top_ups(p.additions),
            }
            for p in report.periods
        ],
        "topUps": [addition_json(a, time_zone) for a in report.additions],
    }


@reports.get("/additions")
def month_additions(customer_id: str) -> ResponseReturnValue:
    """Every seat added in a calendar month, for invoicing; CSV with Accept: text/csv."""
    try:
        month = parse_month(request.args.get("month") or "")
    except ValueError as error:
        raise Problem(400, "Invalid month", str(error)) from error
    found = _reports().month_additions(customer_id, month)
    if found is None:
        raise not_found_customer(customer_id)
    if request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv":
        filename = f"licence-additions-{customer_id}-{found.month}.csv"
        return Response(
            found.csv(),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return jsonify(additions_json(found))


def additions_json(found: MonthAdditions) -> dict[str, Any]:
    return {
        "customerId": found.customer_id,
        "customerDomain": found.customer_domain,
        "month": found.month,
        "timeZone": found.time_zone,
        "currency": found.currency or None,  # None: nothing was priced
        "additions": [
            {
                **addition_json(r.addition, found.time_zone),
                "skuName": r.sku_name,
                "planName": r.plan_name,
                "billing": r.billing,
                "estimatedCost": None
                if r.estimated_cost_minor is None
                else round(r.estimated_cost_minor / 100, 2),
            }
            for r in found.rows
        ],
        "totals": [
            {
                "skuId": t.sku_id,
                "skuName": t.sku_name,
                "seatsAdded": t.seats_added,
                "bySource": {s: t.by_source.get(s, 0) for s in SOURCES},
                "estimatedCost": round(t.estimated_cost_minor / 100, 2),
            }
            for t in found.totals
        ],
    }
