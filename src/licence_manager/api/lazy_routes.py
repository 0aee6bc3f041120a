"""The api's routes that load on first use (cold start, docs/performance.md).

Every function instance starts cold, and the api's first request is nearly always signing in and
My Licences. The other pages' route modules, and what they import (reports, the month-end
figures, the OpenAPI document, prices, purchases, approvals, logs, reclaimable seats), are
imported when one of their routes is first called, not when the app is built. Their URL rules
are declared here, so Flask matches them (and `authorize` sees the customer in the path) before
the module is loaded; each module's own Blueprint stays the declaration its views are written
against, and tests/api/test_lazy_routes.py fails when the two disagree.

Adding a route to one of these modules: add its line below too (the test names the missing one).
"""

from __future__ import annotations

import importlib
from typing import Any

from flask import Flask

V1 = "/api/v1"
CUSTOMER = f"{V1}/customers/<customer_id>"

# (module in licence_manager.api, its blueprint's name): its routes as (method, rule, view name)
DEFERRED_ROUTES: dict[tuple[str, str], tuple[tuple[str, str, str], ...]] = {
    ("account_routes", "account"): (
        ("GET", f"{CUSTOMER}/time-zone", "get_time_zone"),
        ("PUT", f"{CUSTOMER}/time-zone", "put_time_zone"),
    ),
    ("anomaly_routes", "anomaly"): (
        ("POST", f"{CUSTOMER}/licences/<sku_id>/resume-top-ups", "resume_licence_top_ups"),
        ("GET", f"{CUSTOMER}/anomaly-policy", "get_anomaly_policy"),
        ("PUT", f"{CUSTOMER}/anomaly-policy", "put_anomaly_policy"),
    ),
    ("approval_routes", "approvals"): (
        ("GET", f"{CUSTOMER}/spending-limit", "get_spending_limit"),
        ("PUT", f"{CUSTOMER}/spending-limit", "put_spending_limit"),
        ("GET", f"{V1}/approvals", "list_approvals"),
        ("POST", f"{V1}/approvals/<request_id>", "decide"),
    ),
    ("automation_routes", "automation"): (
        ("GET", f"{CUSTOMER}/licences/<sku_id>/settings", "get_settings"),
        ("PUT", f"{CUSTOMER}/licences/<sku_id>/settings", "put_settings"),
        ("POST", f"{CUSTOMER}/licences/<sku_id>/additions", "add_licences"),
        ("GET", f"{CUSTOMER}/licences/<sku_id>/additions/<request_id>", "get_addition"),
    ),
    ("buying_routes", "buying"): (
        ("GET", f"{V1}/buying", "get_buying"),
        ("PUT", f"{V1}/buying", "put_buying"),
    ),
    ("channel_routes", "channels"): (
        ("GET", f"{CUSTOMER}/channels", "list_channels"),
        ("POST", f"{CUSTOMER}/channels", "add_channel"),
        ("PUT", f"{CUSTOMER}/channels/<channel_id>", "update_channel"),
        ("DELETE", f"{CUSTOMER}/channels/<channel_id>", "delete_channel"),
        ("POST", f"{CUSTOMER}/channels/<channel_id>/test", "test_channel"),
    ),
    ("email_event_routes", "email_events"): (("POST", f"{V1}/sendgrid/events", "receive_events"),),
    ("freshness_routes", "freshness"): (
        ("GET", f"{CUSTOMER}/sync-status", "sync_status"),
        ("GET", f"{CUSTOMER}/licence-summary", "licence_summary"),
    ),
    ("log_routes", "logs"): (
        ("GET", f"{CUSTOMER}/logs", "list_logs"),
        ("GET", f"{CUSTOMER}/logs.csv", "export_logs"),
        ("GET", f"{CUSTOMER}/recipients", "list_recipients"),
        ("POST", f"{CUSTOMER}/recipients", "add_recipient"),
        ("PUT", f"{CUSTOMER}/recipients/<email>", "update_recipient"),
        ("DELETE", f"{CUSTOMER}/recipients/<email>", "delete_recipient"),
    ),
    ("notification_routes", "notification_routes"): (
        ("GET", f"{CUSTOMER}/notifications", "list_notifications"),
        ("POST", f"{CUSTOMER}/notifications/<notification_id>/resend", "resend_notification"),
    ),
    ("openapi", "openapi"): (("GET", f"{V1}/openapi.json", "openapi_json"),),
    ("price_routes", "prices"): (
        ("GET", f"{V1}/prices", "list_prices"),
        ("PUT", f"{V1}/prices/<sku_id>/<plan_name>", "put_price"),
        ("DELETE", f"{V1}/prices/<sku_id>/<plan_name>", "delete_price"),
        ("PUT", f"{CUSTOMER}/price-discount", "put_discount"),
        ("DELETE", f"{CUSTOMER}/price-discount", "delete_discount"),
    ),
    ("purchase_routes", "purchases"): (
        ("GET", f"{V1}/catalogue", "catalogue"),
        ("GET", f"{CUSTOMER}/catalogue", "customer_catalogue"),
        ("POST", f"{CUSTOMER}/purchases", "purchase"),
        ("GET", f"{CUSTOMER}/purchases/<request_id>", "get_purchase"),
    ),
    ("reclaim_routes", "reclaim"): (
        ("GET", f"{CUSTOMER}/reclaim", "get_reclaim"),
        ("GET", f"{CUSTOMER}/reclaim.csv", "export_reclaim"),
        ("GET", f"{CUSTOMER}/reclaim-policy", "get_reclaim_policy"),
        ("PUT", f"{CUSTOMER}/reclaim-policy", "put_reclaim_policy"),
    ),
    ("renewal_routes", "renewal"): (
        ("GET", f"{CUSTOMER}/licences/<sku_id>/renewal", "get_renewal"),
        ("POST", f"{CUSTOMER}/licences/<sku_id>/renewal", "change_renewal"),
        ("GET", f"{CUSTOMER}/licences/<sku_id>/renewal/<request_id>", "get_renewal_change"),
    ),
    ("unassign_routes", "unassign"): (
        ("POST", f"{CUSTOMER}/reclaim/unassign", "unassign_seat"),
        ("GET", f"{CUSTOMER}/reclaim/unassign/<request_id>", "get_unassign"),
    ),
    ("savings_routes", "savings"): (
        ("GET", f"{CUSTOMER}/savings", "get_savings"),
        ("GET", f"{CUSTOMER}/savings/this-month", "get_month_savings"),
    ),
    ("report_routes", "reports"): (
        ("GET", f"{CUSTOMER}/licences/<sku_id>/report", "licence_report"),
        ("GET", f"{CUSTOMER}/licences/<sku_id>/report.csv", "licence_report_csv"),
        ("GET", f"{CUSTOMER}/additions", "month_additions"),
    ),
}


class LazyView:
    """A view that imports its module on its first call (Flask's "lazily loading views")."""

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name
        self.__name__ = name
        self._view: Any = None

    def __call__(self, **view_args: Any) -> Any:
        if self._view is None:
            imported = importlib.import_module(f"licence_manager.api.{self.module}")
            self._view = getattr(imported, self.name)
        return self._view(**view_args)


def add_deferred_routes(app: Flask) -> None:
    for (module, blueprint), routes in DEFERRED_ROUTES.items():
        for method, rule, name in routes:
            app.add_url_rule(rule, f"{blueprint}.{name}", LazyView(module, name), methods=[method])
