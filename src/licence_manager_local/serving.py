"""What the local stand-in servers (the Reseller API simulator, the SendGrid stand-in) share.

Serving: a request handler that keeps quiet, a threaded werkzeug server run from daemon
threads until `stop()`, and the CLIs' wait for Ctrl-C or SIGTERM. Control: the /_control/
routes' JSON dispatch and body checks, and the base of their typed urllib clients. Each
server keeps its own wire details (HTTP version, Server header, JSON layout, URL form).
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Final, Self, TypeVar, cast

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

CONTROL_PREFIX: Final = "/_control"

Body = dict[str, Any]
T = TypeVar("T")


class QuietRequestHandler(WSGIRequestHandler):
    """Logs requests only when asked to; subclasses set `protocol_version`, `server_version`."""

    log_requests: ClassVar[bool] = False

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.log_requests:
            super().log_request(code, size)

    def log_error(self, format: str, *args: Any) -> None:
        # A client that timed out on a hung request closes its socket; that is expected here.
        # Logged under the subclass's module so each server's debug output stays its own.
        logging.getLogger(type(self).__module__).debug(format, *args)


def quiet_server(
    app: WSGIApplication,
    host: str,
    port: int,
    handler: type[QuietRequestHandler] = QuietRequestHandler,
    *,
    log_requests: bool = False,
) -> BaseWSGIServer:
    """A threaded server for `app` on host:port (0 picks a free port), not yet serving."""
    if log_requests:
        # The server makes a handler per request from the class alone, so the switch
        # has to live on a class.
        handler = cast(
            type[QuietRequestHandler],
            type(
                handler.__name__,
                (handler,),
                {"log_requests": True, "__module__": handler.__module__},
            ),
        )
    return make_server(host, port, app, threaded=True, request_handler=handler)


class BackgroundServer:
    """A server running on daemon threads until `stop()` or the end of a `with` block.

    `stopping` is the app's event: setting it first wakes requests sleeping on an injected
    latency or hang, so shutdown does not wait them out.
    """

    def __init__(self, server: BaseWSGIServer, stopping: threading.Event, name: str) -> None:
        self._server = server
        self._stopping = stopping
        host, port = server.server_address[:2]
        self.host = str(host)
        self.port = int(port)
        self._threads: list[threading.Thread] = []
        # A short poll interval keeps stop() (and so each test's teardown) quick.
        self._start_thread(server.serve_forever, 0.05, name=name)

    def stop(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _start_thread(self, target: Callable[..., object], *args: object, name: str) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()


def serve_until_stopped(stop: Callable[[], None]) -> None:
    """Block until Ctrl-C or SIGTERM, then call `stop`."""
    stopping = threading.Event()
    # SIGTERM (a supervisor, `kill`) should end the server as cleanly as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop()


class ControlRefused(ValueError):
    """A /_control/ request that cannot be carried out as asked."""


class JsonControlRoutes:
    """Dispatches /_control/ requests to the subclass's `_h_<endpoint>(body, args)` methods.

    Bodies and answers are JSON written by `respond`, so each server keeps its own layout.
    Any ValueError from a handler (the servers' own argument checks raise those too) is
    the caller's mistake and is answered 400 `{"error": "..."}`.
    """

    def __init__(
        self, routes: Map, respond: Callable[[Any, int], Response], *, enabled: bool = True
    ) -> None:
        self._routes = routes
        self._respond = respond
        self._enabled = enabled
        self._handlers: dict[str, Callable[[Body, Mapping[str, str]], Any]] = {
            name.removeprefix("_h_"): getattr(self, name)
            for name in dir(self)
            if name.startswith("_h_")
        }

    def dispatch(self, request: Request) -> Response:
        if not self._enabled:
            return self._respond({"error": "the control surface is disabled"}, 404)
        try:
            endpoint, args = self._routes.bind_to_environ(request.environ).match()
        except HTTPException as exc:
            return self._respond({"error": exc.description or exc.name}, exc.code or 404)
        try:
            return self._respond(self._handlers[endpoint](json_body(request), args), 200)
        except ValueError as exc:
            return self._respond({"error": str(exc)}, 400)


def json_body(request: Request) -> Body:
    raw = request.get_data()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ControlRefused("body is not JSON") from None
    if not isinstance(body, dict):
        raise ControlRefused("body must be a JSON object")
    return body


def optional(body: Body, name: str, kind: type[T]) -> T | None:
    value = body.get(name)
    if value is None:
        return None
    # JSON has one number type: accept an integer where a float is wanted, never a bool.
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ControlRefused(f"{name} must be a {kind.__name__}")
    return value


def required(body: Body, name: str, kind: type[T]) -> T:
    value = optional(body, name, kind)
    if value is None:
        raise ControlRefused(f"{name} is required")
    return value


class ControlCallError(RuntimeError):
    """A /_control/ call the server refused; `status` is the HTTP status it answered."""

    server_name: ClassVar[str] = "server"

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{self.server_name} control answered {status}: {message}")
        self.status = status


class ControlClient:
    """Base of the typed /_control/ clients; plain urllib, for tests in another process."""

    error_type: ClassVar[type[ControlCallError]] = ControlCallError

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self._base = base_url.rstrip("/") + "/_control/"
        self._timeout = timeout

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None
        headers = {}
        if body is not None:
            # None means "the server's default", which the routes read as an absent field.
            data = json.dumps({k: v for k, v in body.items() if v is not None}).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self._base + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            try:
                message = str(json.loads(exc.read()).get("error", exc.reason))
            except ValueError:
                message = str(exc.reason)
            raise self.error_type(exc.code, message) from None
