"""Signing in to the api in tests as the web app does locally: a provisioned user, then the dev
sign-in's token as `Authorization: Bearer`."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from licence_manager.domain.users import Role, User
from licence_manager.ports.dashboard import DashboardStore

OPS = "ops@reseller.example"


def provision_ops(store: DashboardStore, email: str = OPS) -> str:
    store.save_user(User(email, "Ops", Role.RESELLER_OPS))
    return email


def bearer(client: Any, email: str = OPS) -> dict[str, str]:
    """Headers for a Flask test client, signed in as `email`."""
    response = client.post("/api/v1/session", json={"email": email})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def http_bearer(api_url: str, email: str = OPS) -> dict[str, str]:
    """The same over HTTP, against a running api (`api_url` like http://127.0.0.1:8080)."""
    request = urllib.request.Request(
        f"{api_url}/api/v1/session",
        data=json.dumps({"email": email}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        token = json.load(response)["token"]
    return {"Authorization": f"Bearer {token}"}


def get_json(url: str, headers: dict[str, str]) -> Any:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
        return json.load(r)
