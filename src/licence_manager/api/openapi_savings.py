"""The OpenAPI part of savings (api.savings_routes) and the `savings` member of My Licences'
answer. Merged into the document by api.openapi."""

from __future__ import annotations

from typing import Any

from licence_manager.domain.savings import SavingKind

Schema = dict[str, Any]


def schemas(
    obj: Any, ref: Any, nullable: Any, enum: Any, string: Schema, integer: Schema
) -> dict[str, Schema]:
    minor = nullable(integer)
    month = {"type": "string", "pattern": r"^\d{4}-\d{2}$"}
    return {
        "SavingTotal": obj(
            {
                "currency": string,
                "totalMinor": integer,
                "byKind": obj({k.value: integer for k in SavingKind}),
            }
        ),
        "Saving": obj(
            {
                "savingId": string,
                "skuId": string,
                "skuName": string,
                "planName": string,
                "kind": enum(SavingKind),
                "kindLabel": string,
                "seats": integer,
                "months": integer,
                "perSeatMonthlyMinor": minor,
                "amountMinor": minor,
                "currency": nullable(string),
                "at": {"type": "string", "format": "date-time"},
                "detail": string,
                "words": string,
            }
        ),
        "Savings": obj(
            {
                "customerId": string,
                "month": month,
                "timeZone": string,
                "totals": {"type": "array", "items": ref("SavingTotal")},
                "sinceJoined": {"type": "array", "items": ref("SavingTotal")},
                "lines": {"type": "array", "items": ref("Saving")},
                "kinds": {
                    "type": "array",
                    "items": obj(
                        {"kind": enum(SavingKind), "label": string, "explanation": string}
                    ),
                },
                "flexibleCapRule": string,
                "estimate": string,
            }
        ),
        # My Licences' header: this month's figure, from one document.
        "MonthSavings": obj(
            {
                "month": month,
                "totals": {"type": "array", "items": ref("SavingTotal")},
                "words": string,
            }
        ),
    }


def paths(
    operation: Any, ok: Any, ref: Any, param: Any, problem: Any, errors: dict[str, Any]
) -> dict[str, Any]:
    """`errors`: the customer routes' usual errors (401, 403, 404)."""
    return {
        "/api/v1/customers/{customerId}/savings": {
            "get": operation(
                "The customer's savings in a month, valued per plan at their prices: the "
                "month's total by kind and currency, its lines, and the total since they "
                "joined (up to that month)",
                ok(ref("Savings")),
                [
                    param("customerId"),
                    param(
                        "month",
                        "query",
                        {"type": "string", "pattern": r"^\d{4}-\d{2}$"},
                        description="YYYY-MM; default: this month on the customer's clock.",
                    ),
                ],
                errors={**errors, "400": problem("Not a month like 2026-12.")},
            )
        },
        "/api/v1/customers/{customerId}/savings/this-month": {
            "get": operation(
                "This month's savings by currency and kind, on the customer's clock: My "
                "Licences' header figure, from one document",
                ok(ref("MonthSavings")),
                [param("customerId")],
                errors=errors,
            )
        },
    }
