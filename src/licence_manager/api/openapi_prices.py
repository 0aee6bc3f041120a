"""The OpenAPI part of the reseller's price list (api.price_routes). Merged into the document by
api.openapi."""

from __future__ import annotations

from typing import Any

from licence_manager.domain.catalogue import PLANS
from licence_manager.domain.price_input import MAX_PER_SEAT_MINOR

Schema = dict[str, Any]


def schemas(
    obj: Any, ref: Any, nullable: Any, string: Schema, integer: Schema
) -> dict[str, Schema]:
    datetime: Schema = {"type": "string", "format": "date-time"}
    minor: Schema = {
        "type": "integer",
        "minimum": 0,
        "maximum": MAX_PER_SEAT_MINOR,
        "description": "Per seat per month in the currency's minor unit (pence), excluding VAT.",
    }
    currency: Schema = {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217"}
    percent: Schema = {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 100}
    return {
        "PlanPrice": obj({"perSeatMonthlyMinor": integer, "currency": string}),
        "ListPrice": obj(
            {
                "skuId": string,
                "skuName": string,
                "planName": {"type": "string", "enum": list(PLANS)},
                "currency": string,
                "perSeatMonthlyMinor": integer,
                "updatedAt": nullable(datetime),
                "updatedBy": nullable(string),
            }
        ),
        "PriceInput": {
            **obj(
                {"currency": currency, "perSeatMonthlyMinor": minor, "skuName": string},
                ["currency", "perSeatMonthlyMinor"],
                additionalProperties=False,
            ),
            "description": (
                "`skuName` is needed only for a SKU the catalogue does not list. Every figure "
                "the dashboard shows from a price is an estimate, excluding VAT."
            ),
        },
        "Discount": obj(
            {
                "customerId": string,
                "percent": percent,
                "updatedAt": nullable(datetime),
                "updatedBy": nullable(string),
            }
        ),
        "DiscountInput": {
            **obj({"percent": percent}, additionalProperties=False),
            "description": "Percent off every list price, at most two decimals; each price per "
            "seat is rounded half up to a whole minor unit.",
        },
        "PriceChange": obj(
            {
                "id": string,
                "kind": {"type": "string", "enum": ["price", "discount"]},
                "subject": string,
                "before": string,
                "after": string,
                "by": string,
                "at": datetime,
            }
        ),
        "PriceList": obj(
            {
                "prices": {"type": "array", "items": ref("ListPrice")},
                "discounts": {"type": "array", "items": ref("Discount")},
                "changes": {"type": "array", "items": ref("PriceChange")},
            },
            ["prices", "discounts"],
        ),
    }


def paths(
    operation: Any, ok: Any, ref: Any, param: Any, problem: Any, errors: dict[str, Any]
) -> dict[str, Any]:
    """`errors`: the customer routes' usual errors (401, 403, 404)."""
    invalid = {"422": problem("The request body is not valid: `errors` says why per field.")}
    ops_only = {"401": errors["401"], "403": problem("Only reseller operations may do this.")}
    price = [param("skuId"), param("planName")]
    customer = [param("customerId")]
    removed = {"204": {"description": "Removed"}}
    return {
        "/api/v1/prices": {
            "get": operation(
                "The reseller's list prices, the discounts of the customers you may see, and "
                "(reseller ops) the latest changes",
                ok(ref("PriceList")),
                errors={"401": errors["401"], "403": errors["403"]},
            )
        },
        "/api/v1/prices/{skuId}/{planName}": {
            "put": operation(
                "Reseller ops set the price of a SKU on a plan (the change is recorded)",
                ok(ref("ListPrice")),
                price,
                body=ref("PriceInput"),
                errors={**ops_only, **invalid},
            ),
            "delete": operation(
                'Reseller ops remove a price: the SKU shows "No price set" on that plan',
                removed,
                price,
                errors={**ops_only, "404": problem("No price is set for that SKU and plan.")},
            ),
        },
        "/api/v1/customers/{customerId}/price-discount": {
            "put": operation(
                "Reseller ops set the customer's discount off every list price",
                ok(ref("Discount")),
                customer,
                body=ref("DiscountInput"),
                errors={**errors, **invalid},
            ),
            "delete": operation(
                "Reseller ops clear the customer's discount", removed, customer, errors=errors
            ),
        },
    }
