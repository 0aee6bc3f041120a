"""The soak's HTTP client for the running api: dev sign-in per demo user, JSON in and out.

Sign-in is cached per email and renewed on a 401, so a long soak outlives its tokens."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from typing import Any

OPS = "ops@reseller.example"


class ApiClient:
    def __init__(self, base: str, timeout: float = 60.0) -> None:
        self.base = base.rstrip("/")
        self.timeout = timeout
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()

    def call(self, method: str, path: str, body: Any = None, email: str = OPS) -> tuple[int, Any]:
        """(status, parsed JSON body or None). Never raises for an HTTP status."""
        for attempt in range(2):
            status, answer = self._once(method, path, body, self._token(email, renew=attempt > 0))
            if status != 401:
                return status, answer
        return status, answer

    def get(self, path: str, email: str = OPS) -> Any:
        status, body = self.call("GET", path, email=email)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {body}")
        return body

    def _token(self, email: str, renew: bool = False) -> str:
        with self._lock:
            if renew or email not in self._tokens:
                status, body = self._once("POST", "/api/v1/session", {"email": email}, None)
                if status != 201:
                    raise RuntimeError(f"dev sign-in as {email} answered {status}: {body}")
                self._tokens[email] = body["token"]
            return self._tokens[email]

    def _once(self, method: str, path: str, body: Any, token: str | None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, _parse(response.read())
        except urllib.error.HTTPError as error:
            return error.code, _parse(error.read())


def _parse(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode(errors="replace")
