"""The stand-in's WSGI application (see the package docstring)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from licence_manager.domain.webhook_signature import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    verify,
)

from ..serving import CONTROL_PREFIX

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

CHAT_MAX_BYTES = 32_000


@dataclass(frozen=True)
class Posted:
    """One accepted post. `target` is the space, Slack hook or receiver name (no secrets)."""

    kind: str  # google_chat | slack | webhook
    target: str
    body: dict[str, Any]
    received_at: str
    thread_key: str = ""
    delivery_id: str = ""
    signature_valid: bool | None = None  # webhooks only

    @property
    def text(self) -> str:
        return str(self.body.get("text", ""))


@dataclass
class Fault:
    kind: str  # refuse | after_post | hang
    code: int = 0
    retry_after: float | None = None
    seconds: float = 0.0


@dataclass
class Outbox:
    posts: list[Posted] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def append(self, posted: Posted) -> None:
        with self.changed:
            self.posts.append(posted)
            self.changed.notify_all()

    def snapshot(self) -> list[Posted]:
        with self.changed:
            return list(self.posts)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Posted]:
        deadline = time.monotonic() + timeout
        with self.changed:
            while len(self.posts) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self.posts)} posts, wanted {count}")
                self.changed.wait(left)
            return list(self.posts)

    def clear(self) -> None:
        with self.changed:
            self.posts.clear()


class ChannelStandInApp:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.outbox = Outbox()
        self._faults: deque[Fault] = deque()
        self._secrets: dict[str, str] = {}  # receiver name → signing secret
        self._min_interval = 0.0  # per target: posts closer than this get 429
        self._last: dict[str, float] = {}
        self.stopping = threading.Event()

    # --- what tests and the control routes drive ---
    def refuse_next(self, code: int, count: int = 1, retry_after: float | None = None) -> None:
        """The next `count` posts get `code` and are not recorded (a 429 posted nothing)."""
        self._queue(Fault("refuse", code, retry_after), count)

    def fail_after_post(self, code: int = 500, count: int = 1) -> None:
        """The next `count` posts are recorded, then answered `code`: the sender cannot know."""
        self._queue(Fault("after_post", code), count)

    def hang_next(self, seconds: float, count: int = 1) -> None:
        """The next `count` posts are recorded and answered `seconds` later."""
        self._queue(Fault("hang", seconds=seconds), count)

    def rate_limit(self, min_interval_seconds: float) -> None:
        """Posts to one target closer together than this are refused with 429 (0: off)."""
        self._min_interval = min_interval_seconds

    def set_secret(self, receiver: str, secret: str) -> None:
        self._secrets[receiver] = secret

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()
            self._last.clear()
            self._min_interval = 0.0
        self.outbox.clear()

    def _queue(self, fault: Fault, count: int) -> None:
        with self._lock:
            self._faults.extend(Fault(**asdict(fault)) for _ in range(count))

    # --- WSGI ---
    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith(CONTROL_PREFIX):
            response = self._control(request)
        elif request.method != "POST":
            response = Response("method not allowed", 405)
        else:
            response = self._post(request)
        return response(environ, start_response)

    def _post(self, request: Request) -> Response:
        parts = [p for p in request.path.split("/") if p]
        if len(parts) == 4 and parts[:2] == ["v1", "spaces"] and parts[3] == "messages":
            kind, target = "google_chat", parts[2]
            if not request.args.get("key") or not request.args.get("token"):
                return _chat_error(401, "UNAUTHENTICATED", "key and token are required")
        elif len(parts) == 4 and parts[0] == "services":
            kind, target = "slack", "/".join(parts[1:3])
        elif len(parts) == 2 and parts[0] == "hooks":
            kind, target = "webhook", parts[1]
        else:
            return Response("no_service", 404, content_type="text/plain")
        with self._lock:
            fault = self._faults.popleft() if self._faults else None
            now = self._clock()
            last = self._last.get(target)
            limited = (
                fault is None
                and self._min_interval > 0
                and last is not None
                and now - last < self._min_interval
            )
            if not limited and (fault is None or fault.kind != "refuse"):
                self._last[target] = now
        if limited:
            wait = self._min_interval - (now - (last or now))
            return _refused(kind, 429, max(1, round(wait + 0.499)))
        if fault is not None and fault.kind == "refuse":
            return _refused(kind, fault.code, fault.retry_after)
        raw = request.get_data()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        problem = _invalid(kind, body, raw)
        if problem is not None:
            return problem
        assert isinstance(body, dict)
        thread_key = (
            str((body.get("thread") or {}).get("threadKey", "")) if kind == "google_chat" else ""
        )
        signature_valid = None
        if kind == "webhook":
            secret = self._secrets.get(target)
            header = request.headers.get(SIGNATURE_HEADER, "")
            signature_valid = bool(secret) and verify(secret or "", header, raw, self._clock())
            if secret and not signature_valid:
                return Response("bad signature", 401, content_type="text/plain")
        posted = Posted(
            kind,
            target,
            body,
            datetime.now(UTC).isoformat(),
            thread_key,
            request.headers.get(DELIVERY_HEADER, ""),
            signature_valid,
        )
        self.outbox.append(posted)
        if fault is not None and fault.kind == "hang":
            self.stopping.wait(fault.seconds)
        if fault is not None and fault.kind == "after_post":
            return _refused(kind, fault.code, None)
        return _accepted(kind, target, thread_key)

    def _control(self, request: Request) -> Response:
        path = request.path.removeprefix(CONTROL_PREFIX)
        body = request.get_json(silent=True) or {}
        if path == "/outbox" and request.method == "GET":
            return _json([asdict(p) for p in self.outbox.snapshot()])
        if path == "/reset" and request.method == "POST":
            self.reset()
            return _json({"reset": True})
        if path == "/faults" and request.method == "POST":
            kind = body.get("kind", "refuse")
            count = int(body.get("count", 1))
            if kind == "refuse":
                self.refuse_next(int(body["code"]), count, body.get("retryAfter"))
            elif kind == "after_post":
                self.fail_after_post(int(body.get("code", 500)), count)
            elif kind == "hang":
                self.hang_next(float(body["seconds"]), count)
            else:
                return _json({"error": "kind: refuse, after_post or hang"}, 400)
            return _json({"queued": count})
        if path == "/rate-limit" and request.method == "POST":
            self.rate_limit(float(body.get("minIntervalSeconds", 0)))
            return _json({"minIntervalSeconds": self._min_interval})
        if path == "/secrets" and request.method == "POST":
            self.set_secret(str(body["receiver"]), str(body["secret"]))
            return _json({"receiver": body["receiver"]})
        return _json({"error": "not found"}, 404)


def _invalid(kind: str, body: Any, raw: bytes) -> Response | None:
    if kind == "google_chat":
        if not isinstance(body, dict):
            return _chat_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        if not body.get("text") and not body.get("cardsV2"):
            return _chat_error(400, "INVALID_ARGUMENT", "Message cannot be empty.")
        if len(raw) > CHAT_MAX_BYTES:
            return _chat_error(400, "INVALID_ARGUMENT", "Message too large.")
    elif kind == "slack":
        if not isinstance(body, dict):
            return Response("invalid_payload", 400, content_type="text/plain")
        if not body.get("text") and not body.get("blocks"):
            return Response("no_text", 400, content_type="text/plain")
    elif not isinstance(body, dict):
        return Response("bad json", 400, content_type="text/plain")
    return None


def _accepted(kind: str, target: str, thread_key: str) -> Response:
    if kind == "google_chat":
        message = uuid.uuid4().hex[:12]
        thread = thread_key or message
        return _json(
            {
                "name": f"spaces/{target}/messages/{message}",
                "thread": {"name": f"spaces/{target}/threads/{thread}"},
            }
        )
    if kind == "slack":
        return Response("ok", 200, content_type="text/plain")
    return Response("", 204)


def _refused(kind: str, code: int, retry_after: float | None) -> Response:
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
    if kind == "google_chat":
        status = "RESOURCE_EXHAUSTED" if code == 429 else "UNAVAILABLE"
        response = _chat_error(code, status, "stand-in fault")
    else:
        text = "rate_limited" if code == 429 else "internal_error"
        response = Response(text, code, content_type="text/plain")
    response.headers.update(headers)
    return response


def _chat_error(code: int, status: str, message: str) -> Response:
    return _json({"error": {"code": code, "message": message, "status": status}}, code)


def _json(value: Any, status: int = 200) -> Response:
    return Response(json.dumps(value), status, content_type="application/json")
