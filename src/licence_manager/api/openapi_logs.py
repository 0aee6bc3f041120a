"""The OpenAPI part of the log export and of sending an email again (api.log_routes,
api.notification_routes). Merged into the document by api.openapi."""

from __future__ import annotations

from typing import Any

from licence_manager.domain.audit import AuditAction

Schema = dict[str, Any]


def schemas(obj: Any, ref: Any, nullable: Any, string: Schema) -> dict[str, Schema]:
    return {
        "NotificationPage": obj(
            {
                "notifications": {"type": "array", "items": ref("Notification")},
                "nextCursor": nullable(string),
            }
        ),
    }


def paths(
    operation: Any, ok: Any, ref: Any, param: Any, problem: Any, errors: dict[str, Any]
) -> dict[str, Any]:
    """`errors`: the customer routes' usual errors (401, 403, 404)."""
    customer = param("customerId")
    types = {"type": "string", "enum": [a.value for a in AuditAction]}
    return {
        "/api/v1/customers/{customerId}/logs.csv": {
            "get": operation(
                "The whole audit log under the same filter as CSV (newest first, times in the "
                "customer's time zone), as an attachment named after the customer and the date",
                {
                    "200": {
                        "description": "OK",
                        "content": {"text/csv": {"schema": {"type": "string"}}},
                    }
                },
                [
                    customer,
                    param(
                        "skuId",
                        "query",
                        description="One SKU, or `customer` for account changes; all if absent.",
                    ),
                    param("type", "query", types, description="One event type."),
                ],
                errors={**errors, "400": problem("Bad type.")},
            )
        },
        "/api/v1/customers/{customerId}/notifications/{notificationId}/resend": {
            "post": operation(
                "Send a failed or unconfirmed email again as a new notification (recipients "
                "may receive it twice); audited as NOTIFICATION_RESENT with the signed-in user",
                {
                    **ok(ref("Notification"), "Sent again: the new notification", "201"),
                    **ok(
                        ref("Notification"),
                        "Already sent again and not failed since: that resend, nothing new sent",
                    ),
                },
                [customer, param("notificationId")],
                errors={
                    **errors,
                    "409": problem("Delivered, or already sent again too many times."),
                },
            )
        },
    }
