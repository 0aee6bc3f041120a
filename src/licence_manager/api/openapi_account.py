"""The OpenAPI part of a customer's account settings (api.account_routes): the time zone.
Merged into the document by api.openapi."""

from __future__ import annotations

from typing import Any

from licence_manager.domain.time_zones import MAX_NAME_LENGTH

Schema = dict[str, Any]

ZONE: Schema = {
    "type": "string",
    "maxLength": MAX_NAME_LENGTH,
    "description": "An IANA time zone name, such as Europe/London or America/New_York.",
}


def schemas(obj: Any) -> dict[str, Schema]:
    return {
        "TimeZone": obj(
            {"customerId": {"type": "string"}, "timeZone": ZONE, "canChange": {"type": "boolean"}}
        ),
        "TimeZoneInput": obj({"timeZone": ZONE}, additionalProperties=False),
    }


def paths(
    operation: Any, ok: Any, ref: Any, param: Any, problem: Any, errors: dict[str, Any]
) -> dict[str, Any]:
    """`errors`: the customer routes' usual errors (401, 403, 404)."""
    invalid = {"422": problem("Not a time zone we know: `errors.timeZone` says why.")}
    return {
        "/api/v1/customers/{customerId}/time-zone": {
            "get": operation(
                "The customer's time zone: the calendar of their reports, logs and month-end",
                ok(ref("TimeZone")),
                [param("customerId")],
            ),
            "put": operation(
                "Move the customer to another time zone (customer admins and reseller ops; "
                "audit-logged with before and after)",
                ok(ref("TimeZone")),
                [param("customerId")],
                body=ref("TimeZoneInput"),
                errors={**errors, **invalid},
            ),
        }
    }
