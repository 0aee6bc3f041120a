"""The OpenAPI part of the spending controls: limits, approvals and the emergency stop
(api.approval_routes, api.buying_routes). Merged into the document by api.openapi."""

from __future__ import annotations

from typing import Any

from licence_manager.domain.spending import MAX_LIMIT
from licence_manager.domain.topup import RequestKind

Schema = dict[str, Any]


def schemas(
    obj: Any, ref: Any, nullable: Any, enum: Any, string: Schema, integer: Schema, boolean: Schema
) -> dict[str, Schema]:
    datetime: Schema = {"type": "string", "format": "date-time"}
    limit: Schema = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}
    return {
        "SpendingLimit": obj(
            {
                "customerId": string,
                "maxSeatsPerRequest": integer,
                "maxMonthlyCostMinor": integer,
                "currency": string,
                "spentThisMonthMinor": integer,
                "updatedBy": nullable(string),
                "updatedAt": nullable(datetime),
            }
        ),
        "SpendingLimitInput": {
            **obj(
                {"maxSeatsPerRequest": limit, "maxMonthlyPounds": limit},
                additionalProperties=False,
            ),
            "description": (
                "Seats one manual addition or purchase may add, and its estimated cost a "
                "calendar month in whole pounds, before it needs reseller ops' approval."
            ),
        },
        "Approval": {
            "allOf": [
                ref("SeatRequest"),
                obj(
                    {
                        "customerId": string,
                        "customerName": string,
                        "customerDomain": string,
                        "skuId": string,
                        "skuName": string,
                        "planName": string,
                        "kind": enum(RequestKind),
                        "requestedBy": string,
                        "estimatedMonthlyCostMinor": nullable(integer),
                        "currency": nullable(string),
                        "expiresAt": datetime,
                    }
                ),
            ]
        },
        "Approvals": obj({"approvals": {"type": "array", "items": ref("Approval")}}),
        "Decision": obj(
            {
                "decision": {"type": "string", "enum": ["approve", "decline"]},
                "note": {"type": "string", "maxLength": 500},
            },
            ["decision"],
            additionalProperties=False,
        ),
        "Buying": obj(
            {
                "paused": boolean,
                "reason": string,
                "changedBy": nullable(string),
                "changedAt": nullable(datetime),
            }
        ),
        "BuyingInput": obj(
            {"paused": boolean, "reason": {"type": "string", "maxLength": 500}},
            ["paused"],
            additionalProperties=False,
        ),
    }


def paths(
    operation: Any, ok: Any, ref: Any, param: Any, problem: Any, errors: dict[str, Any]
) -> dict[str, Any]:
    """`errors`: the customer routes' usual errors (401, 403, 404)."""
    invalid = {"422": problem("The request body is not valid: `errors` says why per field.")}
    ops_only = {
        "401": errors["401"],
        "403": problem("Only reseller operations may do this."),
    }
    customer = param("customerId")
    return {
        "/api/v1/customers/{customerId}/spending-limit": {
            "get": operation(
                "The customer's spending limits and this month's estimate so far",
                ok(ref("SpendingLimit")),
                [customer],
            ),
            "put": operation(
                "Reseller ops set the spending limits (above them a request waits for approval)",
                ok(ref("SpendingLimit")),
                [customer],
                body=ref("SpendingLimitInput"),
                errors={**errors, **invalid},
            ),
        },
        "/api/v1/approvals": {
            "get": operation(
                "Requests above a customer's spending limit waiting for approval, oldest first",
                ok(ref("Approvals")),
                errors=ops_only,
            )
        },
        "/api/v1/approvals/{requestId}": {
            "post": operation(
                "Approve (apply_topup then carries it out) or decline (it fails, with an email)",
                ok(ref("Approval")),
                [param("requestId")],
                body=ref("Decision"),
                errors={
                    **ops_only,
                    "404": problem("No such request."),
                    "409": problem("The request is no longer awaiting approval."),
                    **invalid,
                },
            )
        },
        "/api/v1/buying": {
            "get": operation(
                "Whether buying is paused for every customer (the emergency stop)",
                ok(ref("Buying")),
                errors={"401": errors["401"], "403": errors["403"]},
            ),
            "put": operation(
                "Pause (with a reason) or resume all buying",
                ok(ref("Buying")),
                body=ref("BuyingInput"),
                errors={**ops_only, **invalid},
            ),
        },
    }
