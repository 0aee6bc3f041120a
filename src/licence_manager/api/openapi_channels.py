"""The OpenAPI part of alert channels (api.channel_routes). Merged into the document by
api.openapi."""

from __future__ import annotations

from typing import Any

from licence_manager.domain.channels import ChannelKind
from licence_manager.domain.notifications import DeliveryStatus

Schema = dict[str, Any]


def schemas(obj: Any, ref: Any, nullable: Any, enum: Any, string: Schema) -> dict[str, Schema]:
    return {
        "Channel": obj(
            {
                "id": string,
                "kind": enum(ChannelKind),
                "name": string,
                "urlMasked": {**string, "description": "The URL is a secret: never answered."},
                "notifications": ref("Preferences"),
                "signingSecret": {
                    **string,
                    "description": "A webhook's HMAC key (docs/webhooks.md): in the answer "
                    "that creates it only.",
                },
            },
            ["id", "kind", "name", "urlMasked", "notifications"],
        ),
        "NewChannel": obj(
            {
                "kind": enum(ChannelKind),
                "name": string,
                "url": string,
                "notifications": ref("PreferencesInput"),
            },
            ["kind", "name", "url"],
            additionalProperties=False,
        ),
        "ChannelChange": obj(
            {"name": string, "notifications": ref("PreferencesInput")},
            [],
            additionalProperties=False,
        ),
        "ChannelTest": obj({"result": string, "message": string}),
        "ChannelDelivery": obj(
            {
                "channelId": string,
                "status": enum(DeliveryStatus),
                "sentAt": nullable({"type": "string", "format": "date-time"}),
                "error": nullable(string),
                "batchSize": {"type": "integer"},
            }
        ),
    }


def obj_events() -> Schema:
    count = {"type": "integer", "minimum": 0}
    return {
        "type": "object",
        "properties": {"events": count, "notifications": count},
        "required": ["events", "notifications"],
    }


def paths(
    operation: Any, ok: Any, ref: Any, param: Any, problem: Any, customer_errors: Any
) -> dict[str, Any]:
    customer = param("customerId")
    channel = param("channelId")
    base = "/api/v1/customers/{customerId}/channels"
    invalid = {"422": problem("The request body is not valid: `errors` says why per field.")}
    return {
        "/api/v1/sendgrid/events": {
            "post": operation(
                "SendGrid's Event Webhook (signed with ECDSA; public, the signature "
                "authenticates it): delivered, bounce, dropped and spam reports",
                ok(obj_events()),
                body={"type": "array", "items": {"type": "object"}},
                public=True,
                errors={
                    "400": problem("Not a JSON array of events."),
                    "401": problem("Not signed by SendGrid."),
                    "503": problem("No verification key configured."),
                },
            )
        },
        base: {
            "get": operation(
                "The customer's alert channels (Chat, Slack, webhooks), URLs masked",
                ok({"type": "array", "items": ref("Channel")}),
                [customer],
            ),
            "post": operation(
                "Add an alert channel",
                ok(ref("Channel"), "Added", "201"),
                [customer],
                body=ref("NewChannel"),
                errors={**customer_errors, **invalid, "409": problem("Too many channels.")},
            ),
        },
        f"{base}/{{channelId}}": {
            "put": operation(
                "Rename a channel or change its notification types",
                ok(ref("Channel")),
                [customer, channel],
                body=ref("ChannelChange"),
                errors={**customer_errors, **invalid},
            ),
            "delete": operation(
                "Remove a channel", {"204": {"description": "Removed"}}, [customer, channel]
            ),
        },
        f"{base}/{{channelId}}/test": {
            "post": operation(
                "Post a test message to the channel now",
                ok(ref("ChannelTest")),
                [customer, channel],
                errors={
                    **customer_errors,
                    "502": problem("The channel refused the message."),
                    "503": problem("Rate limited or unreachable: try again shortly."),
                    "504": problem("No clear answer: it may have been posted."),
                },
            )
        },
    }
