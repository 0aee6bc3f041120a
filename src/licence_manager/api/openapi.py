"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json.

Written by hand next to the routes; tests/api/test_openapi.py checks that it names exactly the
routes the app serves (paths and methods) and that responses match it, and schemathesis runs
generated requests against the app from it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from licence_manager.api import (
    openapi_account,
    openapi_anomaly,
    openapi_channels,
    openapi_freshness,
    openapi_logs,
    openapi_money,
    openapi_outlook,
    openapi_prices,
    openapi_reclaim,
    openapi_renewal,
    openapi_savings,
)
from licence_manager.domain.audit import AuditAction, Source
from licence_manager.domain.notifications import DeliveryStatus, NotificationType
from licence_manager.domain.settings import MAX_SEATS_PER_TOP_UP, MAX_SETTING, TopUpMode
from licence_manager.domain.topup import RequestStatus
from licence_manager.domain.users import Role

openapi = Blueprint("openapi", __name__, url_prefix="/api/v1")

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Schema], required: list[str] | None = None, **extra: Any) -> Schema:
    schema: Schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }
    schema.update(extra)
    return schema


def nullable(schema: Schema) -> Schema:
    if "type" in schema and isinstance(schema["type"], str):
        widened = {**schema, "type": [schema["type"], "null"]}
        if "enum" in schema:  # an enum must list null too, or null still fails it
            widened["enum"] = [*schema["enum"], None]
        return widened
    return {"anyOf": [schema, {"type": "null"}]}


STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
BOOLEAN: Schema = {"type": "boolean"}
DATETIME: Schema = {"type": "string", "format": "date-time"}


def enum(values: Any) -> Schema:
    return {"type": "string", "enum": [v.value for v in values]}


def bounded(minimum: int | None, maximum: int = MAX_SETTING) -> Schema:
    schema: Schema = {"type": "integer", "maximum": maximum}
    if minimum is not None:
        schema["minimum"] = minimum
    return schema


SETTINGS_FIELDS = [
    "lowLicenceAlert",
    "alertVacantAtOrBelow",
    "alertUtilisationAtOrAbove",
    "autoTopUp",
    "topUpWhenVacantBelow",
    "topUpTargetVacant",
    "topUpMode",
    "topUpStep",
    "maxTotalSeats",
    "maxSeatsPerMonth",
    "holdTopUpsWhenReclaimable",
]


