"""The OpenAPI part of reclaimable seats (api.reclaim_routes) and the `reclaim` member My
Licences' rows carry. Merged into the document by api.openapi."""

from __future__ import annotations

from typing import Any

from licence_manager.domain.insights import HoldersStatus
from licence_manager.domain.reclaim import (
    MAX_INACTIVE_DAYS,
    MIN_INACTIVE_DAYS,
    ActionKind,
    ReclaimReason,
)
from licence_manager.domain.reclaim_summary import ReclaimEffect
from licence_manager.domain.topup import RequestStatus

Schema = dict[str, Any]


def schemas(
    obj: Any, ref: Any, nullable: Any, enum: Any, string: Schema, integer: Schema
) -> dict[str, Schema]:
    days = {"type": "integer", "minimum": MIN_INACTIVE_DAYS, "maximum": MAX_INACTIVE_DAYS}
    minor = nullable(integer)
    return {
        # My Licences' rows: null before the holder sync ever ran for the customer.
        "LicenceReclaim": nullable(
            obj(
                {
                    "status": enum(HoldersStatus),
                    "notice": nullable(string),
                    "count": nullable(integer),
                    "effect": nullable(enum(ReclaimEffect)),
                    "monthlyCostMinor": minor,
                    "currency": nullable(string),
                    "words": nullable(string),
                }
            )
        ),
        "ReclaimSummary": obj(
            {
                "skuId": string,
                "skuName": string,
                "planName": string,
                "effect": enum(ReclaimEffect),
                "count": integer,
                "byReason": obj({r.value: integer for r in ReclaimReason}),
                "perSeatMonthlyMinor": minor,
                "currency": nullable(string),
                "monthlyCostMinor": minor,
                "savesPerMonthMinor": minor,
                "freesSeats": integer,
                "words": string,
            }
        ),
        "ReclaimableHolder": obj(
            {
                "email": string,
                "userId": string,
                "skuId": string,
                "skuName": string,
                "productId": string,
                "reason": enum(ReclaimReason),
                "reasonLabel": string,
                "lastSeen": nullable({"type": "string", "format": "date-time"}),
                "activityAsOf": nullable({"type": "string", "format": "date"}),
                "daysWithoutActivity": nullable(integer),
                "perSeatMonthlyMinor": minor,
                "currency": nullable(string),
                "billing": string,
                "action": obj({"kind": enum(ActionKind), "instruction": string, "link": string}),
            }
        ),
        "Reclaim": obj(
            {
                "customerId": string,
                "holdersStatus": nullable(enum(HoldersStatus)),
                "notice": nullable(string),
                "syncedAt": nullable({"type": "string", "format": "date-time"}),
                "countedWithInactiveDays": nullable(integer),
                "inactiveDays": days,
                "summaries": {"type": "array", "items": ref("ReclaimSummary")},
                "holders": {"type": "array", "items": ref("ReclaimableHolder")},
                "nextCursor": nullable(string),
            }
        ),
        "ReclaimPolicy": obj(
            {
                "customerId": string,
                "inactiveDays": days,
                "defaultInactiveDays": integer,
                "minInactiveDays": integer,
                "maxInactiveDays": integer,
                "changedBy": nullable(string),
                "changedAt": nullable({"type": "string", "format": "date-time"}),
                "countedWithInactiveDays": nullable(integer),
                "canChange": {"type": "boolean"},
            }
        ),
        "ReclaimPolicyInput": obj({"inactiveDays": days}, additionalProperties=False),
        "Unassign": obj(
            {
                "id": string,
                "status": enum(RequestStatus),
                "skuId": string,
                "email": string,
                "userId": string,
                "planName": string,
                "requestedBy": string,
                "createdAt": {"type": "string", "format": "date-time"},
                "finishedAt": nullable({"type": "string", "format": "date-time"}),
                "message": string,
            }
        ),
        "UnassignInput": obj(
            {
                "skuId": {"type": "string", "maxLength": 320},
                "email": {"type": "string", "maxLength": 320},
                "userId": {"type": "string", "maxLength": 320},
                "requestId": {"type": "string", "pattern": "^[A-Za-z0-9-]{8,64}$"},
            },
            ["skuId", "email", "requestId"],
            additionalProperties=False,
        ),
    }


def paths(
    operation: Any, ok: Any, ref: Any, param: Any, problem: Any, errors: dict[str, Any]
) -> dict[str, Any]:
    """`errors`: the customer routes' usual errors (401, 403, 404)."""
    customer = param("customerId")
    sku = param("skuId", "query", description="One SKU's reclaimable seats only.")
    bad = {"400": problem("Bad limit, cursor or skuId.")}
    return {
        "/api/v1/customers/{customerId}/reclaim": {
            "get": operation(
                "Each SKU's reclaimable seats with what they cost on its plan, and a page of "
                "the reclaimable users with the reason, last activity and what an admin can do",
                ok(ref("Reclaim")),
                [
                    customer,
                    param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 100}),
                    param("cursor", "query", description="The previous page's nextCursor."),
                    sku,
                ],
                errors={**errors, **bad},
            )
        },
        "/api/v1/customers/{customerId}/reclaim.csv": {
            "get": operation(
                "Every reclaimable seat as CSV (spreadsheet formulas neutralised), as an "
                "attachment named after the customer's domain and the date",
                {
                    "200": {
                        "description": "OK",
                        "content": {"text/csv": {"schema": {"type": "string"}}},
                    }
                },
                [customer, sku],
                errors={**errors, **bad},
            )
        },
        "/api/v1/customers/{customerId}/reclaim/unassign": {
            "post": operation(
                "Unassign a reclaimable add-on seat (Licensing licenseAssignments.delete), "
                "exactly once: requestId is the client's idempotency key, and the same one "
                "again answers the same request (200) instead of a second",
                {
                    **ok(ref("Unassign"), "Accepted: follow it at .../unassign/{id}", "202"),
                    **ok(ref("Unassign"), "Asked before with this requestId"),
                },
                [customer],
                body=ref("UnassignInput"),
                errors={
                    **errors,
                    "409": problem("This requestId was used for another change."),
                    "422": problem(
                        "Not a reclaimable seat Licence Manager may unassign (in use, or "
                        "assigned automatically), or a bad field: `errors` says which."
                    ),
                },
            )
        },
        "/api/v1/customers/{customerId}/reclaim/unassign/{requestId}": {
            "get": operation(
                "Progress of an unassign: PENDING, CLAIMED, then APPLIED or FAILED",
                ok(ref("Unassign")),
                [customer, param("requestId")],
            )
        },
        "/api/v1/customers/{customerId}/reclaim-policy": {
            "get": operation(
                "How many days without activity make a seat reclaimable",
                ok(ref("ReclaimPolicy")),
                [customer],
            ),
            "put": operation(
                "Change the days (customer admins and reseller ops; audit-logged with before "
                "and after); the list follows from the next daily check",
                ok(ref("ReclaimPolicy")),
                [customer],
                body=ref("ReclaimPolicyInput"),
                errors={
                    **errors,
                    "422": problem("Not 7 to 365 whole days: `errors.inactiveDays` says why."),
                },
            ),
        },
    }
