"""The Flask app factory. Routes go through the ports and services only.

Every /api/v1 route but the public ones (the OpenAPI document, how to sign in) needs a signed-in
user (api.auth); a customer in the path is checked for them before any route runs, so a route
never serves another tenant's data by mistake.

Only the routes of signing in and My Licences are imported with the app; the others load on their
first call (api.lazy_routes), to keep the function's cold start short.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.exceptions import HTTPException

from licence_manager.api.auth import Authenticate, LocalSessions, authorize
from licence_manager.api.lazy_routes import add_deferred_routes
from licence_manager.api.licence_routes import licence_json, licences
from licence_manager.api.problems import (
    Problem,
    from_http_exception,
    from_problem,
    from_unexpected,
)
from licence_manager.api.rate_limit import RateLimit
from licence_manager.api.session_routes import local_session, session
from licence_manager.api.web import add_security_headers, serve_web_app
from licence_manager.domain.topup import TopUpRequest
from licence_manager.ports.dashboard import ApiStore
from licence_manager.ports.unit_of_work import UnitOfWork

__all__ = ["create_app", "licence_json"]


def create_app(
    store: ApiStore,
    request_addition: Callable[..., TopUpRequest],
    *,
    local_mode: bool,
    request_purchase: Callable[..., TopUpRequest] | None = None,
    authenticate: Authenticate | None = None,
    firebase_web_config: dict[str, str] | None = None,
    web_root: Path | None = None,
    reports: Callable[[], Any] | None = None,
    unit_of_work: UnitOfWork | None = None,
    decide_approval: Callable[..., TopUpRequest] | None = None,
    resend_notification: Callable[..., Any] | None = None,
    request_renewal_change: Callable[..., Any] | None = None,
    request_unassign: Callable[..., Any] | None = None,
    resume_top_ups: Callable[..., Any] | None = None,
    channels: Callable[[], Any] | None = None,
    post_trial: Callable[..., None] | None = None,
    email_events: Callable[..., int] | None = None,
    bounces: Callable[[], Any] | None = None,
    sendgrid_event_public_key: str = "",
    rate_limit: RateLimit | None = None,
) -> Flask:
    """`authenticate` verifies bearer tokens (production: Firebase ID tokens). In local mode
    the dev sign-in's own tokens are accepted instead; outside it, no authenticator means
    nobody gets in. `rate_limit` bounds each signed-in user's calls (production always passes
    one: bootstrap.api_app)."""
    app = Flask(__name__, static_folder=None)
    app.config["STORE"] = store
    app.config["REQUEST_ADDITION"] = request_addition
    app.config["REQUEST_PURCHASE"] = request_purchase or _unavailable
    app.config["LOCAL_MODE"] = local_mode
    app.config["REPORTS"] = reports or _reports_unavailable
    app.config["UOW"] = unit_of_work
    app.config["DECIDE_APPROVAL"] = decide_approval or _unavailable
    app.config["RESEND_NOTIFICATION"] = resend_notification or _resend_unavailable
    app.config["REQUEST_RENEWAL_CHANGE"] = request_renewal_change or _unavailable
    app.config["REQUEST_UNASSIGN"] = request_unassign or _unassign_unavailable
    # None: the route resumes without evaluating at once (api.anomaly_routes).
    app.config["RESUME_TOP_UPS"] = resume_top_ups
    app.config["FIREBASE_WEB_CONFIG"] = firebase_web_config or {}
    # Alert channels (api.channel_routes): their store, built on first use, and the test post.
    app.config["CHANNELS"] = channels
    app.config["POST_TRIAL"] = post_trial
    # SendGrid's Event Webhook (api.email_event_routes) and the bouncing addresses it flags.
    app.config["EMAIL_EVENTS"] = email_events
    app.config["BOUNCES"] = bounces
    app.config["SENDGRID_EVENT_PUBLIC_KEY"] = sendgrid_event_public_key
    app.config["RATE_LIMIT"] = rate_limit
    if local_mode:
        sessions = LocalSessions(secrets.token_urlsafe(32))
        app.config["LOCAL_SESSIONS"] = sessions
        app.config["AUTHENTICATE"] = sessions
    else:
        app.config["AUTHENTICATE"] = authenticate or (lambda _token: None)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.before_request(authorize)
    app.after_request(add_security_headers)
    app.register_blueprint(session)
    if local_mode:
        app.register_blueprint(local_session)  # the dev sign-in exists only here
    app.register_blueprint(licences)
    # Signing in and My Licences load with the app; every other page's routes load on first use.
    add_deferred_routes(app)
    app.register_error_handler(Problem, from_problem)
    app.register_error_handler(HTTPException, from_http_exception)
    app.register_error_handler(Exception, from_unexpected)
    if web_root is not None:
        serve_web_app(app, web_root)
    return app


def _unavailable(*_args: Any) -> TopUpRequest:
    raise Problem(503, "Service Unavailable", "Buying is not available here.")


def _unassign_unavailable(*_args: Any) -> Any:
    raise Problem(503, "Service Unavailable", "Seats cannot be unassigned here.")


def _reports_unavailable() -> Any:
    raise Problem(503, "Service Unavailable", "Reports are not available here.")


def _resend_unavailable(*_args: Any) -> Any:
    raise Problem(503, "Service Unavailable", "Emails cannot be sent again here.")
