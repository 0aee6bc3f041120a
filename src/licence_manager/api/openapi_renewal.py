"""The OpenAPI part of the renewal planner (api.renewal_routes). Merged into the document by
api.openapi."""

from __future__ import annotations

from typing import Any

from licence_manager.domain.topup import RequestStatus

Schema = dict[str, Any]


def schemas(
    obj: Any, ref: Any, nullable: Any, enum: Any, string: Schema, integer: Schema
) -> dict[str, Schema]:
    # Renewal types are an open string: Google adds values, shown as they are.
    return {
        "RenewalChange": obj(
            {
                "id": string,
                "status": enum(RequestStatus),
                "renewalType": string,
                "renewalLabel": string,
                "renewalTypeBefore": string,
                "requestedBy": string,
                "createdAt": {"type": "string", "format": "date-time"},
                "finishedAt": nullable({"type": "string", "format": "date-time"}),
                "message": string,
            }
        ),
        "Renewal": obj(
            {
                "skuId": string,
                "skuName": string,
                "planName": string,
                "total": integer,
                "assigned": integer,
                "renewalType": string,
                "renewalLabel": string,
                "renewsOn": nullable({"type": "string", "format": "date"}),
                "daysLeft": nullable(integer),
                "recommendedSeats": nullable(integer),
                "recommendation": string,
                "warning": string,
                "choices": {
                    "type": "array",
                    "items": obj({"renewalType": string, "label": string}),
                },
                "inProgress": nullable(ref("RenewalChange")),
            }
        ),
        "RenewalChangeInput": obj(
            {
                "renewalType": string,
                "requestId": {"type": "string", "pattern": "^[A-Za-z0-9-]{8,64}$"},
            },
            ["renewalType", "requestId"],
            additionalProperties=False,
        ),
    }


def paths(
    operation: Any, ok: Any, ref: Any, param: Any, problem: Any, errors: dict[str, Any]
) -> dict[str, Any]:
    """`errors`: the customer routes' usual errors (401, 403, 404)."""
    renewal = "/api/v1/customers/{customerId}/licences/{skuId}/renewal"
    where = [param("customerId"), param("skuId")]
    return {
        renewal: {
            "get": operation(
                "An annual licence's renewal: the date, days left, the renewal setting, the "
                "seats recommended and the warning when the setting re-commits more; the "
                "settings that may be chosen (none unless annual)",
                ok(ref("Renewal")),
                where,
            ),
            "post": operation(
                "Change the renewal setting (Reseller changeRenewalSettings), exactly once: "
                "requestId is the client's idempotency key, and the same one again answers "
                "the same request (200) instead of a second change",
                {
                    **ok(ref("RenewalChange"), "Accepted: follow it at .../renewal/{id}", "202"),
                    **ok(ref("RenewalChange"), "Asked before with this requestId"),
                },
                where,
                body=ref("RenewalChangeInput"),
                errors={
                    **errors,
                    "409": problem("This requestId was used for another change."),
                    "422": problem(
                        "Not a setting this plan may be given here, or a bad requestId: "
                        "`errors.renewalType` / `errors.requestId` says why."
                    ),
                },
            ),
        },
        f"{renewal}/{{requestId}}": {
            "get": operation(
                "Progress of a renewal change: PENDING, CLAIMED, then APPLIED, FAILED or "
                "SUPERSEDED",
                ok(ref("RenewalChange")),
                [*where, param("requestId")],
            )
        },
    }