SCHEMAS: dict[str, Schema] = {
    "Problem": obj(
        {
            "type": STRING,
            "title": STRING,
            "status": INTEGER,
            "detail": STRING,
            "errors": {
                "type": "object",
                "additionalProperties": STRING,
                "description": "Field name → what is wrong with it, to show next to the field.",
            },
        },
        ["type", "title", "status", "detail"],
    ),
    "Customer": obj(
        {
            "customerId": STRING,
            "customerDomain": STRING,
            "name": STRING,
            "timeZone": STRING,
            "canChange": BOOLEAN,
        }
    ),
    "CustomerPage": obj(
        {
            "customers": {"type": "array", "items": ref("Customer")},
            "nextCursor": nullable(STRING),
        }
    ),
    "Me": obj(
        {
            "email": STRING,
            "name": STRING,
            "role": enum(Role),
            "roleLabel": STRING,
            "customers": {"type": "array", "items": ref("Customer")},
            # The first page of customers; the rest, if any, from GET /customers?cursor=.
            "customersNextCursor": nullable(STRING),
        }
    ),
    "SessionInfo": obj(
        {
            "mode": {"type": "string", "enum": ["local", "firebase"]},
            "demoUsers": {
                "type": "array",
                "items": obj({"email": STRING, "name": STRING, "roleLabel": STRING}),
            },
            "firebase": {"type": "object", "additionalProperties": STRING},
        },
        ["mode"],
    ),
    "SignIn": obj(
        {"email": {"type": "string", "format": "email"}},
        additionalProperties=False,
    ),
    "Session": obj({"token": STRING, "user": ref("Me")}),
    "Settings": obj(
        {
            "lowLicenceAlert": BOOLEAN,
            "alertVacantAtOrBelow": nullable(INTEGER),
            "alertUtilisationAtOrAbove": nullable({"type": "number"}),
            "autoTopUp": BOOLEAN,
            "topUpWhenVacantBelow": INTEGER,
            "topUpTargetVacant": INTEGER,
            "topUpMode": enum(TopUpMode),
            "topUpStep": INTEGER,
            "maxTotalSeats": nullable(INTEGER),
            "maxSeatsPerMonth": nullable(INTEGER),
            "holdTopUpsWhenReclaimable": {
                **nullable(INTEGER),
                "description": (
                    "Reclaim before buying: no automatic top-up while this many seats or more "
                    "can be reclaimed (null: off). Asked again just before Google is asked."
                ),
            },
            "description": {
                "type": "string",
                "description": "What the settings will do, in one sentence (ignored when sent).",
            },
            "worstCaseMonthly": {
                **obj(
                    {
                        "seats": nullable(INTEGER),
                        "estimatedCostMinor": nullable(INTEGER),
                        "currency": nullable(STRING),
                    }
                ),
                "description": (
                    "The settings routes only: the most seats automatic top-ups could add in "
                    "one calendar month under the caps, and that many seats at the customer's "
                    "monthly price per seat (an estimate in minor units, excluding VAT). "
                    "`seats` is null when no cap bounds it (settings saved before a cap was "
                    "required); `estimatedCostMinor` is null then, or when no price is "
                    "set for the SKU and plan (then `currency` is null too)."
                ),
            },
        },
        [*SETTINGS_FIELDS, "description"],
    ),
    "SettingsVersion": obj(
        {
            "version": {
                **nullable(STRING),
                "description": (
                    "The settings routes only: which save these settings are (opaque; null "
                    "when never saved). Send it back with a PUT: if someone saved since, the "
                    "PUT answers 409 and the problem's `current` holds their settings."
                ),
            },
            "updatedBy": nullable(STRING),
            "updatedAt": nullable(DATETIME),
        }
    ),
    "SettingsInput": {
        **obj(
            {
                "lowLicenceAlert": BOOLEAN,
                "alertVacantAtOrBelow": nullable(bounded(0)),
                "alertUtilisationAtOrAbove": nullable({"type": "number"}),
                "autoTopUp": BOOLEAN,
                "topUpWhenVacantBelow": bounded(1),
                "topUpTargetVacant": bounded(None),  # bounds depend on the mode: see below
                "topUpMode": enum(TopUpMode),
                "topUpStep": bounded(None),
                "maxTotalSeats": nullable(bounded(1)),
                "maxSeatsPerMonth": nullable(bounded(1)),
                "holdTopUpsWhenReclaimable": nullable(bounded(1)),
                "description": STRING,
                "worstCaseMonthly": {"type": "object"},
                "version": nullable(STRING),
                "updatedBy": nullable(STRING),
                "updatedAt": nullable(STRING),
            },
            SETTINGS_FIELDS,
        ),
        "description": (
            "Every setting is required (a PUT replaces them all); `description` and "
            "`worstCaseMonthly` are ignored when sent, and so are `updatedBy` and `updatedAt`. "
            "`version`, as the GET answered it, makes the PUT refuse (409) to replace settings "
            "someone saved since; without it the last save wins. Every whole number is at most "
            f"{MAX_SETTING:,}. With automatic top-ups on, the target vacant seats (restore "
            "mode, at least the trigger) or the step (fixed_step mode, at least 1) is at most "
            f"{MAX_SEATS_PER_TOP_UP:,} and at most the licence's current total seats (1 for an "
            "empty licence), and a maximum total or a monthly maximum is required. "
            "Out-of-range values answer 422 naming the field and the limit."
        ),
    },
    "Price": obj(
        {
            "currency": nullable(STRING),
            "perSeatMonthlyMinor": nullable(INTEGER),
            "planExplanation": STRING,
        }
    ),
    "Licence": obj(
        {
            "skuId": STRING,
            "skuName": STRING,
            "planName": STRING,
            "assigned": INTEGER,
            "total": INTEGER,
            "vacant": INTEGER,
            "utilisation": {"type": "number", "minimum": 0, "maximum": 1},
            "status": STRING,
            "updatedAt": DATETIME,
            "settings": ref("Settings"),
            "lowLicenceAlert": BOOLEAN,
            "topUpInProgress": BOOLEAN,
            "automationPaused": BOOLEAN,
            # The anomaly guard's pause of automatic top-ups (issue 14); null: not paused.
            "topUpsPaused": ref("TopUpsPaused"),
            "price": ref("Price"),
            # The SKU's reclaimable seats, from the holder sync (issue 13).
            "reclaim": ref("LicenceReclaim"),
            # The run-out forecast and, for annual plans, the renewal plan (issue 13).
            "forecast": ref("LicenceForecast"),
            "renewal": ref("LicenceRenewal"),
        }
    ),
    "Addition": obj({"seats": {"type": "integer", "minimum": 1}}),
    "SeatRequest": obj(
        {
            "id": STRING,
            "status": enum(RequestStatus),
            "source": enum(Source),
            "seatsToAdd": INTEGER,
            "totalBefore": INTEGER,
            "totalAfter": INTEGER,
            "createdAt": DATETIME,
            "finishedAt": nullable(DATETIME),
            "message": STRING,
        }
    ),
    "Purchase": obj(
        {"skuId": STRING, "planName": STRING, "seats": {"type": "integer", "minimum": 1}},
        additionalProperties=False,
    ),
    "PurchaseRequest": {
        "allOf": [ref("SeatRequest"), obj({"skuId": STRING, "planName": STRING})],
    },
    "Catalogue": obj(
        {
            "plans": {
                "type": "array",
                "items": obj(
                    {
                        "planName": STRING,
                        "label": STRING,
                        "explanation": STRING,
                        "maxSeats": nullable(INTEGER),
                    }
                ),
            },
            "skus": {
                "type": "array",
                "items": obj(
                    {
                        "skuId": STRING,
                        "skuName": STRING,
                        "prices": {
                            "type": "object",
                            "additionalProperties": {"oneOf": [ref("PlanPrice"), {"type": "null"}]},
                            "description": (
                                "Plan name → the price per seat per month (the customer's, "
                                "discount applied), or null when no price is set."
                            ),
                        },
                        "owned": BOOLEAN,
                        "heldOffline": {
                            "type": "boolean",
                            "description": (
                                "Held through an offline order: owned, not managed here, "
                                "and not for sale to this customer (a purchase answers 409)."
                            ),
                        },
                    },
                    ["skuId", "skuName", "prices"],
                ),
            },
        }
    ),
    "LogEntry": obj(
        {
            "id": STRING,
            "at": DATETIME,
            "skuId": STRING,
            "skuName": STRING,
            "action": enum(AuditAction),
            "actionLabel": STRING,
            "source": enum(Source),
            "sourceLabel": STRING,
            "actor": STRING,
            "message": STRING,
            "seatsBefore": nullable(INTEGER),
            "seatsAfter": nullable(INTEGER),
        }
    ),
    "LogPage": obj(
        {
            "entries": {"type": "array", "items": ref("LogEntry")},
            "nextCursor": nullable(STRING),
        }
    ),
    "Notification": obj(
        {
            "id": STRING,
            "type": enum(NotificationType),
            "skuId": STRING,
            "skuName": STRING,
            "createdAt": DATETIME,
            "status": enum(DeliveryStatus),
            "recipients": {"type": "array", "items": STRING},
            "sentAt": nullable(DATETIME),
            "error": nullable(STRING),
            "refusedRecipients": {
                "type": "array",
                "items": STRING,
                "description": "Addresses SendGrid refuses: left out, the others were sent to.",
            },
            "canResend": BOOLEAN,
            "resendOf": nullable(STRING),
            "resentBy": nullable(STRING),
            "resentAs": nullable(STRING),
            "channels": {"type": "array", "items": ref("ChannelDelivery")},
            "recipientOutcomes": {
                "type": "array",
                "items": obj({"email": STRING, "event": STRING, "at": DATETIME, "reason": STRING}),
                "description": "What SendGrid's Event Webhook said of each address.",
            },
        }
    ),
    "Preferences": obj(
        {
            "lowLicences": BOOLEAN,
            "topUpApplied": BOOLEAN,
            "topUpFailed": BOOLEAN,
            "purchaseConfirmed": BOOLEAN,
            "monthEndReport": BOOLEAN,
            "renewalReminder": BOOLEAN,
            "topUpsPaused": BOOLEAN,
            "trialEnding": BOOLEAN,
            "subscriptionStatus": BOOLEAN,
        }
    ),
    "PreferencesInput": {
        **obj(
            {
                "lowLicences": BOOLEAN,
                "topUpApplied": BOOLEAN,
                "topUpFailed": BOOLEAN,
                "purchaseConfirmed": BOOLEAN,
                "monthEndReport": BOOLEAN,
                "renewalReminder": BOOLEAN,
                "topUpsPaused": BOOLEAN,
                "trialEnding": BOOLEAN,
                "subscriptionStatus": BOOLEAN,
            },
            [],
            additionalProperties=False,
        ),
        "description": "Types left out are on.",
    },
    "Recipient": obj(
        {
            "email": STRING,
            "name": STRING,
            "notifications": ref("Preferences"),
            "addressProblem": nullable(STRING),
            "bouncing": nullable(
                obj(
                    {
                        "event": STRING,
                        "at": DATETIME,
                        "reason": STRING,
                        "notificationId": STRING,
                    }
                )
            ),
        }
    ),
    "NewRecipient": obj(
        {
            "email": {"type": "string", "format": "email"},
            "name": STRING,
            "notifications": ref("PreferencesInput"),
        },
        ["email"],
        additionalProperties=False,
    ),
    "RecipientChange": obj(
        {"name": STRING, "notifications": ref("PreferencesInput")}, [], additionalProperties=False
    ),
    # Issue 4's report routes (served by its `reports` blueprint).
    "Report": obj(
        {
            "metrics": obj(
                {
                    "availableLicences": {"type": "number"},
                    "averageUtilisation": nullable({"type": "number"}),
                    "totalTopUps": {"type": "number"},
                    "totalLicencesAdded": {"type": "number"},
                    # Issue 11: totalTopUps is automatic top-ups (the guide's meaning); the
                    # other routes are counted beside it, and every route in the seats added.
                    "manualAdditions": {"type": "number"},
                    "purchases": {"type": "number"},
                    "outsideChanges": {"type": "number"},
                    "licencesAddedBySource": {
                        "type": "object",
                        "additionalProperties": {"type": "number"},
                    },
                },
                ["availableLicences", "averageUtilisation", "totalTopUps", "totalLicencesAdded"],
            ),
            "series": {"type": "array", "items": {"type": "object"}},
            "topUps": {"type": "array", "items": {"type": "object"}},
            "granularity": {"type": "string", "enum": ["day", "week", "month"]},
            # Issue 13: the stored run-out forecast with its 80% band (null: none stored).
            "forecast": ref("ReportForecast"),
        },
        ["metrics", "series", "topUps", "forecast"],
    ),
}


