"""The OpenAPI part of the anomaly guard (api.anomaly_routes) and the `topUpsPaused` member My
Licences' rows carry. Merged into the document by api.openapi."""

from __future__ import annotations

from typing import Any

from licence_manager.domain.anomaly import MAX_MIN_USERS

Schema = dict[str, Any]


def schemas(
    obj: Any, nullable: Any, string: Schema, integer: Schema, boolean: Schema, datetime: Schema
) -> dict[str, Schema]:
    users = {"type": "integer", "minimum": 1, "maximum": MAX_MIN_USERS}
    percent = {"type": "integer", "minimum": 1, "maximum": 100}
    pause = obj(
        {
            "pausedAt": datetime,
            "pausedBy": string,
            "reason": string,
            "rise": integer,
            "assignedFrom": integer,
            "assignedTo": integer,
            "since": datetime,
            "words": string,
        }
    )
    return {
        "TopUpsPaused": nullable(pause),
        "TopUpsResumed": obj({"resumed": boolean, "pause": pause}),
        "AnomalyPolicy": obj(
            {
                "customerId": string,
                "minUsers": users,
                "minPercent": percent,
                "maxMinUsers": integer,
                "changedBy": string,
                "changedAt": nullable(datetime),
                "canChange": boolean,
            }
        ),
        "AnomalyPolicyInput": obj(
            {"minUsers": users, "minPercent": percent}, additionalProperties=False
        ),
    }


def paths(
    operation: Any, ok: Any, ref: Any, param: Any, problem: Any, errors: dict[str, Any]
) -> dict[str, Any]:
    customer = param("customerId")
    return {
        "/api/v1/customers/{customerId}/licences/{skuId}/resume-top-ups": {
            "post": operation(
                "Resume the SKU's automatic top-ups paused by the anomaly guard (customer "
                "admins and reseller ops; audit-logged); the licence is evaluated at once",
                ok(ref("TopUpsResumed")),
                [customer, param("skuId")],
                errors={**errors, "409": problem("Automatic top-ups of this SKU are not paused.")},
            )
        },
        "/api/v1/customers/{customerId}/anomaly-policy": {
            "get": operation(
                "The rise in assignments within an hour that pauses a licence's automatic "
                "top-ups: more than minUsers and more than minPercent of its seats",
                ok(ref("AnomalyPolicy")),
                [customer],
            ),
            "put": operation(
                "Change the thresholds (customer admins and reseller ops; audit-logged with "
                "before and after); they judge the next recording",
                ok(ref("AnomalyPolicy")),
                [customer],
                body=ref("AnomalyPolicyInput"),
                errors={
                    **errors,
                    "422": problem("Not whole numbers in range: `errors` says why per field."),
                },
            ),
        },
    }
