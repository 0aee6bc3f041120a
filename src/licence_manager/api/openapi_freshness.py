"""The OpenAPI part of My Licences' summaries: the sync status and the licence summary
(api.freshness_routes). Merged into the document by api.openapi."""

from __future__ import annotations

from typing import Any

from licence_manager.domain.freshness import FreshnessState

Schema = dict[str, Any]


def schemas(
    obj: Any, nullable: Any, enum: Any, string: Schema, integer: Schema
) -> dict[str, Schema]:
    datetime: Schema = {"type": "string", "format": "date-time"}
    names: Schema = {"type": "array", "items": string}
    return {
        "SyncStatus": {
            **obj(
                {
                    "state": enum(FreshnessState),
                    "checkedAt": nullable(datetime),
                    "intervalSeconds": nullable(integer),
                    "staleAfterSeconds": nullable(integer),
                    "reason": nullable(string),
                    "summary": string,
                    "warning": nullable(string),
                    "timeZone": string,
                }
            ),
            "description": (
                "From the sync's heartbeat: when Google was last asked for this customer's "
                "figures (checkedAt), how often the sync is scheduled, and why the latest "
                "check did not complete for it (reason). Stale: older than three intervals; "
                "unknown: never checked. summary and warning are the dashboard's sentences, "
                "times in the customer's time zone."
            ),
        },
        "LicenceSummary": {
            **obj(
                {
                    "skus": integer,
                    "seats": integer,
                    "assigned": integer,
                    "vacant": integer,
                    "utilisation": {"type": "number", "minimum": 0, "maximum": 1},
                    "currency": string,
                    "estimatedMonthlySpendMinor": integer,
                    "pricesMissing": {"type": "boolean"},
                    "unpricedSkus": names,
                    "notBilledSkus": names,
                    "note": string,
                }
            ),
            "description": (
                "Over the licences Google holds (removed ones left out). The spend is an "
                "estimate in minor units excluding VAT: annual plans at their total seats, "
                "flexible plans at their assigned users, suspended or pending ones and SKUs "
                "without a price (pricesMissing) not counted."
            ),
        },
    }


def paths(operation: Any, ok: Any, ref: Any, param: Any) -> dict[str, Any]:
    customer = param("customerId")
    base = "/api/v1/customers/{customerId}"
    return {
        f"{base}/sync-status": {
            "get": operation(
                "How fresh the customer's figures are: the sync's last check with Google",
                ok(ref("SyncStatus")),
                [customer],
            )
        },
        f"{base}/licence-summary": {
            "get": operation(
                "SKUs, seats, assigned, vacant and the estimated monthly spend",
                ok(ref("LicenceSummary")),
                [customer],
            )
        },
    }