def json_content(schema: Schema) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


PROBLEM = {"application/problem+json": {"schema": ref("Problem")}}


def problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": PROBLEM}


def ok(schema: Schema, description: str = "OK", status: str = "200") -> dict[str, Any]:
    return {status: {"description": description, "content": json_content(schema)}}


def param(name: str, where: str = "path", schema: Schema | None = None, **extra: Any) -> Schema:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "schema": schema or STRING,
        **extra,
    }


CUSTOMER = param("customerId")
SKU = param("skuId")
COMMON_ERRORS = {
    "401": problem("Not signed in, or the sign-in has expired."),
    "403": problem("Signed in, but not allowed to do this."),
}
CUSTOMER_ERRORS = {
    **COMMON_ERRORS,
    "404": problem("No such customer, SKU or item (also when it is another customer's)."),
}


def operation(
    summary: str,
    responses: dict[str, Any],
    parameters: list[Schema] | None = None,
    body: Schema | None = None,
    public: bool = False,
    errors: dict[str, Any] | None = None,
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "responses": {**responses, **(errors if errors is not None else CUSTOMER_ERRORS)},
    }
    if parameters:
        op["parameters"] = parameters
    if body is not None:
        op["requestBody"] = {"required": True, "content": json_content(body)}
    if public:
        op["security"] = []
    else:
        op["responses"].setdefault("429", RATE_LIMITED)
    return op


