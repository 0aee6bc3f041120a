"""Signing in and who you are: GET /session (how to sign in here), POST /session (local mode
only: the dev sign-in), GET /me."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from licence_manager.api.auth import LocalSessions, current_user
from licence_manager.api.problems import Problem
from licence_manager.domain.model import Customer
from licence_manager.domain.users import ROLE_LABELS, User
from licence_manager.ports.dashboard import ApiStore, BadCursor
from licence_manager.ports.usage import CustomerPage, page_of_customers

# GET /me shows this many; the customer picker pages through the rest with GET /customers.
ME_PAGE = 50

session = Blueprint("session", __name__, url_prefix="/api/v1")
local_session = Blueprint("local_session", __name__, url_prefix="/api/v1")


def _store() -> ApiStore:
    store: ApiStore = current_app.config["STORE"]
    return store


def visible_customers(
    user: User, limit: int, cursor: str | None = None, domain_prefix: str | None = None
) -> CustomerPage:
    """A page of the customers the user may see, by domain then id. Reseller ops page through
    every customer with one query of `limit + 1` documents; a customer admin's or account
    manager's own customers are read by id (one round trip) and paged in hand. Never the whole
    book. Raises Problem 400 for a cursor that is not one."""
    try:
        if user.sees_every_customer:
            return _store().customer_page(limit, cursor, domain_prefix)
        own = _store().customers_by_id(user.customer_ids)
        return page_of_customers(own, limit, cursor, domain_prefix)
    except BadCursor as error:
        raise Problem(
            400,
            "Bad Request",
            "This cursor does not continue the customer list; start again.",
            errors={"cursor": "Start again without it."},
        ) from error


def customer_json(customer: Customer) -> dict[str, Any]:
    return {
        "customerId": customer.customer_id,
        "customerDomain": customer.customer_domain,
        "name": customer.name,
        "timeZone": customer.time_zone,  # the dashboard shows this customer's times in it
    }


def seen_customer_json(user: User, customer: Customer) -> dict[str, Any]:
    return {**customer_json(customer), "canChange": user.can_change(customer.customer_id)}


def user_json(user: User) -> dict[str, Any]:
    page = visible_customers(user, ME_PAGE)
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "roleLabel": ROLE_LABELS[user.role],
        # The first customers; when there are more (reseller ops), the picker searches and
        # pages through GET /customers from customersNextCursor.
        "customers": [seen_customer_json(user, c) for c in page.customers],
        "customersNextCursor": page.next_cursor,
    }


@session.get("/session")
def how_to_sign_in() -> ResponseReturnValue:
    """How the web app signs people in here: the local dev sign-in, or Firebase."""
    if current_app.config["LOCAL_MODE"]:
        demo = [
            {"email": u.email, "name": u.name, "roleLabel": ROLE_LABELS[u.role]}
            for u in _store().users()
            if not u.disabled
        ]
        return jsonify({"mode": "local", "demoUsers": demo})
    return jsonify({"mode": "firebase", "firebase": current_app.config["FIREBASE_WEB_CONFIG"]})


@local_session.post("/session")
def sign_in_locally() -> ResponseReturnValue:
    """Local mode only: a token for a provisioned user, named by email, without a password."""
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    if not isinstance(email, str) or "@" not in email:
        raise Problem(
            422, "Invalid sign-in", 'Send {"email": ...}.', errors={"email": "Enter an email."}
        )
    user = _store().user(email.strip())
    if user is None or user.disabled:
        raise Problem(
            403,
            "Forbidden",
            f"{email.strip()} is not a Licence Manager user here.",
            errors={"email": "Not a user here: pick one of the demo users."},
        )
    sessions: LocalSessions = current_app.config["LOCAL_SESSIONS"]
    return jsonify({"token": sessions.issue(user.email), "user": user_json(user)}), 201


@session.get("/me")
def me() -> ResponseReturnValue:
    """The signed-in user, their role and the customers they may see."""
    return jsonify(user_json(current_user()))
