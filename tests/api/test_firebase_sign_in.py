"""Production sign-in: Firebase / Identity Platform ID tokens verified server-side with
google-auth (signature against the published certificates, issuer, audience, expiry), a Google
sign-in with a verified email only, and then the provisioned user's role decides."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any, ClassVar

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt, jwt

from licence_manager.api.auth import FIREBASE_CERTS_URL, FirebaseTokens
from tests.api.conftest import ACME, ADMIN, build_api

PROJECT = "lm-prod"


class Keys:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "securetoken")])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(1)
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .sign(self.key, hashes.SHA256())
        )
        self.certs = {"kid-1": cert.public_bytes(serialization.Encoding.PEM).decode()}
        pem = self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        self.signer = crypt.RSASigner.from_string(pem, key_id="kid-1")
        self.fetches = 0

    def token(self, **overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": f"https://securetoken.google.com/{PROJECT}",
            "aud": PROJECT,
            "sub": "uid-1",
            "iat": now,
            "exp": now + 3600,
            "auth_time": now,
            "email": "Admin@Acme.example",
            "email_verified": True,
            "firebase": {"sign_in_provider": "google.com"},
        }
        claims.update(overrides)
        return jwt.encode(self.signer, claims).decode()

    def transport(self, url: str, method: str = "GET", **_: Any) -> Any:
        assert url == FIREBASE_CERTS_URL and method == "GET"
        self.fetches += 1

        class Response:
            status = 200
            data = json.dumps(self.certs).encode()
            headers: ClassVar[dict[str, str]] = {}

        return Response()


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys()


def test_a_google_sign_in_with_a_verified_email_is_accepted(keys: Keys) -> None:
    tokens = FirebaseTokens(PROJECT, keys.transport)
    assert tokens(keys.token()) == "admin@acme.example"
    before = keys.fetches
    assert tokens(keys.token()) == "admin@acme.example"
    assert keys.fetches == before  # the certificates are cached, not fetched per request


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "another-project"},
        {"iss": "https://securetoken.google.com/another-project"},
        {"exp": int(time.time()) - 60, "iat": int(time.time()) - 3700},
        {"email_verified": False},
        {"firebase": {"sign_in_provider": "password"}},
        {"firebase": {"sign_in_provider": "anonymous"}, "email": None},
    ],
    ids=["audience", "issuer", "expired", "unverified", "password", "anonymous"],
)
def test_anything_else_is_not_signed_in(keys: Keys, claims: dict[str, Any]) -> None:
    assert FirebaseTokens(PROJECT, keys.transport)(keys.token(**claims)) is None


def test_a_token_signed_by_another_key_is_refused(keys: Keys) -> None:
    forger = Keys()
    assert FirebaseTokens(PROJECT, keys.transport)(forger.token()) is None
    assert FirebaseTokens(PROJECT, keys.transport)("not-a-jwt") is None
    assert FirebaseTokens("", keys.transport)(keys.token()) is None


def test_the_production_app_lets_in_provisioned_users_only(keys: Keys) -> None:
    api = build_api(local_mode=False, authenticate=FirebaseTokens(PROJECT, keys.transport))
    client = api.client()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {keys.token()}"})
    assert me.status_code == 200
    assert (me.get_json()["email"], me.get_json()["customers"][0]["customerId"]) == (ADMIN, ACME)
    stranger = keys.token(email="someone@elsewhere.example")
    refused = client.get("/api/v1/me", headers={"Authorization": f"Bearer {stranger}"})
    assert refused.status_code == 403
    assert "no access" in refused.get_json()["detail"]
    assert client.post("/api/v1/session", json={"email": ADMIN}).status_code in (404, 405)