# Every signed-in call counts against the caller's rate limit (api/rate_limit.py).
RATE_LIMITED = {
    **problem("Too many calls from this user in a short time: try again after Retry-After."),
    "headers": {
        "Retry-After": {
            "description": "Seconds to wait before calling again.",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}


INVALID = {"422": problem("The request body is not valid: `errors` says why per field.")}


def _paths() -> dict[str, Any]:
    licence = "/api/v1/customers/{customerId}/licences/{skuId}"
    return {
        "/api/v1/openapi.json": {
            "get": operation("This document", ok({"type": "object"}), public=True, errors={})
        },
        "/api/v1/session": {
            "get": operation(
                "How to sign in here: the local dev sign-in, or Firebase (Google sign-in)",
                ok(ref("SessionInfo")),
                public=True,
                errors={},
            ),
            "post": operation(
                "Local mode only: sign in as a provisioned (demo) user; the token is sent as "
                "Authorization: Bearer. This route does not exist in production.",
                ok(ref("Session"), "Signed in", "201"),
                body=ref("SignIn"),
                public=True,
                errors={
                    "403": problem("Not a Licence Manager user here."),
                    **INVALID,
                },
            ),
        },
        "/api/v1/me": {
            "get": operation(
                "The signed-in user, their role and the customers they may see",
                ok(ref("Me")),
                errors=COMMON_ERRORS,
            )
        },
        "/api/v1/customers": {
            "get": operation(
                "The customers the signed-in user may see, by domain, a page at a time",
                ok(ref("CustomerPage")),
                [
                    param(
                        "q",
                        "query",
                        {"type": "string", "maxLength": 253},
                        description="Only customers whose domain starts with this.",
                    ),
                    param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 200}),
                    param("cursor", "query", description="nextCursor of the previous page"),
                ],
                errors={**COMMON_ERRORS, "400": problem("Bad q, limit or cursor.")},
            )
        },
        "/api/v1/customers/{customerId}": {
            "get": operation(
                "One customer the signed-in user may see",
                ok(ref("Customer")),
                [CUSTOMER],
            )
        },
        "/api/v1/catalogue": {
            "get": operation(
                "The price catalogue: SKUs, plans and prices per seat per month",
                ok(ref("Catalogue")),
                errors=COMMON_ERRORS,
            )
        },
        "/api/v1/customers/{customerId}/catalogue": {
            "get": operation(
                "The catalogue with the SKUs this customer already has marked `owned`",
                ok(ref("Catalogue")),
                [CUSTOMER],
            )
        },
        "/api/v1/customers/{customerId}/licences": {
            "get": operation(
                "One row per SKU: seats, usage, status, settings, alert and top-up state, price",
                ok({"type": "array", "items": ref("Licence")}),
                [CUSTOMER],
            )
        },
        f"{licence}/settings": {
            "get": operation(
                "Alert and automatic top-up settings of one SKU, with their version",
                ok({"allOf": [ref("Settings"), ref("SettingsVersion")]}),
                [CUSTOMER, SKU],
            ),
            "put": operation(
                "Replace the SKU's settings (audited with the signed-in user); with `version`, "
                "only if nobody saved them since",
                ok({"allOf": [ref("Settings"), ref("SettingsVersion")]}),
                [CUSTOMER, SKU],
                body=ref("SettingsInput"),
                errors={
                    **CUSTOMER_ERRORS,
                    **INVALID,
                    "409": problem(
                        "Someone saved these settings after `version`: `current` holds theirs "
                        "(with their version)."
                    ),
                },
            ),
        },
        f"{licence}/additions": {
            "post": operation(
                "Add seats by hand: applied by apply_topup, exactly once",
                ok(ref("SeatRequest"), "Accepted: follow it at .../additions/{id}", "202"),
                [CUSTOMER, SKU],
                body=ref("Addition"),
                errors={**CUSTOMER_ERRORS, **INVALID},
            )
        },
        f"{licence}/additions/{{requestId}}": {
            "get": operation(
                "Progress of a manual addition",
                ok(ref("SeatRequest")),
                [CUSTOMER, SKU, param("requestId")],
            )
        },
        "/api/v1/customers/{customerId}/purchases": {
            "post": operation(
                "Buy a SKU the customer does not have (Reseller subscriptions.insert), exactly "
                "once",
                ok(ref("SeatRequest"), "Accepted: follow it at .../purchases/{id}", "202"),
                [CUSTOMER],
                body=ref("Purchase"),
                errors={
                    **CUSTOMER_ERRORS,
                    **INVALID,
                    "409": problem("The customer holds this SKU through an offline order."),
                },
            )
        },
        "/api/v1/customers/{customerId}/purchases/{requestId}": {
            "get": operation(
                "Progress of a purchase",
                ok(ref("PurchaseRequest")),
                [CUSTOMER, param("requestId")],
            )
        },
        f"{licence}/report": {
            "get": operation(
                "Usage report of one SKU over a date range (issue 4)",
                ok(ref("Report")),
                [
                    CUSTOMER,
                    SKU,
                    param("from", "query", {"type": "string", "format": "date"}),
                    param("to", "query", {"type": "string", "format": "date"}),
                    param(
                        "granularity",
                        "query",
                        {"type": "string", "enum": ["day", "week", "month"]},
                    ),
                ],
                errors={
                    **CUSTOMER_ERRORS,
                    "400": problem(
                        "Bad dates or granularity, or a date outside 2000-01-01..2100-12-31."
                    ),
                },
            )
        },
        f"{licence}/report.csv": {
            "get": operation(
                "The same usage report as CSV, a row per period (issue 11)",
                {
                    "200": {
                        "description": "OK",
                        "content": {"text/csv": {"schema": {"type": "string"}}},
                    }
                },
                [
                    CUSTOMER,
                    SKU,
                    param("from", "query", {"type": "string", "format": "date"}),
                    param("to", "query", {"type": "string", "format": "date"}),
                    param(
                        "granularity",
                        "query",
                        {"type": "string", "enum": ["day", "week", "month"]},
                    ),
                ],
                errors={
                    **CUSTOMER_ERRORS,
                    "400": problem(
                        "Bad dates or granularity, or a date outside 2000-01-01..2100-12-31."
                    ),
                },
            )
        },
        "/api/v1/customers/{customerId}/additions": {
            "get": operation(
                "Licences added in a month, for the month-end invoice (issue 4); CSV with "
                "Accept: text/csv",
                {
                    "200": {
                        "description": "OK",
                        "content": {
                            **json_content({"type": "object"}),
                            "text/csv": {"schema": {"type": "string"}},
                        },
                    }
                },
                [
                    CUSTOMER,
                    param(
                        "month",
                        "query",
                        {"type": "string", "pattern": r"^\d{4}-\d{2}$"},
                        description="YYYY-MM, from 2000-01 to 2100-12.",
                    ),
                ],
                errors={**CUSTOMER_ERRORS, "400": problem("Bad month, or one outside 2000-2100.")},
            )
        },
        "/api/v1/customers/{customerId}/logs": {
            "get": operation(
                "The audit log, newest first, a page at a time",
                ok(ref("LogPage")),
                [
                    CUSTOMER,
                    param(
                        "skuId",
                        "query",
                        description="One SKU, or `customer` for account changes; all if absent.",
                    ),
                    param("type", "query", enum(AuditAction), description="One event type."),
                    param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 100}),
                    param("cursor", "query", description="nextCursor of the previous page"),
                ],
                errors={**CUSTOMER_ERRORS, "400": problem("Bad type, limit or cursor.")},
            )
        },
        "/api/v1/customers/{customerId}/notifications": {
            "get": operation(
                "Notifications, newest first, with delivery status, a page at a time",
                ok(ref("NotificationPage")),
                [
                    CUSTOMER,
                    param(
                        "problems",
                        "query",
                        {"type": "string", "enum": ["true", "false"]},
                        description=(
                            "true: only those not delivered, unconfirmed or unsent, or whose "
                            "channel message failed or is unconfirmed."
                        ),
                    ),
                    param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 100}),
                    param("cursor", "query", description="nextCursor of the previous page"),
                ],
                errors={**CUSTOMER_ERRORS, "400": problem("Bad problems, limit or cursor.")},
            )
        },
        "/api/v1/customers/{customerId}/recipients": {
            "get": operation(
                "Who receives which notifications",
                ok({"type": "array", "items": ref("Recipient")}),
                [CUSTOMER],
            ),
            "post": operation(
                "Add a recipient",
                ok(ref("Recipient"), "Added", "201"),
                [CUSTOMER],
                body=ref("NewRecipient"),
                errors={
                    **CUSTOMER_ERRORS,
                    **INVALID,
                    "409": problem("Already a recipient."),
                },
            ),
        },
        "/api/v1/customers/{customerId}/recipients/{email}": {
            "put": operation(
                "Change a recipient's name and notification types",
                ok(ref("Recipient")),
                [CUSTOMER, param("email")],
                body=ref("RecipientChange"),
                errors={**CUSTOMER_ERRORS, **INVALID},
            ),
            "delete": operation(
                "Remove a recipient",
                {"204": {"description": "Removed"}},
                [CUSTOMER, param("email")],
            ),
        },
    }


