"""Who is calling, and may they: every /api/v1 request but the public ones carries
`Authorization: Bearer <token>`.

- Production: the token is a Firebase / Identity Platform ID token from "Sign in with Google",
  verified here (signature against Google's published keys, issuer, audience = the project,
  expiry) with google-auth. Only a verified Google identity counts.
- Local mode (`make run`, tests): `POST /api/v1/session {"email"}` hands out a signed token for a
  provisioned (seeded demo) user. That route does not exist outside local mode.

Either way the identity is only an email address: what it may do comes from the user record the
reseller provisioned (domain.users). A customer the user may not read answers 404 exactly as a
customer that does not exist, so nothing leaks; one they may read but not change answers 403.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from licence_manager.api.problems import Problem
from licence_manager.domain.model import Customer
from licence_manager.domain.users import User
from licence_manager.ports.dashboard import ApiStore

if TYPE_CHECKING:
    from licence_manager.api.rate_limit import RateLimit

# Verifies a bearer token; the verified email address, or None.
Authenticate = Callable[[str], str | None]

PUBLIC = {
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/v1/session"),
    ("POST", "/api/v1/session"),
    # SendGrid's Event Webhook: authenticated by its ECDSA signature (api.email_event_routes).
    ("POST", "/api/v1/sendgrid/events"),
}
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
LOCAL_SESSION_HOURS = 12


class LocalSessions:
    """Signed, expiring dev tokens naming a user: local mode only."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="licence-manager-local-session")

    def issue(self, email: str) -> str:
        token: str = self._serializer.dumps({"email": email.lower()})
        return token

    def __call__(self, token: str) -> str | None:
        try:
            body = self._serializer.loads(token, max_age=LOCAL_SESSION_HOURS * 3600)
        except BadSignature:
            return None
        email = body.get("email") if isinstance(body, dict) else None
        return email if isinstance(email, str) else None


FIREBASE_CERTS_URL = (
    "https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"
)


class CachedCerts:
    """A google-auth transport that keeps Google's token-signing certificates for an hour (they
    rotate daily and overlap), instead of fetching them on every request."""

    def __init__(self, inner: Any, ttl_seconds: float = 3600.0) -> None:
        self._inner = inner
        self._ttl = ttl_seconds
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, Any]] = {}

    def __call__(self, url: str, method: str = "GET", **kwargs: Any) -> Any:
        if method != "GET":
            return self._inner(url, method=method, **kwargs)
        with self._lock:
            hit = self._cache.get(url)
            if hit and time.monotonic() - hit[0] < self._ttl:
                return hit[1]
        response = self._inner(url, method=method, **kwargs)
        if response.status == 200:
            with self._lock:
                self._cache[url] = (time.monotonic(), response)
        return response


class FirebaseTokens:
    """Verifies Firebase / Identity Platform ID tokens for one project: a Google sign-in with a
    verified email address."""

    def __init__(self, project_id: str, transport: Any = None) -> None:
        if transport is None:
            from google.auth.transport.requests import Request

            transport = Request()
        self._project_id = project_id
        self._transport = CachedCerts(transport)

    def claims(self, token: str) -> Mapping[str, Any]:
        from google.oauth2 import id_token

        return id_token.verify_firebase_token(  # type: ignore[no-untyped-call,no-any-return]
            token, self._transport, audience=self._project_id, clock_skew_in_seconds=10
        )

    def __call__(self, token: str) -> str | None:
        if not self._project_id:  # misconfigured: nobody can be verified, so nobody gets in
            return None
        try:
            claims = self.claims(token)
        except (ValueError, Exception):  # any failure to verify is "not signed in"
            return None
        provider = (claims.get("firebase") or {}).get("sign_in_provider")
        email = claims.get("email")
        if provider != "google.com" or not claims.get("email_verified"):
            return None
        return email.lower() if isinstance(email, str) else None


def _store() -> ApiStore:
    store: ApiStore = current_app.config["STORE"]
    return store


def current_user() -> User:
    user: User = g.user
    return user


def path_customer() -> Customer:
    """The customer in the request's path, as authorize() read it (with the user, in one
    round trip): routes use it instead of reading it again."""
    customer: Customer = g.customer
    return customer


def actor() -> str:
    """How audit entries name the signed-in user."""
    return current_user().email


def not_found_customer(customer_id: str) -> Problem:
    return Problem(
        404,
        "Not Found",
        f"There is no customer {customer_id} that you can see: pick one from the customer list.",
    )


def no_such_licence(sku_id: str) -> str:
    """Said when a customer has no licence of this SKU (or never had)."""
    return (
        f"This customer has no licence with SKU id {sku_id}: it may have been removed. "
        "Go back to My Licences to see the current ones."
    )


def authorize() -> None:
    """before_request: authenticate /api/v1 calls and check the customer in the path."""
    path = request.path
    if not path.startswith("/api/"):
        return None  # the web app's own files
    if (request.method, path.rstrip("/")) in PUBLIC or request.method == "OPTIONS":
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "Unauthorized", "Sign in first: send Authorization: Bearer <token>.")
    authenticate: Authenticate = current_app.config["AUTHENTICATE"]
    email = authenticate(token.strip())
    if email is None:
        raise Problem(
            401, "Unauthorized", "Your sign-in has expired or is not valid; sign in again."
        )
    _within_rate_limit(email)
    customer_id = (request.view_args or {}).get("customer_id")
    # The user and the customer in the path in one round trip; a customer the user may not
    # read is refused below exactly as one that does not exist.
    user, customer = _store().user_and_customer(email, customer_id)
    if user is None or user.disabled:
        raise Problem(
            403,
            "Forbidden",
            f"{email} has no access to Licence Manager. Ask your account manager to add you.",
        )
    g.user = user
    if customer_id is None:
        return None
    if not user.can_read(customer_id) or customer is None:
        raise not_found_customer(customer_id)
    g.customer = customer  # the routes use it rather than read it again
    if request.method not in READ_METHODS and not user.can_change(customer_id):
        raise Problem(
            403, "Forbidden", "Your role can view this customer's licences but not change them."
        )
    return None


def _within_rate_limit(email: str) -> None:
    """Security review #17: a 429 before any read once a user exceeds the limit."""
    limit: RateLimit | None = current_app.config.get("RATE_LIMIT")
    wait = limit.take(email) if limit else 0.0
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise Problem(
            429,
            "Too Many Requests",
            f"Too many requests from you in a short time: try again in {seconds} seconds.",
            headers={"Retry-After": str(seconds)},
        )


def require_reseller_ops() -> None:
    """Routes that act for the reseller (approvals, spending limits, the emergency stop)."""
    if not current_user().sees_every_customer:
        raise Problem(403, "Forbidden", "Only reseller operations may do this.")
