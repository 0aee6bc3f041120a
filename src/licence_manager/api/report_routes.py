"""Reports per SKU and the month-end additions report (JSON, or CSV with Accept: text/csv)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from licence_manager.api.problems import Problem
from licence_manager.domain.daily import FIRST_REPORTABLE_DAY, LAST_REPORTABLE_DAY, reportable
from licence_manager.domain.model import LicenceKey
from licence_manager.domain.month_end import MonthAdditions, billing_of, parse_month
from licence_manager.domain.reports import SOURCES, Addition, Figures, UsageReport
from licence_manager.services.reports import BadReportRequest, Reports, parse_range

reports = Blueprint("reports", __name__, url_prefix="/api/v1/customers/<customer_id>")


def _reports() -> Reports:
    built: Reports = current_app.config["REPORTS"]()
    return built


@reports.get("/licences/<sku_id>/report")
def licence_report(customer_id: str, sku_id: str) -> ResponseReturnValue:
    """Usage, utilisation and additions of one SKU by day, ISO week or month."""
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
            f"dates must be from {FIRST_REPORTABLE_DAY} to {LAST_REPORTABLE_DAY}",
        )
    counted = _reports().usage(LicenceKey(customer_id, sku_id), wanted)
    if counted is None:
        raise Problem(
            404, "Not Found", f"Customer {customer_id!r} has no licence for SKU {sku_id!r}"
        )
    body = report_json(counted.report, counted.licence.time_zone)
    body["timeZone"] = counted.licence.time_zone
    body["documentsRead"] = counted.reads
    return jsonify(body)


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
    lm_sources = ("automatic", "manual", "purchase")
    return {
        "metrics": {
            "availableLicences": report.vacant_now,
            "averageUtilisation": _figures_json(overall)["averageUtilisation"],
            "totalTopUps": sum(report.top_ups_by_source[s] for s in lm_sources),
            "totalLicencesAdded": sum(report.added_by_source.values()),
            "topUpsBySource": report.top_ups_by_source,
            "licencesAddedBySource": report.added_by_source,
        },
        "series": [
            {
                "period": p.label,
                "from": p.first.isoformat(),
                "to": p.last.isoformat(),
                **_figures_json(p.figures),
                "licencesAdded": sum(a.seats for a in p.additions),
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
        raise Problem(404, "Not Found", f"No customer with id {customer_id!r}")
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