# Routes the document describes that another blueprint serves (issue 4's reports): checked
# against the app like the others once that blueprint is registered.
PROVIDED_ELSEWHERE = {
    "/api/v1/customers/{customerId}/licences/{skuId}/report",
    "/api/v1/customers/{customerId}/additions",
    "/api/v1/customers/{customerId}/licences/{skuId}/report.csv",
}
LOCAL_ONLY = {("/api/v1/session", "post")}


SCHEMAS.update(openapi_money.schemas(obj, ref, nullable, enum, STRING, INTEGER, BOOLEAN))
SCHEMAS.update(openapi_logs.schemas(obj, ref, nullable, STRING))
SCHEMAS.update(openapi_account.schemas(obj))
SCHEMAS.update(openapi_prices.schemas(obj, ref, nullable, STRING, INTEGER))
SCHEMAS.update(openapi_freshness.schemas(obj, nullable, enum, STRING, INTEGER))
SCHEMAS.update(openapi_reclaim.schemas(obj, ref, nullable, enum, STRING, INTEGER))
SCHEMAS.update(openapi_outlook.schemas(obj, ref, nullable, STRING, INTEGER))
SCHEMAS.update(openapi_renewal.schemas(obj, ref, nullable, enum, STRING, INTEGER))
SCHEMAS.update(openapi_savings.schemas(obj, ref, nullable, enum, STRING, INTEGER))
SCHEMAS.update(openapi_anomaly.schemas(obj, nullable, STRING, INTEGER, BOOLEAN, DATETIME))
SCHEMAS.update(openapi_channels.schemas(obj, ref, nullable, enum, STRING))


def document(local_mode: bool = True) -> dict[str, Any]:
    paths = {
        **_paths(),
        **openapi_money.paths(operation, ok, ref, param, problem, CUSTOMER_ERRORS),
        **openapi_logs.paths(operation, ok, ref, param, problem, CUSTOMER_ERRORS),
        **openapi_account.paths(operation, ok, ref, param, problem, CUSTOMER_ERRORS),
        **openapi_prices.paths(operation, ok, ref, param, problem, CUSTOMER_ERRORS),
        **openapi_freshness.paths(operation, ok, ref, param),
        **openapi_reclaim.paths(operation, ok, ref, param, problem, CUSTOMER_ERRORS),
        **openapi_renewal.paths(operation, ok, ref, param, problem, CUSTOMER_ERRORS),
        **openapi_savings.paths(operation, ok, ref, param, problem, CUSTOMER_ERRORS),
        **openapi_anomaly.paths(operation, ok, ref, param, problem, CUSTOMER_ERRORS),
        **openapi_channels.paths(operation, ok, ref, param, problem, CUSTOMER_ERRORS),
    }
    if not local_mode:
        for path, method in LOCAL_ONLY:
            paths[path].pop(method, None)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Licence Manager API",
            "version": "1",
            "description": (
                "The customer dashboard's data API. JSON; errors are RFC 9457 problem details "
                "(application/problem+json). Every route but the public ones needs "
                "`Authorization: Bearer <token>`: a Firebase ID token from Google sign-in in "
                "production, or the local dev sign-in's token (POST /api/v1/session)."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@openapi.get("/openapi.json")
def openapi_json() -> ResponseReturnValue:
    """This API's OpenAPI 3.1 document."""
    return jsonify(document(current_app.config["LOCAL_MODE"]))
